"""Discovery through the ReliefWeb API v2 (OCHA): a fallback index of UN Security Council papers.

ReliefWeb files Security Council documents under the source ``UN SC`` and Kosovo under the
country ``Serbia`` (research/sources.md §3). One search is a POST with a JSON body::

    POST <reliefweb_url>/v2/reports?appname=<approved app name>
    {"query": {"value": "\\"Kosovo Force\\" OR ...", "fields": ["title", "body"]},
     "filter": {"operator": "AND", "conditions": [
         {"field": "source.shortname", "value": "UN SC"},
         {"field": "country.name", "value": "Serbia"},
         {"field": "date.created", "value": {"from": "...", "to": "..."}}]},
     "fields": {"include": ["title", "date.original", "date.created", "url_alias", "file", "body"]},
     "sort": ["date.created:asc"], "limit": 200, "offset": 0}

and pages follow with ``offset`` until it reaches ``totalCount``. ReliefWeb has no symbol field,
so the symbol is read (:func:`~tasks.discover.selection.find_symbol`) from the title, then the
PDF's file name (``S_2023_668.pdf``), then the body; the PDF (``file[].mimetype == application/pdf``) becomes the candidate's ``file_url``.
Each item is then judged by the series' TopicSelector like a catalogue record.

Access: since November 2025 ReliefWeb requires a *pre-approved* app name, sent in the URL; an
unapproved one is refused with 403 ``AccessDeniedHttpException`` and the retired v1 answers 410.
Both are configuration errors (:class:`ConfigError`) that say what to do, never "no results".
Quotas: at most 1,000 items per call and 1,000 calls a day.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from reportwatch.errors import (
    AccessDeniedError,
    ConfigError,
    NotFoundError,
    ReportwatchError,
    SourceError,
)
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.discover.base import DiscoveryResult, harvest_windows
from tasks.discover.marc import MarcSummary, TopicSelector
from tasks.discover.selection import CandidatePicker, find_symbol
from tasks.fetch.client import Fetcher, FetchResponse

log = logging.getLogger(__name__)

APPNAME_SETTING = "REPORTWATCH_RELIEFWEB_APPNAME"
APPNAME_DOCS = "https://apidoc.reliefweb.int/parameters#appname"
MAX_LIMIT = 1000  # "Valid values are between 0 and 1000"
DEFAULT_PAGE_SIZE = 200
DEFAULT_MAX_PAGES = 200
FIELDS = ["title", "date.original", "date.created", "url_alias", "file", "body"]
_VERSION_SUFFIX = re.compile(r"/v\d+$")


@dataclass
class ReliefWebItem:
    """One report of the ``data`` list, reduced to what discovery uses."""

    id: str
    title: str | None
    body: str | None
    created: dt.datetime | None
    original: dt.date | None
    url: str | None
    pdf_url: str | None
    file_names: list[str] = field(default_factory=list)

    @property
    def symbol(self) -> str | None:
        for text in (self.title, *self.file_names, self.body):
            found = find_symbol(text)
            if found:
                return found
        return None

    def summary(self) -> MarcSummary:
        return MarcSummary(
            record_id=self.id,
            symbol=self.symbol,
            title=self.title,
            date=self.original or (self.created.date() if self.created else None),
            file_urls={"EN": self.pdf_url} if self.pdf_url else {},
            notes=[self.body] if self.body else [],
        )


@dataclass
class ReliefWebPage:
    total: int
    items: list[ReliefWebItem]


def parse_reports_page(content: bytes) -> ReliefWebPage:
    """Read one ``/v2/reports`` answer; raise :class:`SourceError` for anything else."""
    try:
        raw = json.loads(content)
    except ValueError as exc:
        raise SourceError(
            f"the ReliefWeb answer is not JSON: {exc}",
            hint="check REPORTWATCH_RELIEFWEB_URL points at the API (https://api.reliefweb.int)",
        ) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("data", []), list):
        raise SourceError("the ReliefWeb answer has no data list")
    items = [_item(entry) for entry in raw.get("data", []) if isinstance(entry, dict)]
    total = raw.get("totalCount")
    return ReliefWebPage(total=int(total) if isinstance(total, int) else len(items), items=items)


def _item(entry: Mapping[str, Any]) -> ReliefWebItem:
    fields = entry.get("fields") or {}
    date = fields.get("date") or {}
    pdf_url: str | None = None
    names: list[str] = []
    for attachment in fields.get("file") or []:
        if not isinstance(attachment, dict) or not attachment.get("url"):
            continue
        url = str(attachment["url"])
        name = str(attachment.get("filename") or unquote(urlsplit(url).path.rsplit("/", 1)[-1]))
        names.append(name)
        is_pdf = attachment.get("mimetype") == "application/pdf" or name.lower().endswith(".pdf")
        if is_pdf and pdf_url is None:
            pdf_url = url
    url_alias = fields.get("url_alias") or fields.get("url")
    return ReliefWebItem(
        id=str(entry.get("id", "")),
        title=_text(fields.get("title")),
        body=_text(fields.get("body")),
        created=_moment(date.get("created")),
        original=_day(date.get("original")),
        url=str(url_alias) if url_alias else None,
        pdf_url=pdf_url,
        file_names=names,
    )


def _text(value: Any) -> str | None:
    return " ".join(str(value).split()) if value else None


def _moment(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _day(value: Any) -> dt.date | None:
    moment = _moment(value)
    return moment.date() if moment else None


def _condition(field_name: str, values: list[str]) -> dict[str, Any]:
    if len(values) == 1:
        return {"field": field_name, "value": values[0]}
    return {"field": field_name, "value": values, "operator": "OR"}


class ReliefWebSource:
    """The ``reliefweb`` discovery source."""

    name = "reliefweb"

    def __init__(
        self,
        base_url: str,
        appname: str,
        *,
        query: str | None = None,
        sources: list[str] | None = None,
        countries: list[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        window_days: int = 366,
        lookback_days: int = 30,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        if not appname.strip():
            raise ConfigError(
                f"the ReliefWeb source needs an approved app name in {APPNAME_SETTING}",
                hint=f"request one from ReliefWeb ({APPNAME_DOCS})",
            )
        if not 1 <= page_size <= MAX_LIMIT:
            raise ConfigError(
                f"ReliefWeb page_size {page_size} is out of range",
                hint=f"ReliefWeb accepts 1 to {MAX_LIMIT} items a call",
            )
        # The API root is wanted; a copied ".../v1" or ".../v2" is forgiven.
        self.base_url = _VERSION_SUFFIX.sub("", base_url.rstrip("/"))
        self.appname = appname.strip()
        self.query = query
        self.sources = sources or ["UN SC"]
        self.countries = countries or ["Serbia"]
        self.page_size = page_size
        self.window_days = window_days
        self.lookback_days = lookback_days
        self.max_pages = max_pages

    @classmethod
    def from_settings(
        cls, settings: Settings, options: Mapping[str, Any] | None = None
    ) -> ReliefWebSource:
        opts = dict(options or {})
        return cls(
            settings.reliefweb_url,
            settings.reliefweb_appname or "",
            query=str(opts["query"]) if opts.get("query") else None,
            sources=[str(s) for s in opts.get("sources") or []] or None,
            countries=[str(c) for c in opts.get("countries") or []] or None,
            page_size=int(opts.get("page_size", DEFAULT_PAGE_SIZE)),
            window_days=int(opts.get("window_days", 366)),
            lookback_days=int(opts.get("lookback_days", 30)),
        )

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/v2/reports"

    def request_body(
        self, options: Mapping[str, Any], start: dt.date, end: dt.date, *, offset: int, limit: int
    ) -> dict[str, Any]:
        """The JSON body of one search (``date.created`` from ``start`` to ``end``, inclusive)."""
        terms = options.get("kfor_terms") or options.get("topic_terms") or ["Kosovo Force"]
        value = self.query or " OR ".join(f'"{t}"' if " " in str(t) else str(t) for t in terms)
        created = {
            "from": f"{start.isoformat()}T00:00:00+00:00",
            "to": f"{end.isoformat()}T23:59:59+00:00",
        }
        return {
            "query": {"value": value, "fields": ["title", "body"], "operator": "OR"},
            "filter": {
                "operator": "AND",
                "conditions": [
                    _condition("source.shortname", self.sources),
                    _condition("country.name", self.countries),
                    {"field": "date.created", "value": created},
                ],
            },
            "fields": {"include": list(FIELDS)},
            "sort": ["date.created:asc"],
            "limit": limit,
            "offset": offset,
        }

    def discover(
        self,
        series: SeriesConfig,
        window_from: dt.date,
        window_until: dt.date,
        *,
        fetcher: Fetcher,
    ) -> DiscoveryResult:
        """Search reports created from ``window_from - lookback_days`` to ``window_until``."""
        options = series.source_options(self.name)
        selector = TopicSelector.from_options({"symbol_prefix": "S/", **options})
        picker = CandidatePicker(series.id, self.name, selector)
        result = DiscoveryResult()
        start = window_from - dt.timedelta(days=max(0, self.lookback_days))
        for window in harvest_windows(self.name, start, window_until, self.window_days):
            try:
                items = self.search(options, *window, fetcher=fetcher)
            except ReportwatchError as exc:
                log.warning("ReliefWeb search stopped at %s..%s: %s", *window, exc.one_line())
                result.error = exc
                break
            for item in items:
                picker.offer(item.summary(), catalogued_at=item.created)
            result.windows_done.append((max(window[0], window_from), window[1]))
        result.candidates = picker.candidates
        result.rejected = picker.rejected
        return result

    def search(
        self, options: Mapping[str, Any], start: dt.date, end: dt.date, *, fetcher: Fetcher
    ) -> list[ReliefWebItem]:
        """Every report the search finds in the window, following ``offset`` to ``totalCount``."""
        found: list[ReliefWebItem] = []
        offset = 0
        for _ in range(self.max_pages):
            body = self.request_body(options, start, end, offset=offset, limit=self.page_size)
            page = parse_reports_page(self._post(body, fetcher).content)
            found += page.items
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return found
        raise SourceError(
            f"more than {self.max_pages} pages of ReliefWeb results for {start}..{end}",
            hint="narrow the query (source option 'query') or lower window_days",
        )

    def probe(self, options: Mapping[str, Any], *, fetcher: Fetcher) -> int:
        """``limit: 0`` over everything: one cheap call for ``sources check``; the match count."""
        body = self.request_body(options, dt.date(1990, 1, 1), dt.date.today(), offset=0, limit=0)
        return parse_reports_page(self._post(body, fetcher).content).total

    def _post(self, body: Mapping[str, Any], fetcher: Fetcher) -> FetchResponse:
        try:
            return fetcher.post_json(self.endpoint, body, params={"appname": self.appname})
        except AccessDeniedError as exc:
            if exc.status not in (401, 403) or "WAF" in exc.message:
                raise
            raise ConfigError(
                f"ReliefWeb refused app name {self.appname!r} (HTTP {exc.status}, "
                "AccessDeniedHttpException): it is not approved",
                hint=f"request approval of an app name ({APPNAME_DOCS}) and set "
                f"{APPNAME_SETTING} to it",
            ) from exc
        except NotFoundError as exc:
            what = "410 Gone: that API version is retired" if exc.status == 410 else "404"
            raise ConfigError(
                f"ReliefWeb answered {what} at {self.endpoint}",
                hint="set REPORTWATCH_RELIEFWEB_URL to the API root, https://api.reliefweb.int "
                "(reportwatch calls /v2/reports)",
            ) from exc
