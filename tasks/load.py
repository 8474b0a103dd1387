"""Load: one DuckDB transaction per document, then publish the analysts' snapshot.

The write connection is held only for the unit of work (DESIGN.md: the loader never blocks
analysts, who read the snapshot).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from prefect import task
from prefect.concurrency.sync import concurrency

from reportwatch import progress
from reportwatch.errors import ReportwatchError
from reportwatch.models import DocumentText, FetchedFile, Report
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.read.task import ReadOutcome
from tasks.retry import retry_transient
from warehouse import open_writer
from warehouse.documents import LoadResult, load_document
from warehouse.runs import mark_candidate
from warehouse.snapshot import publish

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
        try:
            result = load_task(
                settings, fetched, outcome.text, outcome.report, reason=outcome.reason,
                run_id=summary.run_id, normalizer=outcome.normalizer,
            )  # fmt: skip
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
    with open_writer(settings.warehouse_path) as con:
        mark_candidate(con, series=fetched.series, symbol=fetched.symbol, status="rejected",
                       reason=reason)  # fmt: skip
