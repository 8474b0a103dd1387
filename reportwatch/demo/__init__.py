"""Demo fixtures: the loopback mirror and the synthetic sample archives.

``samples/`` holds the generator (``build``, ``facts``, ``annual``, ``render``, ``annex``,
``wording``), the facts it renders (``<series>_facts.yaml``, one file per series) and what it
rendered (``<series>/``: the PDFs and ``catalog.json`` that ``reportwatch demo`` and the tests
serve from the mirror). Nothing in the product's stages imports this package.
"""

from __future__ import annotations

from pathlib import Path

SAMPLES_ROOT = Path(__file__).resolve().parent / "samples"
SAMPLES_DIR = SAMPLES_ROOT / "kfor"
BUNDLED_FACTS = SAMPLES_ROOT / "kfor_facts.yaml"
FACTS_SUFFIX = "_facts.yaml"


def sample_archives(root: Path = SAMPLES_ROOT) -> dict[str, Path]:
    """Series id → its sample archive folder (``<root>/<series>/`` with a ``catalog.json``)."""
    return {path.parent.name: path.parent for path in sorted(root.glob("*/catalog.json"))}


def sample_facts(root: Path = SAMPLES_ROOT) -> dict[str, Path]:
    """Series id → the facts file its archive is rendered from (``<series>_facts.yaml``)."""
    return {p.name[: -len(FACTS_SUFFIX)]: p for p in sorted(root.glob(f"*{FACTS_SUFFIX}"))}
