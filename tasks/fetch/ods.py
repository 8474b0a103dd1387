"""Download by symbol from the UN Official Document System (ODS).

``<ods_url>/api/symbol/access?s=<symbol>&l=<language>&t=pdf`` answers with the PDF, possibly
after a redirect (followed by the fetcher, hop by hop, inside the host allowlist). The symbol is
percent-encoded with its slashes (``S%2F2020%2F350``): one report says raw slashes get a 404.

ODS answers an unknown or not-yet-published symbol with **200 and an empty body**, so the status
proves nothing: the fetcher checks for ``%PDF-`` and raises :class:`NotPublishedError`
(transient), and the next run asks again. ODS cannot list documents; it is a download source only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from reportwatch.errors import NotPublishedError
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.fetch.client import Fetcher, FetchResponse


class OdsSource:
    """The ``ods`` download source."""

    name = "ods"

    def __init__(self, base_url: str, *, language: str = "en") -> None:
        self.base_url = base_url.rstrip("/")
        self.language = language

    @classmethod
    def from_settings(
        cls, settings: Settings, options: Mapping[str, Any] | None = None
    ) -> OdsSource:
        language = str((options or {}).get("language") or "en")
        return cls(settings.ods_url, language=language)

    def file_url(self, symbol: str, language: str | None = None) -> str:
        encoded = quote(symbol.strip(), safe="")
        lang = quote(language or self.language, safe="")
        return f"{self.base_url}/api/symbol/access?s={encoded}&l={lang}&t=pdf"

    def download(
        self,
        symbol: str,
        *,
        fetcher: Fetcher,
        validators: Mapping[str, str | None] | None = None,
        language: str | None = None,
    ) -> FetchResponse:
        """The PDF of ``symbol`` (or a not-modified answer when ``validators`` still match)."""
        try:
            return fetcher.download_pdf(self.file_url(symbol, language), validators=validators)
        except NotPublishedError as exc:
            raise NotPublishedError(
                f"ODS has no PDF of {symbol} yet ({exc.message})",
                url=exc.url,
                status=exc.status,
                attempts=exc.attempts,
                hint=exc.hint,
            ) from exc


DOWNLOAD_KINDS = ("ods",)
"""Source kinds that turn a symbol into a file URL (the rest of ``series.sources`` discover)."""


def download_urls(
    config: SeriesConfig, settings: Settings, symbol: str, file_url: str | None
) -> list[tuple[str, str]]:
    """(source name, URL) pairs to try in order: download sources, then discovery's file link."""
    urls = [
        (entry.kind, OdsSource.from_settings(settings, entry.options).file_url(symbol))
        for entry in config.sources
        if entry.kind in DOWNLOAD_KINDS
    ]
    if file_url:
        urls.append(("catalogue-link", file_url))
    return urls
