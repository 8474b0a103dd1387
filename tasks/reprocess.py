"""Reprocess: re-extract every stored document of a series from the raw archive.

No network: the raw archive keeps every fetched file by sha256. Each document version is
rewritten in place (same document id and version, new load id) in its own transaction, so a
new extractor or profile fixes history without new versions appearing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from reportwatch.models import FetchedFile
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.archive import RawArchive
from tasks.load import load_one, publish_snapshot
from tasks.read import read_document
from warehouse import open_writer
from warehouse.documents import stored_documents


@dataclass
class ReprocessResult:
    reprocessed: int = 0
    changed: int = 0
    quarantined: int = 0
    missing: int = 0


def reprocess_series(
    config: SeriesConfig,
    settings: Settings,
    *,
    run_id: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ReprocessResult:
    """Re-read every stored version; ``progress(done, total, symbol)`` before each one."""
    archive = RawArchive(settings.raw_dir)
    with open_writer(settings.warehouse_path) as con:
        docs = stored_documents(con, config.id)
    result = ReprocessResult()
    for done, doc in enumerate(docs, start=1):
        if progress is not None:
            progress(done, len(docs), doc["symbol"])
        if not archive.has(doc["sha256"]):
            result.missing += 1
            continue
        outcome = read_document(
            archive.path(doc["sha256"]), series=config.id, profile=config.profile,
            sha256=doc["sha256"], max_pages=settings.max_pages, max_bytes=settings.max_bytes,
        )  # fmt: skip
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
        if loaded.status == "quarantined" or (outcome.reason or outcome.rejected):
            result.quarantined += 1
        if (outcome.reason or None) != (doc["reason"] or None):
            result.changed += 1
    if result.reprocessed:
        publish_snapshot(settings)
    return result
