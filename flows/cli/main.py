"""The ``reportwatch`` command line: a thin layer over the library.

Expected failures (a ReportwatchError) are caught once, in :func:`main`, and printed as one
line saying what is wrong and what to do; the exit code is 1. Anything else is a bug and
keeps its traceback. ``run`` and ``backfill`` exit with 0 only when the run completed and
nothing degraded it, and with 3 (``flows.summary.EXIT_DEGRADED``) when it completed degraded.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from flows.cli.output import print_rows
from flows.cli.readers import live_or_snapshot, snapshot_or_warehouse
from reportwatch.errors import ReportwatchError
from reportwatch.series import load_series
from reportwatch.settings import load_settings


class _OneLineErrors(TyperGroup):
    """Catches expected errors once, at the edge: one line on stderr, exit code 1."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context type is private
        try:
            return super().invoke(ctx)
        except ReportwatchError as exc:
            typer.echo(f"error: {exc.one_line()}", err=True)
            raise typer.Exit(code=1) from None


app = typer.Typer(
    cls=_OneLineErrors,
    help="reportwatch: periodic official reports turned into trustworthy data and timely alerts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)

SeriesOpt = Annotated[str, typer.Option("--series", "-s", help="Series id (a file in series/).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="REPORTWATCH_DATA_DIR", help="Data folder (default ./data)."),
]


def _settings(data_dir: Path | None = None):  # type: ignore[no-untyped-def]
    return load_settings(**({"data_dir": data_dir} if data_dir else {}))


def _prefect_env() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # two ephemeral servers starting at once on a busy 2-core machine can take over 20 s
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@app.command()
def run(
    series: SeriesOpt = "kfor",
    since: Annotated[
        dt.datetime | None,
        typer.Option(
            help="Discover documents catalogued from this date (default: where the last run stopped).",
            formats=["%Y-%m-%d"],
        ),
    ] = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--as-of", help="Logical date of the run (default: today).", formats=["%Y-%m-%d"]
        ),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Run one ingestion now: discover, fetch, extract, normalize, load, alert.

    Example: reportwatch run --series kfor --since 2024-01-01
    """
    _prefect_env()
    settings = _settings(data_dir)
    load_series(series, settings.series_dir)  # fail fast with a clear message
    from flows.api_server import prefect_api
    from flows.ingest import ingest, raise_if_skipped
    from tasks.runlog import check_series_free

    check_series_free(settings, series)  # another live run: one line naming it, at once
    with prefect_api():
        result = ingest(
            series=series,
            since=since.date() if since else None,
            as_of=as_of.date() if as_of else None,
            data_dir=str(settings.data_dir),
        )
    raise_if_skipped(result)
    _print_run_result(result)


def _print_run_result(result: dict[str, Any]) -> None:
    """The run's counts and problems; exits 3 when the run completed degraded."""
    from rich.markup import escape

    from flows.summary import DEGRADED, EXIT_DEGRADED

    counts = ", ".join(
        f"{k.replace('_', ' ')} {result[k]}"
        for k in ("discovered", "fetched", "unchanged", "loaded", "quarantined", "rejected",
                  "failed", "alerts_raised", "alerts_delivered")
    )  # fmt: skip
    console.print(f"[bold]{result['series']}[/]: {result['status']}: {counts}")
    failures = result.get("failures") or []
    for failure in failures:  # type: ignore[attr-defined]
        console.print(f"  [yellow]{failure['symbol']}[/]: {failure['reason']}")
    if failures:
        console.print("  see `reportwatch status`; failed items are retried on the next run")
    for kind, text in (result.get("not_configured") or {}).items():
        console.print(f"  {kind}: {escape(text)}")
    if result["status"] == DEGRADED:
        console.print(f"  degraded by: {escape('; '.join(result['degraded']))}")
        raise typer.Exit(code=EXIT_DEGRADED)


@app.command()
def backfill(
    series: SeriesOpt = "kfor",
    date_from: Annotated[
        dt.datetime, typer.Option("--from", help="First catalogue day.", formats=["%Y-%m-%d"])
    ] = dt.datetime(2000, 1, 1),
    date_to: Annotated[
        dt.datetime | None,
        typer.Option("--to", help="Last catalogue day (default: --from).", formats=["%Y-%m-%d"]),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Harvest a bounded window of the catalogue and load what it finds (same result twice).

    Example: reportwatch backfill --series kfor --from 2008-01-01 --to 2024-12-31
    """
    _prefect_env()
    settings = _settings(data_dir)
    load_series(series, settings.series_dir)
    if date_to is not None and date_to < date_from:
        raise ReportwatchError("--to is before --from", hint="swap them")
    from flows.api_server import prefect_api
    from flows.maintenance import backfill as backfill_flow

    with prefect_api():
        result = backfill_flow(
            series=series,
            date_from=date_from.date(),
            date_to=(date_to or date_from).date(),
            data_dir=str(settings.data_dir),
        )
    _print_run_result(result)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="A PDF file.", exists=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract.")] = False,
    series: SeriesOpt = "kfor",
) -> None:
    """Extract and normalize one PDF (no network, no warehouse).

    Says whether the document is one of the series (its confirm terms) and whether a run
    would quarantine it, with the reason.

    Example: reportwatch extract S_2020_350.pdf --json
    """
    from tasks.read.extract import extract_pdf
    from tasks.read.normalize import normalize
    from tasks.read.task import series_mismatch

    settings = _settings()
    if not file.is_file():
        raise ReportwatchError(f"no file at {file}", hint="give the path of a PDF")
    config = load_series(series, settings.series_dir)
    text = extract_pdf(file, max_pages=settings.max_pages, max_bytes=settings.max_bytes)
    report = normalize(text, series=config.id, profile=config.profile)
    mismatch = series_mismatch(text, config.confirm_terms)
    report.series_match = mismatch is None
    if mismatch:
        report.warnings.insert(
            0,
            f"not a {config.id} document ({mismatch}): a run would reject it, and any "
            f"{config.id} facts below were read from sentences about something else",
        )
    if as_json:
        sys.stdout.write(json.dumps(report.to_contract(), ensure_ascii=False, indent=2) + "\n")
        return
    if mismatch:
        console.print(f"[bold red]not a {config.id} document[/]: {mismatch}")
    elif report.quarantine_reason:
        console.print(f"[bold red]would be quarantined[/]: {report.quarantine_reason}")
    contract = report.to_contract()
    for key, value in contract.items():
        if key in ("paragraphs", "evidence"):
            continue
        console.print(f"[bold]{key}[/]: {value}")
    footnotes = sum(1 for p in report.paragraphs if p.kind == "footnote")
    console.print(
        f"[bold]paragraphs[/]: {len(report.paragraphs) - footnotes}"
        + (f" (and {footnotes} footnotes)" if footnotes else "")
    )


@app.command()
def sql(
    statement: Annotated[str, typer.Argument(help="One SQL statement (read-only).")],
    fmt: FormatOpt = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Query the analysts' snapshot of the warehouse (read-only).

    Example: reportwatch sql "SELECT * FROM troop_levels" --format csv
    """
    from warehouse import open_reader
    from warehouse.queries import query

    settings = _settings(data_dir)
    if fmt not in ("table", "csv", "json"):
        raise ReportwatchError(f"unknown format {fmt!r}", hint="use table, csv or json")
    with open_reader(snapshot_or_warehouse(settings)) as con:
        columns, rows = query(con, statement)
    if out is not None:
        with out.open("w", encoding="utf-8") as handle:
            print_rows(Console(file=handle, width=200), columns, rows, fmt)
        console.print(f"wrote {len(rows)} rows to {out}")
        return
    print_rows(console, columns, rows, fmt)


CHANNEL_GAPS = "Channels not configured"


@app.command()
def status(data_dir: DataDirOpt = None) -> None:
    """Last runs with their counts, latest report per series, problems, undelivered alerts.

    Example: reportwatch status
    """
    from warehouse import queries as q
    from warehouse.health import status_lines, truthful
    from warehouse.snapshot import snapshot_info

    settings = _settings(data_dir)
    with live_or_snapshot(settings) as (con, source):
        sections = [
            ("Last runs", truthful(con, q.recent_runs(con))),
            ("Latest report per series", q.latest_per_series(con)),
            ("Quarantined or failed documents", q.problems(con)),
            ("Alerts not yet delivered", q.undelivered(con)),
        ]
        notes = status_lines(con, settings.snapshot_path, live=source == "warehouse")
    from tasks.alerts.channels import series_channel_gaps

    gaps = series_channel_gaps(settings)  # their alerts stay pending until the setting is made
    sections.append((CHANNEL_GAPS, (["series", "channel", "state"], gaps)))
    for title, (columns, rows) in sections:
        if rows:
            print_rows(console, columns, rows, "table", title=title)
        else:
            console.print(f"[bold]{title}[/]: none")
    for note in notes:
        console.print(note)
    if source == "snapshot":
        console.print("(a run holds the warehouse: showing the analysts' snapshot)")
    info = snapshot_info(settings.snapshot_path)
    if info:
        console.print(
            f"snapshot reflects load {info['load_id']} (published {info['published_at']})"
        )


@app.command()
def reprocess(series: SeriesOpt = "kfor", data_dir: DataDirOpt = None) -> None:
    """Re-extract every stored document of a series from the raw archive (no network).

    Example: reportwatch reprocess --series kfor
    """
    from rich.progress import Progress

    from tasks.reprocess import reprocess_series

    settings = _settings(data_dir)
    config = load_series(series, settings.series_dir)
    with Progress(console=console, transient=True) as bar:
        job = bar.add_task("reprocessing", total=None)

        def advance(done: int, total: int, symbol: str) -> None:
            bar.update(job, completed=done, total=total, description=f"reprocessing {symbol}")

        result = reprocess_series(config, settings, progress=advance)
    console.print(
        f"{series}: reprocessed {result.reprocessed} documents "
        f"({result.changed} changed, {result.quarantined} quarantined, {result.missing} missing from the archive; "
        f"{result.alerts} alerts raised)"
    )


@app.command()
def add(
    symbol: Annotated[str, typer.Argument(help="A document symbol, e.g. S/2021/228.")],
    series: SeriesOpt = "kfor",
    data_dir: DataDirOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Download it again whatever its state: rejected on its content, damaged, loaded.",
        ),
    ] = False,
) -> None:
    """Queue a known symbol for download from the Official Document System on the next run.

    A document already rejected on its content (not of this series) is not queued again
    unless --force is given.

    Example: reportwatch add S/2021/228 --series kfor
    """
    import re

    from tasks.discover.selection import find_symbol
    from warehouse import open_writer
    from warehouse.rejections import queue_symbol_checked

    # one spelling per document: S/2021/0228 and S_2021_228 both mean S/2021/228
    canonical = find_symbol(symbol) if re.fullmatch(r"S[/_]\d{4}[/_]\S+", symbol) else None
    if canonical is None:
        raise ReportwatchError(
            f"{symbol!r} is not a Security Council symbol", hint="e.g. S/2021/228"
        )
    symbol = canonical
    settings = _settings(data_dir)
    load_series(series, settings.series_dir)
    with open_writer(settings.warehouse_path) as con:
        outcome = queue_symbol_checked(con, series=series, symbol=symbol, force=force)
    console.print(f"{symbol}: {outcome} for {series}")


@app.command()
def demo(
    data_dir: DataDirOpt = None,
    port: Annotated[int, typer.Option(help="Port of the loopback mirror (0: any free port).")] = 0,
) -> None:
    """Serve the bundled sample archive on loopback and ingest it end to end.

    Example: reportwatch demo
    """
    _prefect_env()
    from flows.cli.demo import run_demo

    run_demo(console, data_dir=data_dir, port=port)


def _register_subcommands() -> None:
    from flows.cli.alerts import alerts_app
    from flows.cli.analyst import register as register_analyst
    from flows.cli.sources import sources_app

    app.add_typer(alerts_app, name="alerts")
    app.add_typer(sources_app, name="sources")
    register_analyst(app)


_register_subcommands()


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
