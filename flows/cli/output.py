"""Printing query results for the CLI: rich tables, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{int(value):,}" if value == int(value) else f"{value:,.6g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


_LONG_TEXT = {
    "headline",
    "text",
    "evidence_text",
    "title",
    "reason",
    "summary",
    "last_error",
    "stage_seconds",
    "deliveries",
}


def render_table(
    columns: list[str], rows: list[tuple[Any, ...]], *, title: str | None = None
) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for name in columns:
        # short values (dates, symbols, numbers) never wrap; long text folds
        long_text = name in _LONG_TEXT
        table.add_column(
            name, overflow="fold", no_wrap=not long_text, ratio=3 if long_text else None
        )
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    return table


def to_csv(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def to_json(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    return json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str, indent=2)


def print_rows(console: Console, columns: list[str], rows: list[tuple[Any, ...]], fmt: str,
               *, title: str | None = None) -> None:  # fmt: skip
    if fmt == "csv":
        console.file.write(to_csv(columns, rows))
    elif fmt == "json":
        console.file.write(to_json(columns, rows) + "\n")
    else:
        console.print(render_table(columns, rows, title=title))
