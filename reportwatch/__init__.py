"""reportwatch: periodic official reports turned into trustworthy data and timely alerts.

This package holds what every stage shares: the exception tree (:mod:`reportwatch.errors`),
settings (:mod:`reportwatch.settings`), the data contracts that cross a stage boundary
(:mod:`reportwatch.models`) and series definitions (:mod:`reportwatch.series`).
The stages themselves live in the top-level packages ``tasks``, ``flows`` and ``warehouse``.
"""

from __future__ import annotations

__version__ = "0.1.0"
