"""Printing rows for the CLI (table, CSV, JSON), showing the data exactly as it is stored.

* Nothing in a value is interpreted: consoles are made with ``markup=False``, ``emoji=False``
  and ``highlight=False`` and cells are :class:`rich.text.Text`, so ``[sic]``, ``[/bold]`` and
  ``:x:`` print as typed. Control characters (an escape sequence stored in a paragraph) are shown
  as ``\\x1b``, never sent to the terminal.
* Values print as DuckDB prints them: ``NULL``, ``true``/``false``, ``4500`` and ``4500.0``
  (an integer and a double are different things), dates ``YYYY-MM-DD``.
* Identifiers are never cut: columns whose values are short (symbols, dates, numbers, page
  numbers) get their full width; long text wraps in what is left. When the terminal is too narrow
  for that, each row is printed as ``column  value`` lines instead of a squeezed table.
* JSON is valid JSON: NaN and infinities become ``null``, dates ISO strings.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import os
import re
from typing import IO, Any

from rich.console import Console, ConsoleDimensions, Group, RenderableType
from rich.table import Table
from rich.text import Text

Row = tuple[Any, ...]
SHORT = 32  # a column whose values are all at most this long is an identifier: kept whole
TEXT_MIN = 40  # a text column narrower than this is hard to read: print records instead
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


UNBOUNDED = 100_000  # the width of a pipe or a file: tables at their natural width


class _Console(Console):
    """A console whose width follows where its output goes, looked up at each print.

    The CLI's consoles are made when a module is imported; a terminal resized since, or
    ``COLUMNS`` set for one command, still counts.
    """

    @property  # type: ignore[override]
    def size(self) -> ConsoleDimensions:
        terminal = Console.size.fget(self)  # type: ignore[attr-defined]
        if self.is_terminal:
            return terminal  # type: ignore[no-any-return]
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() else UNBOUNDED
        return ConsoleDimensions(width, terminal.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


def make_console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A console that prints text as given (no markup, emoji or highlighting).

    On a terminal, tables fit its width. Into a pipe or a file nothing is wrapped (a table is
    as wide as its longest values), unless ``COLUMNS`` says how wide to be.
    """
    if file is not None:
        return Console(file=file, markup=False, emoji=False, highlight=False, width=UNBOUNDED)
    return _Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def shown(value: Any) -> str:
    """One value as text, the way DuckDB's own shell shows it (``NULL`` for a missing value)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else repr(value).replace("inf", "Infinity")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | dict | tuple):
        return json.dumps(json_value(value), ensure_ascii=False)
    return str(value)


def _cell(value: Any) -> Text:
    if value is None:
        return Text("NULL", style="dim")
    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", shown(value)))


def _numeric(rows: list[Row], i: int) -> bool:
    values = [r[i] for r in rows if r[i] is not None]
    return bool(values) and all(
        isinstance(v, int | float | decimal.Decimal) and not isinstance(v, bool) for v in values
    )


def _widths(columns: list[str], rows: list[Row]) -> list[int]:
    widths = [len(c) for c in columns]
    for row in rows:
        for i, value in enumerate(row):
            for line in shown(value).splitlines() or [""]:
                widths[i] = max(widths[i], len(line))
    return widths


def render_table(
    columns: list[str], rows: list[Row], *, title: str | None = None, width: int = 160
) -> RenderableType:
    """A table whose identifier columns are never cut; records when ``width`` is too narrow."""
    widths = _widths(columns, rows)
    short = [w <= SHORT for w in widths]
    needed = sum(w if s else min(w, TEXT_MIN) for w, s in zip(widths, short, strict=True))
    needed += 3 * len(columns) + 1  # borders and padding
    if needed > width and len(columns) > 1:
        return _records(columns, rows, title=title)
    # ratios share out the width only in a table that fills it (on a terminal)
    fill = width < UNBOUNDED and not all(short)
    table = Table(title=title, header_style="bold", title_justify="left", expand=fill)
    for i, (name, w, is_short) in enumerate(zip(columns, widths, short, strict=True)):
        if is_short:
            table.add_column(
                name, no_wrap=True, min_width=w, justify="right" if _numeric(rows, i) else "left"
            )
        else:
            # text shares what is left in proportion to its length: headlines over notes
            table.add_column(
                name, overflow="fold", min_width=min(w, TEXT_MIN), ratio=w if fill else None
            )
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    return table


def _records(columns: list[str], rows: list[Row], *, title: str | None) -> RenderableType:
    """``column  value`` lines per row (like psql's expanded display)."""
    parts: list[RenderableType] = [Text(title, style="bold")] if title else []
    label = max(len(c) for c in columns)
    for number, row in enumerate(rows, start=1):
        parts.append(Text(f"-[ row {number} ]" + "-" * max(label - 4, 4), style="dim"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, min_width=label, style="bold")
        grid.add_column(overflow="fold")
        for name, value in zip(columns, row, strict=True):
            grid.add_row(Text(name), _cell(value))
        parts.append(grid)
    return Group(*parts)


def csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | float | dt.date | dt.time | list | dict | tuple):
        return shown(value)
    return value


def to_csv(columns: list[str], rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return buffer.getvalue()


def json_value(value: Any) -> Any:
    """A value JSON can hold: ``null`` for NaN and infinities, ISO text for dates and times."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return json_value(float(value)) if value.is_finite() else None
    if isinstance(value, dt.date | dt.time):
        return shown(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def to_json(columns: list[str], rows: list[Row]) -> str:
    records = [{c: json_value(v) for c, v in zip(columns, r, strict=True)} for r in rows]
    return json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False)


def print_rows(console: Console, columns: list[str], rows: list[Row], fmt: str,
               *, title: str | None = None) -> None:  # fmt: skip
    if fmt == "csv":
        console.file.write(to_csv(columns, rows))
    elif fmt == "json":
        console.file.write(to_json(columns, rows) + "\n")
    else:
        console.print(render_table(columns, rows, title=title, width=console.width))
