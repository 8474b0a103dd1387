"""Table rows (facts read from printed tables) and the per-series views the profiles name.

:func:`insert_table_rows` writes one ``table_rows`` row per cell inside the loader's
transaction. A profile table with ``view: <series>_<name>`` gets a view with one column per
column key of the profile, so analysts read "contributions by country over time" as a plain
table; :func:`ensure_view` (re)creates it in the same transaction, from the profile's columns,
so a profile that gains a column gets it in the view with its next load.
"""

from __future__ import annotations

import re
from typing import Any

from reportwatch.errors import WarehouseError
from reportwatch.models import Report, ReportTable
from warehouse.connection import Connection

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def insert_table_rows(
    con: Connection, doc_id: str, series: str, symbol: str, report: Report, load_id: str
) -> int:
    """Insert every cell of the report's tables, replacing what the document had (reprocess);
    returns the number of rows written."""
    con.execute("DELETE FROM table_rows WHERE document_id = ?", [doc_id])
    rows: list[list[Any]] = []
    for table in report.tables:
        for row in table.rows:
            for column in table.columns:
                rows.append(
                    [doc_id, series, symbol, table.table, table.title, table.as_of_date,
                     row.row_index, row.label, row.is_total, column, row.values.get(column),
                     table.unit, row.page, load_id]
                )  # fmt: skip
        if table.view:
            ensure_view(con, series, table)
    if rows:
        con.executemany(
            "INSERT INTO table_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    return len(rows)


def view_sql(series: str, table: ReportTable) -> str:
    """The ``CREATE OR REPLACE VIEW`` of a table's per-series view (names checked first)."""
    view = table.view or ""
    names = [view, table.table, *table.columns]
    bad = [n for n in names if not _NAME.match(n)]
    if bad or not view.startswith(f"{series}_"):
        raise WarehouseError(
            f"cannot create view {view!r} for table {table.table!r} of series {series!r}"
            + (f": {', '.join(map(repr, bad))} are not lower-case names" if bad else ""),
            hint=f"name it {series}_<something> in the profile's tables (a-z, 0-9, _)",
        )
    pivot = ",\n       ".join(
        f"max(t.value) FILTER (WHERE t.column_name = '{c}') AS {c}" for c in table.columns
    )
    return f"""CREATE OR REPLACE VIEW {view} AS
SELECT t.series, t.symbol, t.as_of_date, d.period_end, t.row_label, t.is_total,
       {pivot},
       t.table_title, t.page, t.row_index, t.document_id
FROM table_rows t
JOIN documents d USING (document_id)
WHERE d.is_current AND d.status = 'loaded'
  AND t.series = '{series}' AND t.table_id = '{table.table}'
GROUP BY ALL
ORDER BY t.as_of_date, t.row_index"""


def ensure_view(con: Connection, series: str, table: ReportTable) -> None:
    """(Re)create the table's per-series view; refuses to replace a table of the warehouse."""
    row = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [table.view]
    ).fetchone()
    if row is not None and row[0] != "VIEW":
        raise WarehouseError(
            f"the profile's view {table.view!r} would replace a table of the warehouse",
            hint="give it another name in the profile's tables",
        )
    con.execute(view_sql(series, table))


def table_members(con: Connection, series: str) -> dict[str, dict[str, dict[str, Any]]]:
    """document_id → table id → {labels (body rows, Total left out), page, title}."""
    rows = con.execute(
        """SELECT document_id, table_id, list(DISTINCT row_label ORDER BY row_label)
                      FILTER (WHERE NOT is_total),
                  min(page), min(table_title)
           FROM table_rows WHERE series = ? GROUP BY document_id, table_id""",
        [series],
    ).fetchall()
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for doc_id, table_id, labels, page, title in rows:
        found.setdefault(str(doc_id), {})[str(table_id)] = {
            "labels": [str(x) for x in labels or []], "page": page, "title": title,
        }  # fmt: skip
    return found
