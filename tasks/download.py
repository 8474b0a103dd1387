"""Fetch stage: download each pending candidate into the raw archive.

A candidate is downloaded from the series' download source (the Official Document System by
symbol), falling back to the file URL discovery gave. Conditional requests use the validators
stored from the last download; a file whose sha256 is already loaded counts as unchanged.
Failures are per document: recorded on the candidate (status, reason, attempts) and retried
on the next run; the rest of the run goes on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prefect import task

from reportwatch.errors import FetchError, NotPublishedError
from reportwatch.models import FetchedFile
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.archive import RawArchive
from tasks.fetch import Fetcher
from tasks.sources.registry import download_urls
from warehouse import open_writer
from warehouse.documents import known_hashes
from warehouse.runs import mark_candidate, to_fetch


@dataclass
class FetchOutcome:
    symbol: str
    file: FetchedFile | None = None
    needs_load: bool = False
    status: str = "failed"
    reason: str | None = None


def pending_downloads(settings: Settings, series: str) -> list[dict[str, Any]]:
    with open_writer(settings.warehouse_path) as con:
        return to_fetch(con, series)


def fetch_candidate(
    config: SeriesConfig,
    settings: Settings,
    row: dict[str, Any],
    *,
    fetcher: Fetcher | None = None,
) -> FetchOutcome:
    """Download one candidate; never raises a FetchError (it is recorded instead)."""
    symbol = str(row["symbol"])
    archive = RawArchive(settings.raw_dir)
    own = fetcher is None
    client = fetcher or Fetcher.from_settings(settings)
    last_error: FetchError | None = None
    try:
        for source_name, url in download_urls(config, settings, symbol, row.get("file_url")):
            validators = (
                {"etag": row.get("etag"), "last_modified": row.get("last_modified")}
                if row.get("sha256")
                else None
            )
            try:
                response = client.download_pdf(url, validators=validators)
            except FetchError as exc:
                last_error = exc
                continue
            if response.not_modified:
                _record(settings, config.id, symbol, "loaded", None, response.headers)
                return FetchOutcome(symbol, status="not_modified")
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
            with open_writer(settings.warehouse_path) as con:
                seen = sha in known_hashes(con, config.id)
                mark_candidate(
                    con, series=config.id, symbol=symbol,
                    status="loaded" if seen else "candidate", reason=None,
                    etag=file.etag, last_modified=file.last_modified,
                )  # fmt: skip
            return FetchOutcome(
                symbol, file=file, needs_load=not seen, status="unchanged" if seen else "fetched"
            )
    finally:
        if own:
            client.close()
    status = "not_published" if isinstance(last_error, NotPublishedError) else "failed"
    reason = last_error.one_line() if last_error else "no download source is configured"
    if last_error is not None and last_error.status:
        reason = f"HTTP {last_error.status}: {reason}"
    _record(settings, config.id, symbol, status, reason, None)
    return FetchOutcome(symbol, status=status, reason=reason)


def _record(settings: Settings, series: str, symbol: str, status: str, reason: str | None,
            headers: Any) -> None:  # fmt: skip
    with open_writer(settings.warehouse_path) as con:
        mark_candidate(con, series=series, symbol=symbol, status=status, reason=reason)


@task(name="fetch", task_run_name="fetch-{row[symbol]}")
def fetch_task(config: SeriesConfig, settings: Settings, row: dict[str, Any]) -> FetchOutcome:
    return fetch_candidate(config, settings, row)
