"""Fetch stage: bring each pending candidate into the raw archive.

A candidate is downloaded from the series' download source (the Official Document System by
symbol), falling back to the file URL discovery gave. Conditional requests use the validators
stored from the last download, only while the bytes they describe are in the raw archive; a
file this symbol already has a document of counts as unchanged (bytes archived under another
symbol do not: each symbol gets its own document). The download is recorded on its candidate
(stage ``fetched``, sha256, URL) in one transaction after the bytes are in the archive, so
the next run reads what this one fetched without the network (:mod:`warehouse.progress`).
Failures are per document: recorded on the candidate (status, reason, attempts) and retried
on the next run; the rest of the run goes on.

A drop-folder candidate (``local_path`` set) is copied from disk instead: no network. Once its
bytes are in the archive the file is moved to the drop folder's ``done/`` so the next run does
not find it again (files discovery found broken are already in ``failed/`` and stay there). When
the file has gone from where discovery saw it, the network sources are tried as for any other
candidate.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import task

from reportwatch.errors import FetchError, LeaseLostError, NotPublishedError, ReportwatchError
from reportwatch.models import FetchedFile
from reportwatch.pausepoints import pause_point
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.fetch.archive import RawArchive
from tasks.fetch.client import Fetcher
from tasks.fetch.drop import DONE, drop_folder_for, is_waiting, move_aside
from tasks.fetch.ods import download_urls
from warehouse import open_writer
from warehouse.connection import now
from warehouse.progress import record_fetched
from warehouse.runs import claim_downloads, mark_candidate, to_fetch

log = logging.getLogger(__name__)


@dataclass
class FetchOutcome:
    symbol: str
    file: FetchedFile | None = None
    needs_load: bool = False
    status: str = "failed"
    reason: str | None = None


def pending_downloads(
    settings: Settings, series: str, run_id: str | None = None
) -> list[dict[str, Any]]:
    """Candidates to download; with ``run_id``, claimed for that run (see claim_downloads).

    First, temporary files killed downloads left in the raw archive are removed.
    """
    for stale in RawArchive(settings.raw_dir).remove_stale_temporaries():
        log.info("removed %s, left by a download that was killed", stale)
    with open_writer(settings.warehouse_path) as con:
        if run_id is None:
            return to_fetch(con, series)
        return claim_downloads(con, series=series, run_id=run_id)


def fetch_candidate(
    config: SeriesConfig,
    settings: Settings,
    row: dict[str, Any],
    *,
    fetcher: Fetcher | None = None,
    run_id: str | None = None,
) -> FetchOutcome:
    """Download (or copy from the drop folder) one candidate; never raises a FetchError.

    With ``run_id`` the record is fenced: written only while that run holds the lease.
    """
    local = Path(str(row["local_path"])) if row.get("local_path") else None
    if local is not None:
        if local.is_file():
            return _copy_local(config, settings, row, local, run_id=run_id)
        log.warning("%s: %s is gone; trying the download sources", row["symbol"], local)
    symbol = str(row["symbol"])
    archive = RawArchive(settings.raw_dir)
    own = fetcher is None
    client = fetcher or Fetcher.from_settings(settings)
    last_error: FetchError | None = None
    deadline = client.deadline()  # one for the document: every URL, attempt and wait
    try:
        for source_name, url in download_urls(config, settings, symbol, row.get("file_url")):
            if last_error is not None and client.expired(deadline):
                break
            validators = _validators(row, archive)
            try:
                response = client.download_pdf(url, validators=validators, deadline=deadline)
            except FetchError as exc:
                last_error = exc
                continue
            if response.not_modified and validators is not None:
                # the archived bytes the validators describe are still the source's file
                sha = str(row["sha256"])
                file = FetchedFile(
                    series=config.id, symbol=symbol, source=source_name, url=url, sha256=sha,
                    path=str(archive.path(sha)), size=archive.path(sha).stat().st_size,
                    content_type="application/pdf", etag=row.get("etag"),
                    last_modified=row.get("last_modified"), fetched_at=dt.datetime.now(dt.UTC),
                    title=row.get("title"),
                )  # fmt: skip
                outcome = _stored(settings, config.id, file, run_id=run_id)
                if outcome.status == "unchanged":
                    outcome.status = "not_modified"
                return outcome
            fetched_at = dt.datetime.now(dt.UTC)
            sha, path, _created = archive.put(
                response.content,
                {
                    "url": url,
                    "final_url": response.final_url,
                    "headers": dict(response.headers),
                    "fetched_at": fetched_at.isoformat(),
                    "symbol": symbol,
                    "series": config.id,
                    "source": source_name,
                },
            )
            file = FetchedFile(
                series=config.id, symbol=symbol, source=source_name, url=response.final_url,
                sha256=sha, path=str(path), size=len(response.content),
                content_type=response.header("content-type"), etag=response.header("etag"),
                last_modified=response.header("last-modified"), fetched_at=fetched_at,
                title=row.get("title"),
            )  # fmt: skip
            return _stored(settings, config.id, file, run_id=run_id)
    finally:
        if own:
            client.close()
    status = "not_published" if isinstance(last_error, NotPublishedError) else "failed"
    reason = last_error.one_line() if last_error else "no download source is configured"
    if last_error is not None and last_error.status:
        reason = f"HTTP {last_error.status}: {reason}"
    if local is not None:
        reason = f"{local} is gone, and no download source had it: {reason}"
    _record(settings, config.id, symbol, status, reason)
    if status == "not_published":
        return _unpublished(symbol, reason, row.get("first_seen"))
    return FetchOutcome(symbol, status=status, reason=reason)


# A catalogue lists a document some days before the Official Document System has its file, so
# a document "not published yet" is waiting, not failing, for this long after it was first
# queued; after that it is a failure that degrades every run (a mistyped `reportwatch add`, a
# withdrawn document) until it appears or `reportwatch forget` drops it.
PUBLICATION_GRACE = dt.timedelta(days=14)


def _unpublished(symbol: str, reason: str, first_seen: dt.datetime | None) -> FetchOutcome:
    """``waiting`` within :data:`PUBLICATION_GRACE` of ``first_seen`` (naive UTC), else
    ``failed`` with what to do; the candidate stays ``not_published`` and is retried either way."""
    at = now()
    queued = first_seen or at
    waited = at - queued
    if waited <= PUBLICATION_GRACE:
        return FetchOutcome(symbol, status="waiting",
                            reason=f"{reason} (queued {queued:%Y-%m-%d}; retried each run)")  # fmt: skip
    return FetchOutcome(
        symbol, status="failed",
        reason=f"{reason}, {waited.days} days after it was queued ({queued:%Y-%m-%d}): check the "
        f"symbol; `reportwatch forget {symbol}` stops asking for it",
    )  # fmt: skip


def _validators(row: dict[str, Any], archive: RawArchive) -> dict[str, Any] | None:
    """Conditional-request validators, only when the bytes they stand for are archived (a 304
    then means "those bytes"); a damaged download's validators were cleared."""
    sha = row.get("sha256")
    if not sha or not (row.get("etag") or row.get("last_modified")) or not archive.has(str(sha)):
        return None
    return {"etag": row.get("etag"), "last_modified": row.get("last_modified")}


def _copy_local(
    config: SeriesConfig,
    settings: Settings,
    row: dict[str, Any],
    path: Path,
    *,
    run_id: str | None = None,
) -> FetchOutcome:
    """Archive a drop-folder file, then move it to ``done/`` (unless discovery put it aside)."""
    symbol = str(row["symbol"])
    try:
        content = path.read_bytes()
    except OSError as exc:
        reason = f"cannot read {path}: {exc.strerror or exc}"
        _record(settings, config.id, symbol, "failed", reason)
        return FetchOutcome(symbol, status="failed", reason=reason)
    fetched_at = dt.datetime.now(dt.UTC)
    source = str(row.get("source") or "drop-folder")
    sha, archived, _created = RawArchive(settings.raw_dir).put(
        content,
        {
            "url": path.as_uri(), "final_url": path.as_uri(), "headers": {},
            "fetched_at": fetched_at.isoformat(), "symbol": symbol, "series": config.id,
            "source": source, "file_name": path.name,
        },
    )  # fmt: skip
    folder = drop_folder_for(config, settings)
    final = path
    if is_waiting(path, folder):
        try:
            final = move_aside(path, folder / DONE)
        except OSError as exc:
            # Archived all the same; the next run finds the file again and sees the same hash.
            log.warning("archived %s but could not move it to %s: %s", path, folder / DONE, exc)
    file = FetchedFile(
        series=config.id, symbol=symbol, source=source, url=final.as_uri(), sha256=sha,
        path=str(archived), size=len(content), content_type="application/pdf",
        fetched_at=fetched_at, title=row.get("title"),
    )  # fmt: skip
    return _stored(settings, config.id, file, local_path=str(final), run_id=run_id)


def _stored(
    settings: Settings,
    series: str,
    file: FetchedFile,
    *,
    local_path: str | None = None,
    run_id: str | None = None,
) -> FetchOutcome:
    """Record an archived file on its candidate (stage ``fetched``, or ``unchanged`` when this
    symbol already has a document of these bytes)."""
    with open_writer(settings.warehouse_path) as con:
        status = record_fetched(
            con, series=series, symbol=file.symbol, sha256=file.sha256, source=file.source,
            url=file.url, size=file.size, fetched_at=file.fetched_at, etag=file.etag,
            last_modified=file.last_modified, local_path=local_path, run_id=run_id,
        )  # fmt: skip
    pause_point("fetch:inside")
    return FetchOutcome(file.symbol, file=file, needs_load=status == "fetched", status=status)


def _record(settings: Settings, series: str, symbol: str, status: str, reason: str | None) -> None:
    with open_writer(settings.warehouse_path) as con:
        mark_candidate(con, series=series, symbol=symbol, status=status, reason=reason)


@task(name="fetch", task_run_name="fetch-{row[symbol]}")
def fetch_task(
    config: SeriesConfig, settings: Settings, row: dict[str, Any], run_id: str | None = None
) -> FetchOutcome:
    """One document; whatever goes wrong is recorded on it and the run goes on."""
    symbol = str(row["symbol"])
    try:
        return fetch_candidate(config, settings, row, run_id=run_id)
    except LeaseLostError:
        raise  # another run took this one's series over: stop, do not record anything
    except Exception as exc:  # a broken archive disk or a locked warehouse: this document only
        reason = (
            exc.one_line() if isinstance(exc, ReportwatchError) else f"{type(exc).__name__}: {exc}"
        )
        log.exception("fetching %s failed", symbol)
        try:
            _record(settings, config.id, symbol, "failed", reason)
        except Exception:
            log.exception("could not record the failure of %s", symbol)
        return FetchOutcome(symbol, status="failed", reason=reason)
