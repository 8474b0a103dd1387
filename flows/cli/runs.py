"""``reportwatch run``, ``backfill``, ``reprocess`` and ``add``: the commands that change the data.

``run`` and ``backfill`` are ingestion flows: they may create the warehouse (a first run). Every
other command refuses a data folder without one (:func:`flows.cli.readers.require_warehouse`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Annotated, Any

import typer
from rich.text import Text

from flows.cli.errors import fail
from flows.cli.flowrun import prefect_environment, run_flow
from flows.cli.output import make_console
from flows.cli.params import DataDirOpt, SeriesOpt, date_option, settings_for
from flows.cli.readers import require_warehouse
from reportwatch.errors import LeaseHeldError
from reportwatch.series import load_series
from reportwatch.settings import Settings
from tasks.discover.registry import check_source_kinds

console = make_console()
DATA_DIR_HINT = "REPORTWATCH_DATA_DIR or --data-dir names the data folder"


def writable_data_dir(settings: Settings) -> None:
    """Refuse, before anything starts, a data folder that cannot be created or written."""
    folder = settings.data_dir.absolute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create the data folder {folder}: {exc.strerror or exc}", DATA_DIR_HINT)
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"the data folder {folder} is not writable", DATA_DIR_HINT)


# One alert goes to every channel of its severity: the count is of deliveries, not of alerts
# ("alerts delivered 27" beside "alerts raised 9" read as if alerts were missing).
LABELS = {"alerts_delivered": "channel deliveries"}


def print_run_result(result: dict[str, Any]) -> None:
    """The run's counts and problems; exits 3 when the run completed degraded."""
    from flows.summary import DEGRADED, EXIT_DEGRADED

    counts = ", ".join(
        f"{LABELS.get(k, k.replace('_', ' '))} {result[k]}"
        for k in ("discovered", "fetched", "unchanged", "loaded", "quarantined", "rejected",
                  "failed", "alerts_raised", "alerts_delivered")
    )  # fmt: skip
    console.print(Text.assemble((str(result["series"]), "bold"), f": {result['status']}: {counts}"))
    failures = result.get("failures") or []
    for failure in failures:
        console.print(
            Text.assemble("  ", (str(failure["symbol"]), "yellow"), f": {failure['reason']}")
        )
    if failures:
        console.print("  see `reportwatch status`; failed items are retried on the next run")
    for kind, text in (result.get("not_configured") or {}).items():
        console.print(f"  {kind}: {text}")
    for note in result.get("notes") or []:
        console.print(f"  note: {note}")
    if result["status"] == DEGRADED:
        console.print(f"  degraded by: {'; '.join(result['degraded'])}")
        raise typer.Exit(code=EXIT_DEGRADED)


def run(
    series: SeriesOpt = "kfor",
    since: Annotated[
        dt.date | None,
        date_option(
            "--since",
            help="Discover documents catalogued from this day (default: where the last run stopped).",
        ),
    ] = None,
    as_of: Annotated[
        dt.date | None, date_option("--as-of", help="Logical date of the run (default: today).")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Run one ingestion now: discover, fetch, extract, normalize, load, alert.

    Shows one progress display per stage; Ctrl-C stops the run within seconds and records it as
    cancelled. The first run of a data folder creates its warehouse.

    Example: reportwatch run --series kfor --since 2024-01-01
    """
    prefect_environment()
    settings = settings_for(data_dir)
    check_source_kinds(load_series(series, settings.series_dir))  # fail fast, one clear line
    writable_data_dir(settings)
    from flows.ingest import ingest, raise_if_skipped
    from tasks.runlog import check_series_free

    check_series_free(settings, series)  # another live run: one line naming it, at once

    result = run_flow(
        console,
        lambda: ingest(
            series=series,
            since=since,
            as_of=as_of,
            data_dir=str(settings.data_dir),
            lease_wait=0.0,  # a person gets the one line naming the holder at once
            return_state=True,
        ),
        what=f"the {series} run",
    )
    raise_if_skipped(result)
    print_run_result(result)


def backfill(
    series: SeriesOpt = "kfor",
    date_from: Annotated[dt.date, date_option("--from", help="First catalogue day.")] = dt.date(
        2000, 1, 1
    ),
    date_to: Annotated[
        dt.date | None, date_option("--to", help="Last catalogue day (default: --from).")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Harvest a bounded window of the catalogue and load what it finds (same result twice).

    Alerts are recorded, never sent (nobody is paged with history).

    Example: reportwatch backfill --series kfor --from 2008-01-01 --to 2024-12-31
    """
    prefect_environment()
    settings = settings_for(data_dir)
    check_source_kinds(load_series(series, settings.series_dir))
    if date_to is not None and date_to < date_from:
        fail(f"--to {date_to} is before --from {date_from}", "swap them")
    writable_data_dir(settings)
    from flows.ingest import BACKFILL_LEASE_WAIT, raise_if_skipped
    from flows.maintenance import backfill as backfill_flow
    from tasks.runlog import check_series_free

    try:
        check_series_free(settings, series)
    except LeaseHeldError as exc:  # a backfill waits its turn; say so rather than sit silent
        wait = BACKFILL_LEASE_WAIT
        most = f"{wait / 3600:g} h" if wait >= 3600 else f"{wait:g} s"
        console.print(f"waiting: {exc.message}; the backfill starts when it ends "
                      f"(at most {most}; Ctrl-C stops waiting)")  # fmt: skip

    result = run_flow(
        console,
        lambda: backfill_flow(
            series=series,
            date_from=date_from,
            date_to=date_to or date_from,
            data_dir=str(settings.data_dir),
            return_state=True,
        ),
        what=f"the {series} backfill",
    )
    raise_if_skipped(result)  # still held after the wait: one line naming the holder
    print_run_result(result)


def reprocess(series: SeriesOpt = "kfor", data_dir: DataDirOpt = None) -> None:
    """Re-extract every stored document of a series from the raw archive (no network).

    Example: reportwatch reprocess --series kfor
    """
    from rich.progress import Progress

    from tasks.reprocess import reprocess_series

    settings = settings_for(data_dir)
    config = load_series(series, settings.series_dir)
    require_warehouse(settings)
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


def council_symbol(symbol: str) -> str:
    """One spelling per document: S/2021/0228 and S_2021_228 both mean S/2021/228; anything
    that is not a Security Council symbol is a one-line error."""
    from tasks.discover.selection import find_symbol

    canonical = find_symbol(symbol) if re.fullmatch(r"S[/_]\d{4}[/_]\S+", symbol) else None
    if canonical is None:
        fail(f"{symbol!r} is not a Security Council symbol", "e.g. S/2021/228")
    return canonical


def add(
    symbol: Annotated[str, typer.Argument(help="A document symbol, e.g. S/2021/228.")],
    series: SeriesOpt = "kfor",
    force: Annotated[
        bool, typer.Option("--force", help="Download it again even if it was rejected before.")
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Queue a known symbol for download from the Official Document System on the next run.

    Re-queues a symbol that failed. A document already rejected on its content (not of this
    series) is not queued again unless --force is given.

    Example: reportwatch add S/2021/228 --series kfor
    """
    from warehouse import open_writer
    from warehouse.rejections import queue_symbol_checked

    canonical = council_symbol(symbol)
    settings = settings_for(data_dir)
    load_series(series, settings.series_dir)
    with open_writer(require_warehouse(settings)) as con:
        outcome = queue_symbol_checked(con, series=series, symbol=canonical, force=force)
    console.print(f"{canonical}: {outcome} for {series}")


def forget(
    symbol: Annotated[str, typer.Argument(help="A document symbol, e.g. S/2021/999.")],
    series: SeriesOpt = "kfor",
    data_dir: DataDirOpt = None,
) -> None:
    """Stop asking for a queued symbol that was never downloaded (a mistyped `add`).

    A symbol that is not published keeps being retried and, after 14 days, makes every run
    degraded; forget drops it. A downloaded document is never removed.

    Example: reportwatch forget S/2021/999 --series kfor
    """
    from warehouse import open_writer
    from warehouse.runs import forget_symbol

    canonical = council_symbol(symbol)
    settings = settings_for(data_dir)
    load_series(series, settings.series_dir)
    with open_writer(require_warehouse(settings)) as con:
        outcome = forget_symbol(con, series=series, symbol=canonical)
    console.print(f"{canonical}: {outcome} for {series}")


def register(app: typer.Typer) -> None:
    for command in (run, backfill, reprocess, add, forget):
        app.command()(command)
