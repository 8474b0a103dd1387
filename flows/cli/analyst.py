"""Analyst commands: ``export``, ``chart``, ``report``.

They read the analysts' snapshot (``data/snapshot.duckdb``), never the warehouse a flow may be
writing, so they work while a run loads; before the first snapshot exists they fall back to the
warehouse. Errors are ReportwatchErrors, printed as one line by the app in :mod:`flows.cli.main`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from reportwatch.errors import ReportwatchError
from reportwatch.settings import Settings, load_settings

if TYPE_CHECKING:
    from warehouse.connection import Connection

console = Console(highlight=False, soft_wrap=True)

# defined here rather than imported from flows.cli.main, which imports this module while loading
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="REPORTWATCH_DATA_DIR", help="Data folder (default ./data)."),
]
CHARTS = ("troops",)


def _reader_path(settings: Settings) -> Path:
    for path in (settings.snapshot_path, settings.warehouse_path):
        if path.exists():
            return path
    raise ReportwatchError(
        f"no warehouse in {settings.data_dir}",
        hint="run `reportwatch demo` or `reportwatch run --series kfor` first",
    )


def _settings(data_dir: Path | None) -> Settings:
    return load_settings(**({"data_dir": data_dir} if data_dir else {}))


@contextmanager
def _open_snapshot(data_dir: Path | None) -> Iterator[Connection]:
    """The snapshot (else the warehouse), read-only, refused if older than the code."""
    from warehouse import open_reader
    from warehouse.queries import require_current_schema

    with open_reader(_reader_path(_settings(data_dir))) as con:
        require_current_schema(con)
        yield con


def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the files to.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet or csv.")] = "parquet",
    series: Annotated[
        str | None, typer.Option("--series", "-s", help="Only this series (default: all).")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write every table and view of the snapshot to files, with a manifest.json.

    The manifest lists each file's table or view, row count, columns and types and SHA-256,
    and the load the snapshot reflects.

    Example: reportwatch export --format parquet --out exports/kfor --series kfor
    """
    from warehouse.export import FORMATS, export_all

    if fmt not in FORMATS:
        raise ReportwatchError(f"unknown format {fmt!r}", hint="use parquet or csv")
    with _open_snapshot(data_dir) as con:
        manifest = export_all(con, out, fmt=fmt, series=series)  # type: ignore[arg-type]
    rows = sum(r.rows for r in manifest.relations)
    console.print(
        f"wrote {len(manifest.relations)} files ({rows:,} rows, {fmt}) and manifest.json to {out}"
        f" (snapshot load {manifest.load_id})"
    )


def chart(
    what: Annotated[str, typer.Argument(help="What to draw: troops.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="PNG file to write.")] = Path(
        "troops.png"
    ),
    series: Annotated[str, typer.Option("--series", "-s", help="Series id.")] = "kfor",
    data_dir: DataDirOpt = None,
) -> None:
    """Draw a chart as a PNG: the troop level over time, approximate figures and alerts marked.

    Needs matplotlib: pip install 'reportwatch[charts]'.

    Example: reportwatch chart troops --series kfor --out troops.png
    """
    from tasks.outputs.charts import write_troop_chart

    if what not in CHARTS:
        raise ReportwatchError(f"no chart called {what!r}", hint=f"charts: {', '.join(CHARTS)}")
    with _open_snapshot(data_dir) as con:
        path = write_troop_chart(con, series, out)
    console.print(f"wrote {path}")


def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
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

    with _open_snapshot(data_dir) as con:
        path = write_report_html(con, out, series=series or None)
    console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add the analyst commands to the main app."""
    app.command()(export)
    app.command()(chart)
    app.command()(report)
