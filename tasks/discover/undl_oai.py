"""Discovery through the UN Digital Library's OAI-PMH interface (``<undl_url>/oai2d``).

The Library's terms sanction OAI-PMH for harvesting (its ``/search`` and ``/files`` paths sit
behind a WAF challenge), so this is the primary discovery source. We ask for ``ListRecords`` in
MARCXML over bounded date windows (``REPORTWATCH_OAI_WINDOW_DAYS``; open-ended ranges make the
server answer 503) and follow ``resumptionToken`` page by page. The OAI datestamp is the date a
record was last *catalogued*, not the document date, so every record of the window is read and
the series' :class:`~tasks.discover.marc.TopicSelector` picks ours.

OAI-PMH answers errors with HTTP 200 and an ``<error code=...>`` element:

* ``noRecordsMatch``: an empty window, not an error;
* ``badResumptionToken``: the token expired mid-window; we harvest that window once more from its
  start, and a second failure is a :class:`SourceError`;
* anything else: a :class:`SourceError` naming the code.

Responses are parsed with defusedxml with DTDs refused, so an entity bomb or an external entity
is a :class:`SourceError`, never a memory blow-up or a file read.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from reportwatch.errors import ReportwatchError, SourceError
from reportwatch.models import Candidate
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.discover.base import DiscoveryResult, harvest_windows
from tasks.discover.marc import (
    MARC_NS,
    MarcSummary,
    TopicSelector,
    record_from_element,
    summarize,
)
from tasks.fetch.client import Fetcher

log = logging.getLogger(__name__)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_OAI = f"{{{OAI_NS}}}"
DEFAULT_MAX_PAGES = 2000


@dataclass
class OaiRecord:
    """One ``<record>`` of a ListRecords page."""

    identifier: str
    datestamp: dt.datetime | None
    deleted: bool
    marc: MarcSummary | None


@dataclass
class OaiPage:
    records: list[OaiRecord]
    resumption_token: str | None


class _BadResumptionToken(Exception):
    """Internal: the server no longer knows our token; the window starts over."""


def parse_oai_page(content: bytes) -> OaiPage:
    """Read one OAI-PMH ListRecords response; raise :class:`SourceError` for anything else."""
    try:
        root = SafeET.fromstring(content, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise SourceError(
            f"refused an OAI-PMH response with a DTD or entities ({type(exc).__name__})",
            hint="the server sent XML that could expand or read files; report it to the operator",
        ) from exc
    except ParseError as exc:
        raise SourceError(
            f"the OAI-PMH response is not well-formed XML: {exc}",
            hint="check REPORTWATCH_UNDL_URL points at the Digital Library",
        ) from exc
    if root.tag != f"{_OAI}OAI-PMH":
        raise SourceError(
            f"expected an OAI-PMH document, got <{root.tag}>",
            hint="check REPORTWATCH_UNDL_URL points at the Digital Library",
        )
    errors = root.findall(f"{_OAI}error")
    if errors:
        codes = [e.get("code", "unknown") for e in errors]
        if "noRecordsMatch" in codes:
            return OaiPage(records=[], resumption_token=None)
        if "badResumptionToken" in codes:
            raise _BadResumptionToken(errors[0].text or "")
        text = " ".join((errors[0].text or "").split())
        raise SourceError(
            f"OAI-PMH error {codes[0]}: {text or 'no message'}",
            hint="see the OAI-PMH 2.0 specification, section 3.6, for what the code means",
        )
    listing = root.find(f"{_OAI}ListRecords")
    if listing is None:
        raise SourceError("the OAI-PMH response holds no ListRecords element")
    records = [_read_record(element) for element in listing.findall(f"{_OAI}record")]
    token_element = listing.find(f"{_OAI}resumptionToken")
    token = (token_element.text or "").strip() if token_element is not None else ""
    return OaiPage(records=records, resumption_token=token or None)


def _read_record(element: Element) -> OaiRecord:
    header = element.find(f"{_OAI}header")
    if header is None:
        raise SourceError("an OAI-PMH record has no header")
    identifier = (header.findtext(f"{_OAI}identifier") or "").strip()
    datestamp = _parse_datestamp(header.findtext(f"{_OAI}datestamp"))
    deleted = header.get("status") == "deleted"
    marc: MarcSummary | None = None
    metadata = element.find(f"{_OAI}metadata")
    if metadata is not None:
        marc_record = metadata.find(f"{{{MARC_NS}}}record")
        if marc_record is None:
            marc_record = metadata.find(f".//{{{MARC_NS}}}record")
        if marc_record is not None:
            marc = summarize(record_from_element(marc_record))
    return OaiRecord(identifier=identifier, datestamp=datestamp, deleted=deleted, marc=marc)


def _parse_datestamp(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class UndlOaiSource:
    """The ``undl-oai`` discovery source."""

    name = "undl-oai"

    def __init__(
        self,
        base_url: str,
        *,
        window_days: int = 31,
        metadata_prefix: str = "marcxml",
        max_pages_per_window: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.window_days = window_days
        self.metadata_prefix = metadata_prefix
        self.max_pages_per_window = max_pages_per_window

    @classmethod
    def from_settings(cls, settings: Settings) -> UndlOaiSource:
        return cls(settings.undl_url, window_days=settings.oai_window_days)

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/oai2d"

    def discover(
        self,
        series: SeriesConfig,
        window_from: dt.date,
        window_until: dt.date,
        *,
        fetcher: Fetcher,
    ) -> DiscoveryResult:
        """Harvest ``window_from..window_until`` (inclusive) window by window; see base.py."""
        selector = TopicSelector.from_options(series.source_options(self.name))
        result = DiscoveryResult()
        chosen: dict[str, Candidate] = {}
        rejected: dict[str, tuple[Candidate, str]] = {}
        for window in harvest_windows(self.name, window_from, window_until, self.window_days):
            try:
                records = self.harvest_window(window[0], window[1], fetcher=fetcher)
            except ReportwatchError as exc:
                log.warning("OAI harvest stopped at %s..%s: %s", *window, exc.one_line())
                result.error = exc
                break
            for record in records:
                self._select(series.id, selector, record, chosen, rejected)
            result.windows_done.append(window)
        result.candidates = sorted(chosen.values(), key=_candidate_order)
        result.rejected = sorted(rejected.values(), key=lambda pair: _candidate_order(pair[0]))
        return result

    def harvest_window(self, start: dt.date, end: dt.date, *, fetcher: Fetcher) -> list[OaiRecord]:
        """Every record catalogued from ``start`` to ``end`` (inclusive), across all pages."""
        try:
            return self._harvest_pages(start, end, fetcher)
        except _BadResumptionToken:
            log.warning("OAI resumption token expired in %s..%s; harvesting it again", start, end)
        try:
            return self._harvest_pages(start, end, fetcher)
        except _BadResumptionToken as exc:
            raise SourceError(
                f"OAI-PMH error badResumptionToken twice while harvesting {start}..{end}",
                hint="the server expires tokens quickly; lower REPORTWATCH_OAI_WINDOW_DAYS",
            ) from exc

    def _harvest_pages(self, start: dt.date, end: dt.date, fetcher: Fetcher) -> list[OaiRecord]:
        params = {
            "verb": "ListRecords",
            "metadataPrefix": self.metadata_prefix,
            "from": start.isoformat(),
            "until": end.isoformat(),
        }
        by_identifier: dict[str, OaiRecord] = {}
        tokens_seen: set[str] = set()
        for _ in range(self.max_pages_per_window):
            page = parse_oai_page(fetcher.get(self.endpoint, params=params).content)
            for record in page.records:
                by_identifier[record.identifier or str(len(by_identifier))] = record
            token = page.resumption_token
            if token is None:
                return list(by_identifier.values())
            if token in tokens_seen:
                raise SourceError(f"the OAI-PMH server repeated resumption token {token!r}")
            tokens_seen.add(token)
            params = {"verb": "ListRecords", "resumptionToken": token}
        raise SourceError(
            f"more than {self.max_pages_per_window} OAI-PMH pages for {start}..{end}",
            hint="lower REPORTWATCH_OAI_WINDOW_DAYS",
        )

    def _select(
        self,
        series_id: str,
        selector: TopicSelector,
        record: OaiRecord,
        chosen: dict[str, Candidate],
        rejected: dict[str, tuple[Candidate, str]],
    ) -> None:
        summary = record.marc
        if summary is None or not summary.symbol:
            return  # a deleted record's header carries no symbol: nothing to say about it
        if record.deleted:
            summary.deleted = True
        verdict, reason = selector.classify(summary)
        if verdict == "ignore":
            return
        candidate = Candidate(
            series=series_id,
            symbol=summary.symbol,
            source=self.name,
            title=summary.title,
            date=summary.date,
            file_url=summary.file_url("EN"),
            record_id=summary.record_id,
            job_number=summary.job_number,
            notes=summary.notes,
            subjects=summary.subjects,
            catalogued_at=record.datestamp,
            needs_confirmation=verdict == "confirm",
        )
        key = summary.symbol.upper()
        previous = chosen.get(key) or (rejected[key][0] if key in rejected else None)
        if previous is not None and _later(previous, candidate):
            return  # a later window already saw a newer cataloguing of the same document
        chosen.pop(key, None)
        rejected.pop(key, None)
        if verdict == "reject":
            rejected[key] = (candidate, reason or "rejected")
        else:
            chosen[key] = candidate


def _later(kept: Candidate, new: Candidate) -> bool:
    if kept.catalogued_at is None or new.catalogued_at is None:
        return False
    return kept.catalogued_at > new.catalogued_at


def _candidate_order(candidate: Candidate) -> tuple[dt.date, str]:
    return (candidate.date or dt.date.min, candidate.symbol)
