"""Reprocess: re-extract every stored document of a series from the raw archive.

No network: the raw archive keeps every fetched file by sha256. Each document version is
rewritten in place (same document id and version, new load id) in its own transaction, so a
new extractor or profile fixes history without new versions appearing.

A reprocess is a run of its series like any other: it takes the series' lease
(:mod:`tasks.runlog`), so it never interleaves with an ingest of the same series, and it has a
``runs`` row (flow ``reprocess``) that ``reportwatch status`` shows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportwatch import interrupt
from reportwatch.models import FetchedFile
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.fetch.archive import RawArchive
from tasks.load import load_one, publish_snapshot
from tasks.read.task import ReadJob, read_documents
from tasks.runlog import finish_run, start_run
from warehouse import open_writer
from warehouse.alerts import report_facts
from warehouse.documents import stored_documents


@dataclass
class ReprocessResult:
    reprocessed: int = 0
    changed: int = 0
    quarantined: int = 0
    missing: int = 0
    alerts: int = 0


@dataclass
class _ReprocessRun:
    """The ``runs`` row of a reprocess (the shape :func:`tasks.runlog.start_run` records)."""

    run_id: str
    series: str
    result: ReprocessResult
    flow: str = "reprocess"
    status: str = "running"
    error: str | None = None
    window_until: dt.date | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"loaded": self.result.reprocessed - self.result.quarantined,
                "quarantined": self.result.quarantined, "alerts_raised": self.result.alerts}  # fmt: skip


def _facts_by_document(settings: Settings, series: str) -> dict[str, tuple[Any, ...]]:
    with open_writer(settings.warehouse_path) as con:
        facts = report_facts(con, series, current_only=False)
    return {
        f["document_id"]: (
            f["status"],
            f["period_start"],
            f["period_end"],
            tuple(sorted((m, o["value"], o["approximate"]) for m, o in f["metrics"].items())),
        )
        for f in facts
    }


def reprocess_series(
    config: SeriesConfig,
    settings: Settings,
    *,
    run_id: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    today: dt.date | None = None,
) -> ReprocessResult:
    """Re-read every stored version, rewrite it in place, then alert on what changed.

    Reading fans out to worker processes for large series (PDF parsing is CPU-bound);
    ``progress(done, total, symbol)`` is called as each document is written back. Holds the
    series' lease throughout: raises :class:`~reportwatch.errors.LeaseHeldError` naming the
    holder when a live run of the series holds it. The ``runs`` row ends ``completed``,
    ``failed`` (with the error) or ``cancelled`` (Ctrl-C or SIGTERM).
    """
    run = _ReprocessRun(run_id=run_id or str(uuid.uuid4()), series=config.id,
                        result=ReprocessResult())  # fmt: skip
    lease = start_run(settings, run, None)
    try:
        _reprocess(config, settings, run, progress=progress, today=today)
        run.status = "completed"
    except KeyboardInterrupt:
        run.status, run.error = "cancelled", f"cancelled: interrupted ({interrupt.reason()})"
        raise
    except Exception as exc:
        run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        finish_run(settings, run, lease)
    return run.result


def _reprocess(
    config: SeriesConfig,
    settings: Settings,
    run: _ReprocessRun,
    *,
    progress: Callable[[int, int, str], None] | None,
    today: dt.date | None,
) -> None:
    from tasks.alerts.detect_stage import detect_new
    from tasks.alerts.notify import deliver

    run_id, result = run.run_id, run.result
    archive = RawArchive(settings.raw_dir)
    with open_writer(settings.warehouse_path) as con:
        docs = stored_documents(con, config.id)
    before = _facts_by_document(settings, config.id)
    present = [d for d in docs if archive.has(d["sha256"])]
    result.missing = len(docs) - len(present)
    outcomes = read_documents(
        [
            ReadJob(path=str(archive.path(d["sha256"])), sha256=d["sha256"], series=config.id,
                    profile=config.profile, max_pages=settings.max_pages,
                    max_bytes=settings.max_bytes, confirm_terms=list(config.confirm_terms),
                    expected_symbol=d["symbol"])
            for d in present
        ]
    )  # fmt: skip
    for done, (doc, outcome) in enumerate(zip(present, outcomes, strict=True), start=1):
        if progress is not None:
            progress(done, len(present), doc["symbol"])
        fetched = FetchedFile(
            series=config.id, symbol=doc["symbol"], source=doc["source"] or "archive",
            url=doc["source_url"] or "", sha256=doc["sha256"], path=str(archive.path(doc["sha256"])),
            size=int(doc["size_bytes"] or 0),
            fetched_at=doc["fetched_at"] or dt.datetime.now(dt.UTC), title=doc["title"],
        )  # fmt: skip
        loaded = load_one(
            settings, fetched, outcome.text, outcome.report,
            reason=outcome.reason or outcome.rejected, run_id=run_id,
            normalizer=outcome.normalizer, replace=True,
        )  # fmt: skip
        result.reprocessed += 1
        if outcome.reason or outcome.rejected or loaded.status == "quarantined":
            result.quarantined += 1
    after = _facts_by_document(settings, config.id)
    changed = [doc_id for doc_id, facts in after.items() if before.get(doc_id) != facts]
    result.changed = len(changed)
    if changed:
        day = today or dt.datetime.now(dt.UTC).date()
        alerts = detect_new(config, settings, changed, today=day, run_id=run_id)
        result.alerts = len(alerts)
        deliver(config, settings, alerts, today=day, run_id=run_id)
    if result.reprocessed:
        publish_snapshot(settings)
