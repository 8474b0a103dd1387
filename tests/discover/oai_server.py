"""An OAI-PMH 2.0 repository on 127.0.0.1 that misbehaves the ways real catalogues do.

It answers ``ListRecords`` (``marcxml``, ``from``/``until``, ``resumptionToken``) from a list of
:class:`Rec`, ``page_size`` records a page, and can:

* ``empty_pages_from=N``: from page N on, answer pages with no records and a fresh token each
  time, forever (``announce`` puts the true ``completeListSize`` on every token);
* hold a record whose title carries raw bytes (a vertical tab, bytes that are not UTF-8);
* hold ``status="deleted"`` records (a header and no metadata).

``requests`` are the ListRecords requests it received, in order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from types import TracebackType
from xml.sax.saxutils import escape

from tests.loopback import LoopbackServer, RecordedRequest, Reply

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
MARC_NS = "http://www.loc.gov/MARC21/slim"
KFOR = (
    "Letter dated {} from the Secretary-General addressed to the President of the Security Council"
)


@dataclass
class Rec:
    record_id: str
    symbol: str
    title: str = KFOR.format("4 March 2024")
    catalogued: str = "2024-03-05T10:00:00Z"
    date: str = "2024-03-04"
    note: str = "Transmits the report on the operations of the Kosovo Force."
    deleted: bool = False
    raw_title: bytes | None = None  # written as is, unescaped: for malformed records

    @property
    def identifier(self) -> str:
        return f"oai:digitallibrary.un.org:{self.record_id}"

    def xml(self) -> bytes:
        status = ' status="deleted"' if self.deleted else ""
        header = (
            f"<header{status}>"
            f"<identifier>{self.identifier}</identifier>"
            f"<datestamp>{self.catalogued}</datestamp></header>"
        ).encode()
        if self.deleted:
            return b"<record>" + header + b"</record>"
        title = self.raw_title if self.raw_title is not None else escape(self.title).encode()
        marc = (
            f'<record xmlns="{MARC_NS}">'
            f'<controlfield tag="001">{self.record_id}</controlfield>'
            f'<datafield tag="191" ind1=" " ind2=" "><subfield code="a">{self.symbol}</subfield>'
            "</datafield>"
            '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">'
        ).encode()
        rest = (
            "</subfield></datafield>"
            f'<datafield tag="269" ind1=" " ind2=" "><subfield code="a">{self.date}</subfield>'
            "</datafield>"
            f'<datafield tag="520" ind1=" " ind2=" "><subfield code="a">{escape(self.note)}'
            "</subfield></datafield>"
            '<datafield tag="856" ind1="4" ind2=" "><subfield code="u">'
            f"https://digitallibrary.un.org/record/{self.record_id}/files/"
            f"{self.symbol.replace('/', '_')}-EN.pdf</subfield></datafield></record>"
        )
        marc += title + rest.encode()
        return b"<record>" + header + b"<metadata>" + marc + b"</metadata></record>"


class OaiRepository:
    def __init__(
        self,
        records: list[Rec],
        *,
        page_size: int = 2,
        empty_pages_from: int | None = None,
        announce: bool = True,
    ) -> None:
        self.records = records
        self.page_size = page_size
        self.empty_pages_from = empty_pages_from
        self.announce = announce
        self._server = LoopbackServer()
        self._serial = itertools.count(1)
        self._server.script("/oai2d", self._answer)

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._server.requests_to("/oai2d")

    def __enter__(self) -> OaiRepository:
        self._server.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.__exit__(exc_type, exc, tb)

    def _answer(self, request: RecordedRequest) -> Reply:
        query = request.query
        token = query.get("resumptionToken")
        if token is not None:
            start, until, page_number, offset = token.split("|")[:4]
            page, skip = int(page_number), int(offset)
        else:
            start, until, page, skip = query["from"], query["until"], 1, 0
        chosen = [r for r in self.records if start <= r.catalogued[:10] <= until]
        if not chosen:
            return self._envelope(b'<error code="noRecordsMatch">no records</error>')
        if self.empty_pages_from is not None and page >= self.empty_pages_from:
            shown: list[Rec] = []
            following = skip
        else:
            shown = chosen[skip : skip + self.page_size]
            following = skip + len(shown)
        endless = self.empty_pages_from is not None
        size = f' completeListSize="{len(chosen)}"' if self.announce else ""
        if following < len(chosen) or endless:
            fresh = f"{start}|{until}|{page + 1}|{following}|{next(self._serial)}"
            token_xml = f"<resumptionToken{size}>{fresh}</resumptionToken>".encode()
        elif page > 1:
            token_xml = f"<resumptionToken{size}/>".encode()
        else:
            token_xml = b""
        body = b"".join(r.xml() for r in shown)
        return self._envelope(b"<ListRecords>" + body + token_xml + b"</ListRecords>")

    def _envelope(self, body: bytes) -> Reply:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI_NS}">'
            f"<responseDate>{now}</responseDate><request>{self.base_url}/oai2d</request>"
        ).encode()
        return Reply(
            body=xml + body + b"</OAI-PMH>\n",
            headers={"Content-Type": "text/xml; charset=utf-8"},
        )
