"""docs/data-dictionary.md describes exactly the tables, views and columns the migrations create."""

from __future__ import annotations

import re
from pathlib import Path

from warehouse import open_writer
from warehouse.snapshot import publish

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def documented() -> dict[str, set[str]]:
    tables: dict[str, set[str]] = {}
    current: str | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### (\w+)", line)
        if heading:
            current = heading.group(1)
            tables[current] = set()
            continue
        row = re.match(r"^\| (\w+) \| [A-Z]", line)
        if row and current is not None:
            tables[current].add(row.group(1))
    return tables


def actual(path: Path) -> dict[str, set[str]]:
    with open_writer(path) as con:
        rows = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
        ).fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return found


def test_every_table_view_and_column_is_documented_and_nothing_else(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    real = actual(warehouse)
    publish(warehouse, tmp_path / "s.duckdb")
    real["snapshot_info"] = actual(tmp_path / "s.duckdb")["snapshot_info"]
    docs = documented()
    # current_documents has the columns of documents; the page says so instead of repeating them
    docs["current_documents"] = docs["documents"]
    assert sorted(real) == sorted(docs)
    for name in real:
        assert real[name] == docs[name], (
            f"{name}: undocumented {real[name] - docs[name]}, stale {docs[name] - real[name]}"
        )
