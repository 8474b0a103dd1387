"""Which adapter serves each ``kind`` a series file may list under ``sources``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportwatch.errors import SeriesError
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.sources.base import DiscoverySource, DownloadSource
from tasks.sources.ods import OdsSource
from tasks.sources.undl_oai import UndlOaiSource

DISCOVERY: dict[str, Callable[[Settings, dict[str, Any]], DiscoverySource]] = {
    "undl-oai": lambda settings, options: UndlOaiSource.from_settings(settings),
}
DOWNLOAD: dict[str, Callable[[Settings, dict[str, Any]], DownloadSource]] = {
    "ods": lambda settings, options: OdsSource.from_settings(settings, options),
}


def discovery_sources(config: SeriesConfig, settings: Settings) -> list[DiscoverySource]:
    found = []
    for entry in config.sources:
        if entry.kind in DISCOVERY:
            found.append(DISCOVERY[entry.kind](settings, entry.options))
        elif entry.kind not in DOWNLOAD:
            known = ", ".join(sorted({*DISCOVERY, *DOWNLOAD}))
            raise SeriesError(
                f"series {config.id}: unknown source kind {entry.kind!r}",
                hint=f"known kinds: {known}",
            )
    return found


def download_urls(
    config: SeriesConfig, settings: Settings, symbol: str, file_url: str | None
) -> list[tuple[str, str]]:
    """(source name, URL) pairs to try in order: download sources, then discovery's file link."""
    urls = [
        (entry.kind, DOWNLOAD[entry.kind](settings, entry.options).file_url(symbol))
        for entry in config.sources
        if entry.kind in DOWNLOAD
    ]
    if file_url:
        urls.append(("catalogue-link", file_url))
    return urls
