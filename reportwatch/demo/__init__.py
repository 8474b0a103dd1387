"""Demo fixtures: the loopback mirror and the synthetic sample archive.

``samples/`` holds the generator (``build``, ``facts``, ``render``, ``wording``), the facts it
renders (``kfor_facts.yaml``) and what it rendered (``kfor/``: the PDFs and ``catalog.json``
that ``reportwatch demo`` and the tests serve from the mirror). Nothing in the product's stages
imports this package.
"""

from __future__ import annotations

from pathlib import Path

SAMPLES_ROOT = Path(__file__).resolve().parent / "samples"
SAMPLES_DIR = SAMPLES_ROOT / "kfor"
BUNDLED_FACTS = SAMPLES_ROOT / "kfor_facts.yaml"
