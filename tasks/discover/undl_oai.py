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

What real catalogues do besides, and what we do about it:

* **empty pages that keep handing out fresh resumption tokens**: after ``max_empty_pages`` (3)
  such pages in a row the window stops. When the token's ``completeListSize`` says every
  record was read, the list was merely padded and the window is complete; otherwise the window
  has *failed*: the records read so far are kept (they reach the warehouse), the harvest cursor
  stays before the window, and the run summary says so. (pyoai stops at the first empty page
  and calls the list complete; Sickle never stops.)
* **characters XML forbids** (a vertical tab in a title) are removed before parsing, with a
  warning naming the records that held them; **one malformed record** is skipped, named by its
  identifier (and symbol, when one can be read) in the run summary, and the rest of its page is
  read (:mod:`tasks.discover.oai_xml`). The window then completes: holding the cursor would
  stop discovery at that window on every run until the Library fixes the record.
* **``status="deleted"`` records** carry a header and no metadata: they are counted and logged,
  never candidates, and never remove a document already found (the Official Document System
  still serves it by symbol; lost is worse than late).
* the harvest cursor moves only past windows that completed (:class:`DiscoveryResult`).

Responses are parsed with defusedxml with DTDs refused, so an entity bomb or an external entity
is a :class:`SourceError`, never a memory blow-up or a file read.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from reportwatch.errors import ReportwatchError, SourceError
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.discover.base import DiscoveryResult, harvest_windows
from tasks.discover.marc import MARC_NS, MarcSummary, TopicSelector, record_from_element, summarize
from tasks.discover.oai_xml import (
    record_identifier,
    record_symbol,
    split_records,
    strip_forbidden,
)
from tasks.discover.selection import CandidatePicker
from tasks.fetch.client import Fetcher

log = logging.getLogger(__name__)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_OAI = f"{{{OAI_NS}}}"
DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_EMPTY_PAGES = 3
_URL_HINT = "check REPORTWATCH_UNDL_URL points at the Digital Library"


@dataclass
class OaiRecord:
    """One ``<record>`` of a ListRecords page."""

    identifier: str
    datestamp: dt.datetime | None
    deleted: bool
    marc: MarcSummary | None


@dataclass
class OaiPage:
    """One ListRecords page: its records, the token for the next, and what could not be read.

    ``skipped`` holds one line per malformed record left out (identifier, symbol, why), and
    ``unreadable`` the symbols those records show (when one can be read);
    ``complete_list_size`` is the token's ``completeListSize`` attribute when the server sent it.
    """

    records: list[OaiRecord]
    resumption_token: str | None
    complete_list_size: int | None = None
    skipped: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


class _BadResumptionToken(Exception):
    """Internal: the server no longer knows our token; the window starts over."""


def parse_oai_page(content: bytes) -> OaiPage:
    """Read one OAI-PMH ListRecords response; raise :class:`SourceError` for anything else.

    Characters XML forbids are removed first; when the page is still not well-formed, each
    record is read alone and the broken ones are listed in ``skipped`` (see the module notes).
    """
    stripped = strip_forbidden(content)
    if stripped.removed:
        log.warning(
            "removed %d character(s) XML forbids from OAI-PMH record(s) %s",
            stripped.removed, ", ".join(stripped.identifiers),
        )  # fmt: skip
    try:
        return _read_page(_parse(stripped.content))
    except ParseError as exc:
        return _read_record_by_record(stripped.content, exc)


def _parse(content: bytes) -> Element:
    try:
        return SafeET.fromstring(content, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise SourceError(
            f"refused an OAI-PMH response with a DTD or entities ({type(exc).__name__})",
            hint="the server sent XML that could expand or read files; report it to the operator",
        ) from exc


def _read_record_by_record(content: bytes, failure: ParseError) -> OaiPage:
    """The page's records one by one, skipping those that are not well-formed XML."""
    split = split_records(content)
    try:
        if split is None:
            raise failure
        page = _read_page(_parse(split.envelope))
    except ParseError as exc:
        raise SourceError(
            f"the OAI-PMH response is not well-formed XML: {exc}", hint=_URL_HINT
        ) from exc
    for fragment in split.records:
        try:
            page.records += _read_page(_parse(split.wrap(fragment))).records
        except ParseError as exc:
            name = record_identifier(fragment) or "without an identifier"
            symbol = record_symbol(fragment)
            shown = f"record {name}" + (f" ({symbol})" if symbol else "")
            page.skipped.append(f"skipped {shown}: not well-formed XML ({exc})")
            if symbol:
                page.unreadable.append(symbol)
            log.warning("OAI-PMH %s: not well-formed XML (%s); the rest of the page is read",
                        shown, exc)  # fmt: skip
    return page


def _read_page(root: Element) -> OaiPage:
    if root.tag != f"{_OAI}OAI-PMH":
        raise SourceError(f"expected an OAI-PMH document, got <{root.tag}>", hint=_URL_HINT)
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
    size = token_element.get("completeListSize", "") if token_element is not None else ""
    return OaiPage(
        records=records,
        resumption_token=token or None,
        complete_list_size=int(size) if size.strip().isdigit() else None,
    )


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


@dataclass
class WindowHarvest:
    """What one window gave: its records, and why it stopped early when it did.

    ``error`` set means the window is *not* complete: its records are still worth keeping,
    but the harvest cursor must not pass it.
    """

    start: dt.date
    end: dt.date
    by_identifier: dict[str, OaiRecord] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    deleted: int = 0
    error: ReportwatchError | None = None

    @property
    def records(self) -> list[OaiRecord]:
        return list(self.by_identifier.values())

    def add(self, record: OaiRecord) -> None:
        if record.deleted and record.marc is None:
            self.deleted += 1  # a header alone: nothing to judge, and nothing to take back
            return
        self.by_identifier[record.identifier or f"#{len(self.by_identifier)}"] = record


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
        max_empty_pages: int = DEFAULT_MAX_EMPTY_PAGES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.window_days = window_days
        self.metadata_prefix = metadata_prefix
        self.max_pages_per_window = max_pages_per_window
        self.max_empty_pages = max_empty_pages

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
        picker = CandidatePicker(
            series.id, self.name, TopicSelector.from_options(series.source_options(self.name))
        )
        result = DiscoveryResult()
        for window in harvest_windows(self.name, window_from, window_until, self.window_days):
            harvest = self.harvest_window(window[0], window[1], fetcher=fetcher)
            for record in harvest.records:
                if record.marc is None:
                    continue
                if record.deleted:
                    record.marc.deleted = True
                picker.offer(record.marc, catalogued_at=record.datestamp)
            if harvest.deleted:
                log.info("%s..%s: %d record(s) deleted in the catalogue", *window, harvest.deleted)
            result.notes += [f"{window[0]}..{window[1]}: {line}" for line in harvest.skipped]
            for symbol in harvest.unreadable:
                # lost is worse than late: a record of our family whose metadata cannot be read
                # is fetched by symbol and kept only if its text confirms the series
                if picker.offer_unreadable(symbol):
                    result.notes.append(
                        f"{window[0]}..{window[1]}: {symbol} queued from its unreadable record; "
                        "its text decides whether it is the series'"
                    )
            if harvest.error is not None:
                log.warning("OAI harvest stopped at %s..%s: %s", *window, harvest.error.one_line())
                result.error = harvest.error
                break
            result.windows_done.append(window)
        result.candidates = picker.candidates
        result.rejected = picker.rejected
        return result

    def harvest_window(self, start: dt.date, end: dt.date, *, fetcher: Fetcher) -> WindowHarvest:
        """Every record catalogued from ``start`` to ``end`` (inclusive), across all pages.

        Never raises for the source's faults: they end up in ``error``, beside what was read.
        """
        harvest = WindowHarvest(start, end)
        try:
            try:
                self._harvest_pages(harvest, fetcher)
                return harvest
            except _BadResumptionToken:
                log.warning("OAI resumption token expired in %s..%s; harvesting it again",
                            start, end)  # fmt: skip
            try:
                self._harvest_pages(harvest, fetcher)
            except _BadResumptionToken:
                harvest.error = SourceError(
                    f"OAI-PMH error badResumptionToken twice while harvesting {start}..{end}",
                    hint="the server expires tokens quickly; lower REPORTWATCH_OAI_WINDOW_DAYS",
                )
        except ReportwatchError as exc:
            harvest.error = exc
        return harvest

    def _harvest_pages(self, harvest: WindowHarvest, fetcher: Fetcher) -> None:
        params = {
            "verb": "ListRecords",
            "metadataPrefix": self.metadata_prefix,
            "from": harvest.start.isoformat(),
            "until": harvest.end.isoformat(),
        }
        window = f"{harvest.start}..{harvest.end}"
        tokens_seen: set[str] = set()
        read = empty_in_a_row = 0
        for _ in range(self.max_pages_per_window):
            page = parse_oai_page(fetcher.get(self.endpoint, params=params).content)
            for record in page.records:
                harvest.add(record)
            harvest.skipped += page.skipped
            harvest.unreadable += page.unreadable
            read += len(page.records) + len(page.skipped)
            token = page.resumption_token
            if token is None:
                return
            empty_in_a_row = 0 if page.records or page.skipped else empty_in_a_row + 1
            if empty_in_a_row >= self.max_empty_pages:
                size = page.complete_list_size
                if size is not None and read >= size:
                    return  # every record the server announced is in: the rest is padding
                raise SourceError(
                    f"stopped {window} after {empty_in_a_row} empty OAI-PMH pages in a row, "
                    f"each with a new resumption token; kept the {read} record(s) read"
                    + (f" of {size} announced" if size is not None else ""),
                    hint="the window is harvested again on the next run; if this repeats, "
                    "tell the Digital Library its resumption tokens never end",
                )
            if token in tokens_seen:
                raise SourceError(f"the OAI-PMH server repeated resumption token {token!r}")
            tokens_seen.add(token)
            params = {"verb": "ListRecords", "resumptionToken": token}
        raise SourceError(
            f"more than {self.max_pages_per_window} OAI-PMH pages for {window}; "
            f"kept the {read} record(s) read",
            hint="lower REPORTWATCH_OAI_WINDOW_DAYS",
        )
