"""Load: one DuckDB transaction per document, then publish the analysts' snapshot.

The write connection is held only for the unit of work (DESIGN.md: the loader never blocks
analysts, who read the snapshot). What is loaded comes from the warehouse, not from this run's
memory: every candidate of the series at stage ``fetched`` (:func:`pending_loads`), whichever
run downloaded it. A file the reader found damaged goes back to be downloaded again
(``warehouse.progress.record_damaged``); a load and its stage mark are one transaction.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from prefect import task
from prefect.concurrency.sync import concurrency

from reportwatch import progress
from reportwatch.errors import LeaseLostError, ReportwatchError
from reportwatch.models import DocumentText, FetchedFile, Report
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.fetch.archive import RawArchive
from tasks.read.task import ReadOutcome
from tasks.retry import retry_transient
from warehouse import open_writer
from warehouse.connection import transaction
from warehouse.documents import LoadResult, load_document
from warehouse.progress import record_damaged, record_rejected, refetch, to_read
from warehouse.rejections import remember as remember_rejection
from warehouse.runs import mark_candidate
from warehouse.snapshot import Lag, lag, publish

WAREHOUSE_LIMIT = "reportwatch-warehouse"


class _LoadSummary(Protocol):
    run_id: str
    failed: int
    loaded: int
    quarantined: int
    unchanged: int
    rejected: int
    failures: list[dict[str, Any]]
    loaded_documents: list[dict[str, Any]]


def load_one(
    settings: Settings,
    fetched: FetchedFile,
    text: DocumentText | None,
    report: Report | None,
    *,
    reason: str | None = None,
    run_id: str | None = None,
    normalizer: str | None = None,
    replace: bool = False,
) -> LoadResult:
    with open_writer(settings.warehouse_path) as con:
        return load_document(
            con,
            fetched=fetched,
            text=text,
            report=report,
            reason=reason,
            run_id=run_id,
            normalizer=normalizer,
            replace=replace,
        )


def publish_snapshot(settings: Settings) -> str | None:
    """Publish the read-only snapshot analysts query (atomic rename)."""
    return publish(settings.warehouse_path, settings.snapshot_path)


def snapshot_lag(settings: Settings) -> Lag:
    """The snapshot's load id and the warehouse's last load (they differ: it lags)."""
    with open_writer(settings.warehouse_path) as con:
        return lag(con, settings.snapshot_path)


def publish_if_behind(settings: Settings, *, changed: bool = False) -> str | None:
    """Publish when the snapshot lags the warehouse's last load (or ``changed``: this run
    changed rows no load stamps, such as deliveries); returns the load id published, or None
    when the snapshot was already current. Raises :class:`WarehouseError` when publishing fails.
    """
    if changed or snapshot_lag(settings).behind:
        return publish_snapshot(settings)
    return None


def pending_loads(settings: Settings, series: str) -> list[FetchedFile]:
    """Every downloaded file of ``series`` not loaded yet, read back from the raw archive.

    A candidate whose bytes have gone from the archive goes back to be downloaded again.
    """
    archive = RawArchive(settings.raw_dir)
    with open_writer(settings.warehouse_path) as con:
        rows = to_read(con, series)
        files: list[FetchedFile] = []
        for row in rows:
            sha = str(row["sha256"] or "")
            if not sha or not archive.has(sha):
                missing = f"its download {sha[:12] or '(none)'} is not in {archive.root}"
                refetch(con, series=series, symbol=row["symbol"], reason=missing)
                continue
            files.append(_archived_file(series, row, archive.path(sha)))
    return files


def _archived_file(series: str, row: dict[str, Any], path: Path) -> FetchedFile:
    """The :class:`FetchedFile` a candidate at stage ``fetched`` recorded."""
    fetched_at = row["fetched_at"] or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return FetchedFile(
        series=series, symbol=row["symbol"], source=row["fetched_source"] or "archive",
        url=row["fetched_url"] or "", sha256=row["sha256"], path=str(path),
        size=int(row["size_bytes"] or path.stat().st_size), content_type="application/pdf",
        etag=row["etag"], last_modified=row["last_modified"],
        fetched_at=fetched_at.replace(tzinfo=dt.UTC), title=row["title"],
    )  # fmt: skip


@task(
    name="load",
    task_run_name="load-{fetched.symbol}",
    retries=3,
    retry_delay_seconds=[1, 3, 10],
    retry_condition_fn=retry_transient,
)
def load_task(
    settings: Settings,
    fetched: FetchedFile,
    text: DocumentText | None,
    report: Report | None,
    reason: str | None = None,
    run_id: str | None = None,
    normalizer: str | None = None,
    replace: bool = False,
) -> LoadResult:
    return load_one(
        settings, fetched, text, report, reason=reason, run_id=run_id,
        normalizer=normalizer, replace=replace,
    )  # fmt: skip


def load_all(
    settings: Settings,
    config: SeriesConfig,
    files: list[FetchedFile],
    outcomes: list[ReadOutcome],
    summary: _LoadSummary,
) -> list[str]:
    """Load each read document in its own transaction; returns the new document ids.

    Writes are serialized across runs by the ``reportwatch-warehouse`` concurrency limit when
    a Prefect server has it (see docs/scaling.md); in-process they are sequential anyway.
    """
    new_docs: list[str] = []
    if not files:
        return new_docs
    with warehouse_slot():
        _load_each(settings, files, outcomes, summary, new_docs)
    return new_docs


def warehouse_slot() -> AbstractContextManager[None]:
    """Serialize warehouse writes across flow runs and machines.

    Uses the Prefect global concurrency limit ``reportwatch-warehouse`` when the server has one
    (``prefect gcl create reportwatch-warehouse --limit 1``); without it, writers still wait
    for each other on DuckDB's file lock (``warehouse.connect_writer``).
    """
    return concurrency(WAREHOUSE_LIMIT, occupy=1, strict=False)


def _load_each(
    settings: Settings,
    files: list[FetchedFile],
    outcomes: list[ReadOutcome],
    summary: _LoadSummary,
    new_docs: list[str],
) -> None:
    pairs = zip(files, outcomes, strict=True)
    for fetched, outcome in progress.track("load", pairs, label=lambda pair: pair[0].symbol):
        if outcome.rejected:
            summary.rejected += 1
            reject_candidate(settings, fetched, outcome.rejected)
            continue
        if outcome.damaged:
            local = fetched.url.startswith("file:")  # the drop folder: the same bytes again
            with open_writer(settings.warehouse_path) as con:
                status = record_damaged(con, series=fetched.series, symbol=fetched.symbol,
                                        reason=outcome.reason or "damaged", local=local)  # fmt: skip
            if local:
                then = "set aside in failed/: put the PDF itself in the drop folder"
            elif status == "damaged":
                then = "gave up: add --force to try again"
            else:
                then = "re-fetched next run"
            summary.failed += 1
            summary.failures.append(
                {"symbol": fetched.symbol, "reason": f"{outcome.reason} ({then})"}
            )
            continue
        try:
            result = load_task(
                settings, fetched, outcome.text, outcome.report, reason=outcome.reason,
                run_id=summary.run_id, normalizer=outcome.normalizer,
            )  # fmt: skip
        except LeaseLostError:
            raise  # another run took the series over: it loads what is left
        except Exception as exc:  # this document only: recorded, retried on the next run
            reason = (
                f"load failed: {exc.one_line() if isinstance(exc, ReportwatchError) else repr(exc)}"
            )
            summary.failed += 1
            summary.failures.append({"symbol": fetched.symbol, "reason": reason})
            _record_failure(settings, fetched, reason)
            continue
        if result.status == "unchanged":
            summary.unchanged += 1
            continue
        new_docs.append(result.document_id)
        if result.status == "quarantined":
            summary.quarantined += 1
            summary.failures.append({"symbol": fetched.symbol, "reason": outcome.reason})
        else:
            summary.loaded += 1
        summary.loaded_documents.append(
            {"document_id": result.document_id, "symbol": fetched.symbol,
             "status": result.status, "version": result.version, "load_id": result.load_id}
        )  # fmt: skip


def _record_failure(settings: Settings, fetched: FetchedFile, reason: str) -> None:
    try:
        with open_writer(settings.warehouse_path) as con:
            mark_candidate(con, series=fetched.series, symbol=fetched.symbol, status="failed",
                           reason=reason)  # fmt: skip
    except ReportwatchError:
        pass  # the warehouse itself is unavailable; the candidate stays queued as it was


def reject_candidate(settings: Settings, fetched: FetchedFile, reason: str) -> None:
    """Not a document of this series: marked, and remembered so re-harvests skip it."""
    with open_writer(settings.warehouse_path) as con, transaction(con):
        record_rejected(con, series=fetched.series, symbol=fetched.symbol, reason=reason)
        remember_rejection(con, series=fetched.series, symbol=fetched.symbol, reason=reason)
