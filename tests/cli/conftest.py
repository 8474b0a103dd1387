"""A small warehouse and snapshot for CLI tests: two quarterly reports, as a run would load them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import QUARTERS, fetched, report, text_for
from warehouse import open_writer
from warehouse.documents import load_document
from warehouse.snapshot import publish


@pytest.fixture(autouse=True)
def _no_terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output into a pipe is unbounded unless COLUMNS says otherwise: start from a known state."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    with open_writer(tmp_path / "warehouse.duckdb") as con:
        for i, (troops, symbol) in enumerate([(3800, "S/2023/179"), (4500, "S/2023/668")]):
            rep = report(symbol, *QUARTERS[i + 2], troops)
            load_document(
                con, fetched=fetched(symbol, symbol.encode()), text=text_for(rep), report=rep
            )
    publish(tmp_path / "warehouse.duckdb", tmp_path / "snapshot.duckdb")
    return tmp_path
