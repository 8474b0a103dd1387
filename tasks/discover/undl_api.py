"""Discovery through the UN Digital Library's keyed search API (``<undl_url>/api/v1/search``).

The Library issues API keys on request (research/sources.md §1.4); with one set in
``REPORTWATCH_UNDL_API_KEY`` this source searches the catalogue directly instead of reading every
record OAI-PMH lists. One search::

    GET /api/v1/search?p=<query>&format=xml&rg=<page size>&search_id=<id>
    Authorization: Token <key>

answers ``<response><total>N</total><search_id>ID</search_id><collection xmlns=MARC21>
<record>..</record>...</collection></response>``. The first request sends ``search_id`` empty;
each later one echoes the id the previous answer gave, until ``collection`` comes back empty.

The query is the series' (source option ``query``, default ``191__a:"S/*"`` and any of the
series' terms in the full text) restricted to a publication-date range on MARC 269 built from
the harvest window. Because 269 is the *document* date and a record may be catalogued weeks
later, every harvest also looks ``lookback_days`` back before its window; documents found again
are simply already known. Records are MARC, read with the same helpers and judged by the same
:class:`~tasks.discover.marc.TopicSelector` as OAI-PMH records.

The key is a :class:`~pydantic.SecretStr`: it travels only in the ``Authorization`` header and
appears in no URL, log line or error message. A 401 or 403 is an :class:`AccessDeniedError`
naming the setting to fix.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
from pydantic import SecretStr

from reportwatch.errors import AccessDeniedError, ConfigError, ReportwatchError, SourceError
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.discover.base import DiscoveryResult, harvest_windows
from tasks.discover.marc import MarcSummary, TopicSelector, record_from_element, summarize
from tasks.discover.selection import CandidatePicker
from tasks.fetch.client import Fetcher, FetchResponse

log = logging.getLogger(__name__)

KEY_SETTING = "REPORTWATCH_UNDL_API_KEY"
DEFAULT_PAGE_SIZE = 100
DEFAULT_MAX_PAGES = 500
DEFAULT_TERMS = ("Kosovo Force",)


@dataclass
class SearchPage:
    """One answer of the search API."""

    total: int | None
    search_id: str | None
    records: list[MarcSummary]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_search_page(content: bytes) -> SearchPage:
    """Read one ``<response>``; raise :class:`SourceError` for anything else."""
    try:
        root = SafeET.fromstring(content, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise SourceError(
            f"refused a search API response with a DTD or entities ({type(exc).__name__})",
            hint="the server sent XML that could expand or read files; report it to the Library",
        ) from exc
    except ParseError as exc:
        raise SourceError(
            f"the search API response is not well-formed XML: {exc}",
            hint="check REPORTWATCH_UNDL_URL points at the Digital Library",
        ) from exc
    if _local(root.tag) != "response":
        raise SourceError(
            f"expected a search API <response>, got <{_local(root.tag)}>",
            hint="check REPORTWATCH_UNDL_URL points at the Digital Library",
        )
    total_text = _child_text(root, "total")
    total = int(total_text) if total_text and total_text.isdigit() else None
    search_id = _child_text(root, "search_id") or None
    records: list[MarcSummary] = []
    for child in root:
        if _local(child.tag) == "collection":
            records += [
                summarize(record_from_element(r)) for r in child if _local(r.tag) == "record"
            ]
    return SearchPage(total=total, search_id=search_id, records=records)


def _child_text(root: Element, name: str) -> str:
    for child in root:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def default_query(options: Mapping[str, Any]) -> str:
    """``191__a:"S/*"`` and any of the series' terms in the full text of the files."""
    prefix = str(options.get("symbol_prefix") or "S/")
    terms = options.get("kfor_terms") or options.get("topic_terms") or list(DEFAULT_TERMS)
    texts = " OR ".join(f'fulltext:"{term}"' for term in terms)
    return (
        f'191__a:"{prefix}*" AND ({texts})' if len(terms) > 1 else f'191__a:"{prefix}*" AND {texts}'
    )


class UndlApiSource:
    """The ``undl-api`` discovery source."""

    name = "undl-api"

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr,
        *,
        query: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        window_days: int = 366,
        lookback_days: int = 90,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.query = query
        self.page_size = page_size
        self.window_days = window_days
        self.lookback_days = lookback_days
        self.max_pages = max_pages

    @classmethod
    def from_settings(
        cls, settings: Settings, options: Mapping[str, Any] | None = None
    ) -> UndlApiSource:
        key = settings.undl_api_key
        if key is None or not key.get_secret_value().strip():
            raise ConfigError(
                f"the UN Digital Library API source needs a key in {KEY_SETTING}",
                hint="the Library issues keys on request; meanwhile undl-oai needs none",
            )
        opts = dict(options or {})
        return cls(
            settings.undl_url,
            key,
            query=str(opts["query"]) if opts.get("query") else None,
            page_size=int(opts.get("page_size", DEFAULT_PAGE_SIZE)),
            window_days=int(opts.get("window_days", 366)),
            lookback_days=int(opts.get("lookback_days", 90)),
        )

    def __repr__(self) -> str:
        return f"UndlApiSource({self.base_url!r}, api_key=SecretStr('**********'))"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/api/v1/search"

    def discover(
        self,
        series: SeriesConfig,
        window_from: dt.date,
        window_until: dt.date,
        *,
        fetcher: Fetcher,
    ) -> DiscoveryResult:
        """Search ``window_from - lookback_days .. window_until`` by publication date."""
        options = series.source_options(self.name)
        picker = CandidatePicker(series.id, self.name, TopicSelector.from_options(options))
        query = self.query or default_query(options)
        result = DiscoveryResult()
        start = window_from - dt.timedelta(days=max(0, self.lookback_days))
        for window in harvest_windows(self.name, start, window_until, self.window_days):
            try:
                records = self.search(_dated(query, *window), fetcher=fetcher)
            except ReportwatchError as exc:
                log.warning("UNDL API search stopped at %s..%s: %s", *window, exc.one_line())
                result.error = exc
                break
            for record in records:
                picker.offer(record)
            # The cursor is the window the caller asked for, not the look-back before it.
            result.windows_done.append((max(window[0], window_from), window[1]))
        result.candidates = picker.candidates
        result.rejected = picker.rejected
        return result

    def search(self, query: str, *, fetcher: Fetcher) -> list[MarcSummary]:
        """Every record ``query`` matches, page by page with ``search_id``."""
        params = {"p": query, "format": "xml", "rg": str(self.page_size), "search_id": ""}
        found: dict[str, MarcSummary] = {}
        for _ in range(self.max_pages):
            page = parse_search_page(self._get(params, fetcher).content)
            if not page.records:
                return list(found.values())
            before = len(found)
            for record in page.records:
                found[record.record_id or record.symbol or str(len(found))] = record
            if len(found) == before:
                raise SourceError(
                    "the UN Digital Library API sent the same page twice",
                    hint="its search_id paging misbehaves; try undl-oai meanwhile",
                )
            if page.search_id is None:
                if page.total is not None and len(found) >= page.total:
                    return list(found.values())
                raise SourceError(
                    "the UN Digital Library API gave no search_id, so the next page is unreachable",
                    hint="report it; undl-oai harvests the same catalogue",
                )
            params["search_id"] = page.search_id
        raise SourceError(
            f"more than {self.max_pages} pages of search results",
            hint="narrow the query (source option 'query') or lower window_days",
        )

    def probe(self, options: Mapping[str, Any], *, fetcher: Fetcher) -> int | None:
        """One cheap search (one record) for ``sources check``: the number of matches."""
        query = self.query or default_query(options)
        params = {"p": query, "format": "xml", "rg": "1", "search_id": ""}
        return parse_search_page(self._get(params, fetcher).content).total

    def _get(self, params: Mapping[str, str], fetcher: Fetcher) -> FetchResponse:
        headers = {
            "Authorization": f"Token {self._api_key.get_secret_value()}",
            "Accept": "application/xml",
        }
        try:
            return fetcher.get(self.endpoint, params=params, headers=headers)
        except AccessDeniedError as exc:
            if exc.status not in (401, 403) or "WAF" in exc.message:
                raise
            raise AccessDeniedError(
                f"the UN Digital Library API refused the key (HTTP {exc.status})",
                url=exc.url,
                status=exc.status,
                attempts=exc.attempts,
                hint=f"check {KEY_SETTING}: it is missing, mistyped or revoked",
            ) from exc


def _dated(query: str, start: dt.date, end: dt.date) -> str:
    # 269 holds the publication date as YYYY-MM-DD; "->" is the catalogue's range operator.
    return f"({query}) AND 269:{start.isoformat()}->{end.isoformat()}"
