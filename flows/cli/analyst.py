"""Analyst commands: ``sql``, ``export``, ``chart``, ``report``.

They read the analysts' snapshot (``data/snapshot.duckdb``), never the warehouse a flow may be
writing, so they work while a run loads; before the first snapshot exists they fall back to the
warehouse. ``sql`` runs in a sandbox (:mod:`warehouse.sandbox`): the data and nothing else of the
machine. An output path that cannot be written is refused before any work, in one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.text import Text

from flows.cli.errors import fail, os_error_line, writable
from flows.cli.output import make_console, print_rows
from flows.cli.params import AnySeriesOpt, DataDirOpt, FormatOpt, SeriesOpt, settings_for
from flows.cli.readers import snapshot_or_warehouse
from reportwatch.series import list_series, load_series

if TYPE_CHECKING:
    from warehouse.connection import Connection

console = make_console()
CHARTS = ("troops",)


@contextmanager
def _open_snapshot(data_dir: Path | None) -> Iterator[Connection]:
    """The snapshot (else the warehouse), read-only, refused if older than the code."""
    from warehouse import open_reader
    from warehouse.queries import require_current_schema

    with open_reader(snapshot_or_warehouse(settings_for(data_dir))) as con:
        require_current_schema(con)
        yield con


def check_series(con: Connection, series: str | None, data_dir: Path | None) -> None:
    """Refuse a series that is neither configured nor in the data, naming the known ones."""
    if series is None:
        return
    from warehouse.queries import series_present

    configured = {c.id for c in list_series(settings_for(data_dir).series_dir)}
    known = configured | set(series_present(con))
    if series not in known:
        fail(f"no series {series!r}", f"known series: {', '.join(sorted(known)) or 'none'}")


def sql(
    statement: Annotated[str, typer.Argument(help="One SQL statement (read-only).")],
    fmt: FormatOpt = "table",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write to this file.")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Query the analysts' snapshot of the warehouse: read-only, and nothing but the data.

    Files, the network, ATTACH, extensions and settings are refused; to take data elsewhere use
    `reportwatch export`. `reportwatch sql "SHOW TABLES"` lists the tables and views.

    Example: reportwatch sql "SELECT * FROM troop_levels" --format csv
    """
    from warehouse.sandbox import open_sandbox, require_statement, run_statement

    require_statement(statement)
    if out is not None:
        writable(out)
    path = snapshot_or_warehouse(settings_for(data_dir))
    with open_sandbox(path) as con:
        columns, rows = run_statement(con, statement)
    if not columns:
        console.print("done (the statement returns no rows)")
        return
    if out is not None:
        try:
            with out.open("w", encoding="utf-8", newline="") as handle:
                print_rows(make_console(handle), columns, rows, fmt)
        except OSError as exc:
            fail(f"cannot write {out}: {os_error_line(exc)}", "choose another --out")
        console.print(f"wrote {len(rows)} rows to {out}")
        return
    print_rows(console, columns, rows, fmt)
    if fmt == "table":
        console.print(Text(f"({len(rows)} row{'' if len(rows) == 1 else 's'})", style="dim"))


def export(
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Folder to write the files to.")
    ],
    fmt: Annotated[
        Literal["parquet", "csv"], typer.Option("--format", "-f", help="parquet or csv.")
    ] = "parquet",
    series: AnySeriesOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write every table and view of the snapshot to files, with a manifest.json.

    The manifest lists each file's table or view, row count, columns and types and SHA-256,
    and the load the snapshot reflects.

    Example: reportwatch export --format parquet --out exports/kfor --series kfor
    """
    from warehouse.export import export_all

    if out.exists() and not out.is_dir():
        fail(f"{out} is a file", "give a folder for --out")
    with _open_snapshot(data_dir) as con:
        check_series(con, series, data_dir)
        try:
            manifest = export_all(con, out, fmt=fmt, series=series)
        except OSError as exc:
            fail(f"cannot write the export to {out}: {os_error_line(exc)}", "choose another --out")
    rows = sum(r.rows for r in manifest.relations)
    console.print(
        f"wrote {len(manifest.relations)} files ({rows:,} rows, {fmt}) and manifest.json to {out}"
        f" (snapshot load {manifest.load_id})"
    )


def chart(
    what: Annotated[
        str, typer.Argument(help="What to draw: troops (KFOR), or a metric of the series.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="PNG file to write [default: WHAT.png]."),
    ] = None,
    series: SeriesOpt = "kfor",
    data_dir: DataDirOpt = None,
) -> None:
    """Draw a chart as a PNG: a figure over time, approximate figures hollow and alerts marked.

    `troops` is KFOR's troop level with its incident alerts; any metric the series' profile
    names (e.g. military_strength for minurso) draws that metric.
    Needs matplotlib: pip install 'reportwatch[charts]'.

    Example: reportwatch chart troops --series kfor --out troops.png
    """
    from tasks.outputs.charts import write_metric_chart, write_troop_chart
    from tasks.outputs.report_html import metric_label

    metrics: dict[str, Any] = (
        load_series(series, settings_for(data_dir).series_dir).profile.get("metrics") or {}
    )
    if what not in CHARTS and what not in metrics:
        fail(f"no chart called {what!r} for {series}", f"charts: {', '.join([*CHARTS, *metrics])}")
    out = out or Path(f"{what}.png")
    writable(out, create=True)
    with _open_snapshot(data_dir) as con:
        if what in CHARTS:
            path = write_troop_chart(con, series, out)
        else:
            label = (metrics[what] or {}).get("label") or metric_label(what)
            path = write_metric_chart(con, series, what, str(label), out)
    console.print(f"wrote {path}")


def report(
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="FILE", help="HTML file to write.")
    ] = Path("report.html"),
    series: Annotated[
        list[str] | None,
        typer.Option("--series", "-s", help="A series to include (repeatable; default: all)."),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write one self-contained HTML page: latest figures, changes, alerts and the chart.

    The page loads nothing from elsewhere, so it can be mailed or archived as one file.

    Example: reportwatch report --out report.html
    """
    from tasks.outputs.report_html import write_report_html

    writable(out, create=True)
    with _open_snapshot(data_dir) as con:
        path = write_report_html(con, out, series=series or None)
    console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add the analyst commands to the main app."""
    for command in (sql, export, chart, report):
        app.command()(command)
