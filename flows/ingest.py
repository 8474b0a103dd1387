"""The ingestion flow: discover → fetch → read (extract + normalize) → load → detect → notify.

Flows only wire tasks: every stage is a plain function in ``tasks/`` wrapped by a thin task.
The logical date comes from the ``as_of`` parameter or the scheduled start time, never from
the wall clock, so a backfill run twice gives the same result.

Each stage takes its work from the warehouse, not from the stage before it in memory: what is
left to download, to read and load, to compare, to send, whichever run left it there (DESIGN.md,
"Durable state"). A run holds its series' lease from start to end; a second run of the series
stops at once (a backfill waits for it). The named pause points are a test hook
(:mod:`reportwatch.pausepoints`).
"""

from __future__ import annotations

import datetime as dt
import functools
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from prefect import flow, get_run_logger
from prefect.exceptions import TerminationSignal
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run as runtime_flow_run
from prefect.states import Cancelled, State
from prefect.task_runners import ThreadPoolTaskRunner

from flows.summary import (
    COMPLETED,
    DEGRADED,
    RunSummary,
    emit_events,
    publish_run_artifact,
    stage_line,
    stage_unit,
)
from reportwatch import interrupt, progress
from reportwatch.errors import LeaseHeldError, ReportwatchError
from reportwatch.pausepoints import pause_point
from reportwatch.series import SeriesConfig, load_series
from reportwatch.settings import Settings, load_settings
from tasks.alerts.detect_stage import detect_task
from tasks.alerts.notify import notify_task
from tasks.alerts.ops import failing_stage, notify_ops_on_failure, stage_of
from tasks.discover.task import discover_task
from tasks.fetch.task import fetch_task, pending_downloads
from tasks.load import load_all, pending_loads, publish_if_behind
from tasks.outputs.report_html import analyst_markdown
from tasks.read.task import ReadJob, check_profile, read_task
from tasks.runlog import RunLease, finish_run, record_snapshot_error, start_run

# A backfill window that finds its series busy waits for the lease (windows are queued in
# batches); an ingestion stops at once: the run holding the lease does the same work.
BACKFILL_LEASE_WAIT = 6 * 3600.0
# A scheduled ingestion that finds a backfill window working waits for it this long (a window
# takes minutes), then fails naming the holder.
INGEST_LEASE_WAIT = 3600.0

# What stops a run on purpose: Ctrl-C (KeyboardInterrupt) and SIGTERM, which Prefect's flow
# engine turns into TerminationSignal (`systemctl stop`, `timeout`, a worker cancelling the run).
STOPPED = (KeyboardInterrupt, TerminationSignal)


def logical_date(as_of: dt.date | None) -> dt.date:
    """The run's date: the parameter, else the scheduled start time (backfills reproduce)."""
    if as_of is not None:
        return as_of
    scheduled = runtime_flow_run.scheduled_start_time
    return scheduled.date() if scheduled is not None else dt.datetime.now(dt.UTC).date()


R = TypeVar("R")


@contextmanager
def _stage(
    summary: RunSummary, name: str, lease: RunLease, point: str, logger: Any
) -> Iterator[None]:
    """Time a stage into the summary and mark an exception with the stage it escaped from.

    The stage starts only while this run still holds its lease; ``point`` names the pause
    point before it. A stage that ends reports one line (counts and seconds): to the log,
    which is all a scheduled run shows of it, and to whoever watches the progress (the CLI).
    """
    pause_point(point)
    t0 = time.perf_counter()
    progress.start(name, unit=stage_unit(name))
    try:
        with failing_stage(name):
            lease.check()
            yield
    finally:
        summary.stage_seconds[name] = time.perf_counter() - t0
    line = stage_line(summary, name)
    progress.finish(name, line)
    logger.info(line)


def _each(
    stage: str, submitted: list[tuple[str, PrefectFuture[R]]], point: str | None = None
) -> list[R]:
    """The results of ``(label, future)`` pairs in order, counting each as it completes;
    ``point`` names a pause point passed after each result (the kill tests land there)."""
    progress.add_total(stage, len(submitted))
    for label, future in submitted:
        future.add_done_callback(functools.partial(_advanced, stage, label))
    results = []
    for _label, future in submitted:
        results.append(future.result())
        if point:
            pause_point(point)
    return results


def _advanced(stage: str, label: str, _future: object) -> None:
    progress.advance(stage, label)


def run_ingest(
    settings: Settings,
    *,
    series: str,
    since: dt.date | None,
    until: dt.date,
    run_id: str,
    flow_name: str,
    historical: bool = False,
    lease_wait: float = 0.0,
) -> RunSummary:
    """One ingestion run of one series; the body shared by every ingestion flow.

    ``historical`` (backfills): alerts are recorded but not sent, and the overdue rule, which
    depends on today's date, is skipped. A live run holding the series' lease makes this run
    end with status ``skipped``: at once, or once ``lease_wait`` seconds passed without the
    lease coming free (a backfill waits up to ``BACKFILL_LEASE_WAIT``).
    """
    logger = get_run_logger()
    config = load_series(series, settings.series_dir)
    summary = RunSummary(run_id=run_id, series=series, flow=flow_name, window_until=until)
    interrupt.clear()
    with failing_stage("start"):
        check_profile(config.profile)  # a broken profile fails the run before any download
        try:
            lease = start_run(settings, summary, since, historical=historical,
                              wait=BACKFILL_LEASE_WAIT if historical else lease_wait)  # fmt: skip
        except LeaseHeldError as exc:
            summary.status, summary.error = "skipped", exc.one_line()
            summary.failures.append({"symbol": "(lease)", "reason": exc.one_line()})
            # info, not warning: the CLI says it in its one error line; a worker's log shows it
            logger.info("%s: skipped: %s", series, exc.one_line())
            return summary
    try:
        _stages(config, settings, summary, lease, logger, since=since, until=until,
                historical=historical)  # fmt: skip
        summary.complete()  # completed, or completed-degraded with the reasons
    except Exception as exc:
        summary.status = "failed"
        summary.error = f"{stage_of(exc) or 'flow'}: {exc}"
        raise
    except STOPPED as exc:
        # worker threads stop at their next wait instead of finishing
        interrupt.request(exc.signal if isinstance(exc, TerminationSignal) else signal.SIGINT)
        summary.status = "cancelled"
        stage = next(reversed(summary.stage_seconds), "start")
        summary.error = f"{stage}: interrupted ({interrupt.reason()})"
        raise
    finally:
        _close_run(settings, summary, logger, lease)
    return summary


def _stages(
    config: SeriesConfig,
    settings: Settings,
    summary: RunSummary,
    lease: RunLease,
    logger: Any,
    *,
    since: dt.date | None,
    until: dt.date,
    historical: bool,
) -> None:
    series, run_id = config.id, summary.run_id
    with _stage(summary, "discover", lease, "discover", logger):
        discovered = discover_task(config, settings, since=since, until=until, run_id=run_id)
        summary.discovered = len(discovered.new)
        summary.rejected += discovered.rejected
        summary.rejected_at_discovery += discovered.rejected
        summary.failures += [
            {"symbol": f"({source})", "reason": f"discovery stopped: {error}"}
            for source, error in discovered.errors.items()
        ]
        summary.note_discovery(discovered)

    with _stage(summary, "fetch", lease, "fetch", logger):
        todo = pending_downloads(settings, series, run_id)
        fetched = _each("fetch", [(str(r["symbol"]), fetch_task.submit(config, settings, r, run_id))
                                  for r in todo])  # fmt: skip
        for outcome in fetched:
            if outcome.status == "fetched":
                summary.fetched += 1
            elif outcome.status in ("unchanged", "not_modified"):
                summary.unchanged += 1
            elif outcome.status == "waiting":  # not published yet: a note, not a failure
                summary.notes.append(f"{outcome.symbol}: {outcome.reason}")
            else:
                summary.failed += 1
                summary.failures.append({"symbol": outcome.symbol, "reason": outcome.reason})

    with _stage(summary, "extract", lease, "read", logger):
        to_read = pending_loads(settings, series)  # every download not loaded yet, any run's
        jobs = [
            ReadJob(path=f.path, sha256=f.sha256, series=series, profile=config.profile,
                    max_pages=settings.max_pages, max_bytes=settings.max_bytes,
                    confirm_terms=list(config.confirm_terms), expected_symbol=f.symbol)
            for f in to_read
        ]  # fmt: skip
        outcomes = _each("extract", [(str(job.expected_symbol), read_task.submit(job))
                                     for job in jobs], point="read:inside")  # fmt: skip
        summary.documents_read = len(outcomes)

    with _stage(summary, "load", lease, "load", logger):
        load_all(settings, config, to_read, outcomes, summary)

    with _stage(summary, "detect", lease, "detect", logger):
        alerts = detect_task(
            config, settings, today=until, run_id=run_id, historical=historical,
            harvest_complete=not discovered.errors,
        )  # fmt: skip
        summary.alerts_raised = len(alerts)
        summary.alerts = alerts

    with _stage(summary, "notify", lease, "notify", logger):
        # history was recorded muted by detect; whatever is pending is sent either way
        delivery = notify_task(config, settings, [] if historical else alerts,
                               today=until, run_id=run_id)  # fmt: skip
        summary.alerts_delivered = delivery.delivered
        summary.delivery_errors = {
            **delivery.errors,
            **{k: f"waiting: {v}" for k, v in delivery.waiting.items()},
        }
        summary.note_delivery(delivery)


def _publish(settings: Settings, summary: RunSummary) -> None:
    """Republish the snapshot when it lags the warehouse's last load (whoever left it behind:
    a failed or killed publish is repaired by the next run); a failure is in the summary and
    in ``runs.snapshot_error`` (``reportwatch status`` shows it)."""
    pause_point("publish")
    # rows no load stamps changed too: new candidates, rejections (and their verdicts),
    # failures, deliveries; a run that found and did nothing leaves the snapshot alone
    changed = bool(summary.discovered or summary.rejected or summary.failed or summary.loaded
                   or summary.quarantined or summary.alerts_raised or summary.alerts_delivered
                   or summary.status != COMPLETED)  # fmt: skip
    try:
        publish_if_behind(settings, changed=changed)
    except ReportwatchError as exc:
        summary.failures.append(
            {"symbol": "(snapshot)", "reason": f"not published: {exc.one_line()}"}
        )
        summary.snapshot_error = exc.one_line()
        if summary.status in (COMPLETED, DEGRADED):
            summary.complete()  # analysts read stale data: the run is degraded (exit 3)
        record_snapshot_error(settings, summary.run_id, exc.one_line())
        raise


def _close_run(settings: Settings, summary: RunSummary, logger: Any, lease: RunLease) -> None:
    """Bookkeeping after a run; best effort, so it never hides the run's own error."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("record the run", lambda: finish_run(settings, summary, lease)),
        ("publish the snapshot", lambda: _publish(settings, summary)),
        ("publish the artifact", lambda: publish_run_artifact(
            summary, analyst_markdown(settings, summary.series))),
        ("emit events", lambda: emit_events(summary)),
    ]  # fmt: skip
    for what, step in steps:
        try:
            step()
        except ReportwatchError as exc:
            logger.warning("could not %s: %s", what, exc.one_line())
            if what == "record the run":  # `status` will show it crashed: say why, exit 3
                summary.record_error = exc.one_line()
                if summary.status in (COMPLETED, DEGRADED):
                    summary.complete()
        except Exception:  # bookkeeping must never hide the run's own outcome
            logger.exception("could not %s", what)
    logger.info(summary.one_line())


def raise_if_skipped(result: dict[str, Any]) -> None:
    """A run that found its series held by a live run: raise the one line naming the owner."""
    if result.get("status") == "skipped":
        reasons = [f["reason"] for f in result.get("failures", []) if f["symbol"] == "(lease)"]
        raise LeaseHeldError(reasons[0] if reasons else f"{result.get('series')} is busy")


@flow(
    name="reportwatch-ingest",
    task_runner=ThreadPoolTaskRunner(max_workers=4),  # type: ignore[arg-type]
    on_failure=[notify_ops_on_failure],
    on_crashed=[notify_ops_on_failure],
)
def ingest(
    series: str = "kfor",
    since: dt.date | None = None,
    as_of: dt.date | None = None,
    data_dir: str | None = None,
    lease_wait: float = INGEST_LEASE_WAIT,
) -> dict[str, Any] | State[Any]:
    """Discover, fetch, extract, normalize, load and alert for one series.

    ``since`` bounds discovery to documents catalogued from that date (default: where the last
    harvest stopped); ``as_of`` is the logical date (default: the scheduled start time).
    Interrupted (Ctrl-C), the run is recorded as cancelled and ends Cancelled, not Crashed: a
    person stopped it, nothing for ops to hear about. A run that finds its series held by
    another (a backfill window) waits up to ``lease_wait`` seconds for it; still held, it fails
    naming the holder (ops hear of it), never a green run that did nothing. The CLI passes 0:
    a person gets the one line at once.
    """
    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    run_id = str(runtime_flow_run.id or uuid.uuid4())
    try:
        summary = run_ingest(
            settings, series=series, since=since, until=logical_date(as_of), run_id=run_id,
            flow_name="ingest", lease_wait=lease_wait,
        )  # fmt: skip
    except STOPPED:
        return cancelled_state()
    if lease_wait > 0:
        raise_if_skipped(summary.as_dict())
    return summary.as_dict()


def cancelled_state() -> State[Any]:
    """The final state of a run someone interrupted (its ``runs`` row says ``cancelled``)."""
    return Cancelled(message=f"interrupted ({interrupt.reason()}); recorded as cancelled")
