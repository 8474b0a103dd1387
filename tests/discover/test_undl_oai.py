"""UN Digital Library discovery over OAI-PMH, against the loopback mirror and scripted servers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from reportwatch.demo.mirror import MirrorServer
from reportwatch.errors import AccessDeniedError, SeriesError, SourceError
from tasks.discover.marc import TopicSelector, record_from_element, summarize
from tasks.discover.undl_oai import UndlOaiSource, parse_oai_page
from tests.loopback import LoopbackServer, Reply, write_sample_archive

OAI = "http://www.openarchives.org/OAI/2.0/"
MAY_TO_JULY = (dt.date(2020, 4, 1), dt.date(2020, 7, 31))


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[MirrorServer]:
    with MirrorServer(write_sample_archive(tmp_path / "archive"), page_size=2) as running:
        yield running


def oai_document(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{OAI}">'
        f"<responseDate>2020-05-01T00:00:00Z</responseDate><request>x</request>{body}</OAI-PMH>"
    ).encode()


# the harvest against the mirror --------------------------------------------------------------
def test_harvest_finds_exactly_the_kfor_letters(mirror, fetcher, series) -> None:
    source = UndlOaiSource(mirror.base_url, window_days=31)
    result = source.discover(series, *MAY_TO_JULY, fetcher=fetcher)

    assert result.error is None
    confirmed = [(c.symbol, c.date, c.title) for c in result.candidates if not c.needs_confirmation]
    assert confirmed == [
        (
            "S/2020/350",
            dt.date(2020, 4, 30),
            "Letter dated 28 April 2020 from the Secretary-General addressed to the President "
            "of the Security Council",
        ),
        (
            "S/2020/720",
            dt.date(2020, 7, 22),
            "Letter dated 20 July 2020 from the Secretary-General addressed to the President "
            "of the Security Council",
        ),
    ]
    first = result.candidates[0]
    assert first.file_url == f"{mirror.base_url}/record/3862236/files/S_2020_350-EN.pdf"
    assert (first.record_id, first.job_number, first.source) == ("3862236", "20-06213", "undl-oai")
    assert first.catalogued_at == dt.datetime(2020, 5, 4, 9, 15, tzinfo=dt.UTC)
    assert first.subjects == ["KOSOVO (SERBIA)", "INTERNATIONAL SECURITY FORCES"]
    assert first.series == "kfor"
    # the catalogue's "N2009500 E" reads back as the footer prints it
    assert result.candidates[-1].job_number == "20-09500"


def test_a_secretary_general_letter_without_kfor_wording_is_to_be_confirmed(
    mirror, fetcher, series
) -> None:
    result = UndlOaiSource(mirror.base_url).discover(series, *MAY_TO_JULY, fetcher=fetcher)
    to_confirm = [c.symbol for c in result.candidates if c.needs_confirmation]
    assert to_confirm == ["S/2020/380"]


def test_a_member_state_letter_is_rejected_with_a_reason(mirror, fetcher, series) -> None:
    result = UndlOaiSource(mirror.base_url).discover(series, *MAY_TO_JULY, fetcher=fetcher)
    assert [(c.symbol, reason) for c, reason in result.rejected] == [
        (
            "S/2020/372",
            "title 'Letter dated 5 May 2020 from the Permanent Representative of Serbia to the "
            "United Nations addressed to the Secretary-General' matches none of the title_patterns",
        )
    ]
    everything = {c.symbol for c in result.candidates} | {c.symbol for c, _ in result.rejected}
    assert "A/74/845" not in everything  # other bodies are ignored silently
    assert "S/2020/111" not in everything  # deleted in the catalogue


def test_windows_are_bounded_and_pages_follow_resumption_tokens(mirror, fetcher, series) -> None:
    source = UndlOaiSource(mirror.base_url, window_days=31)
    result = source.discover(series, *MAY_TO_JULY, fetcher=fetcher)
    assert result.windows_done == [
        (dt.date(2020, 4, 1), dt.date(2020, 5, 1)),
        (dt.date(2020, 5, 2), dt.date(2020, 6, 1)),
        (dt.date(2020, 6, 2), dt.date(2020, 7, 2)),
        (dt.date(2020, 7, 3), dt.date(2020, 7, 31)),
    ]
    assert result.harvested_until == dt.date(2020, 7, 31)
    # Five records in the second window at two a page: three pages; one page for each other.
    assert mirror.counts()["oai"] == 3 + 1 + 1 + 1


def test_an_empty_window_is_not_an_error(mirror, fetcher, series) -> None:
    result = UndlOaiSource(mirror.base_url).discover(
        series, dt.date(2019, 1, 1), dt.date(2019, 1, 31), fetcher=fetcher
    )
    assert (result.candidates, result.error) == ([], None)
    assert result.windows_done == [(dt.date(2019, 1, 1), dt.date(2019, 1, 31))]


def test_an_expired_token_restarts_the_window_once(mirror, fetcher, series) -> None:
    mirror.fail_resumption_tokens(1)
    result = UndlOaiSource(mirror.base_url).discover(series, *MAY_TO_JULY, fetcher=fetcher)
    assert result.error is None
    assert {c.symbol for c in result.candidates} == {"S/2020/350", "S/2020/380", "S/2020/720"}


def test_a_token_that_expires_twice_is_a_source_error(mirror, fetcher, series) -> None:
    mirror.fail_resumption_tokens(2)
    result = UndlOaiSource(mirror.base_url).discover(series, *MAY_TO_JULY, fetcher=fetcher)
    assert isinstance(result.error, SourceError)
    assert "badResumptionToken" in result.error.message
    assert result.windows_done == [(dt.date(2020, 4, 1), dt.date(2020, 5, 1))]
    with pytest.raises(SourceError):
        result.raise_error()


# failures from scripted servers --------------------------------------------------------------
def test_other_oai_errors_name_their_code(fetcher, series) -> None:
    error = oai_document('<error code="badArgument">Illegal argument: frm</error>')
    with LoopbackServer() as server:
        server.script("/oai2d", Reply(body=error, headers={"Content-Type": "text/xml"}))
        result = UndlOaiSource(server.base_url).discover(series, *MAY_TO_JULY, fetcher=fetcher)
    assert isinstance(result.error, SourceError)
    assert result.error.message == "OAI-PMH error badArgument: Illegal argument: frm"


def test_a_failure_keeps_the_windows_already_done(fetcher, series) -> None:
    empty = oai_document('<error code="noRecordsMatch"/>')

    def by_window(request) -> Reply:
        if request.query.get("from") == "2020-04-01":
            return Reply(body=empty)
        return Reply(status=403)

    with LoopbackServer() as server:
        server.script("/oai2d", by_window)
        result = UndlOaiSource(server.base_url).discover(series, *MAY_TO_JULY, fetcher=fetcher)
    assert isinstance(result.error, AccessDeniedError)
    assert result.windows_done == [(dt.date(2020, 4, 1), dt.date(2020, 5, 1))]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>&lol9;</ListRecords></OAI-PMH>
"""


def test_an_xml_bomb_from_the_server_is_a_source_error(fetcher, series) -> None:
    with LoopbackServer() as server:
        server.script("/oai2d", Reply(body=BILLION_LAUGHS, headers={"Content-Type": "text/xml"}))
        result = UndlOaiSource(server.base_url).discover(series, *MAY_TO_JULY, fetcher=fetcher)
    assert isinstance(result.error, SourceError)
    assert "DTD or entities" in result.error.message
    assert result.windows_done == []


def test_an_external_entity_is_refused() -> None:
    payload = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">&x;</OAI-PMH>'
    )
    with pytest.raises(SourceError):
        parse_oai_page(payload)


@pytest.mark.parametrize(
    "payload", [b"", b"<html><body>Service Unavailable</body></html>", b"<OAI-PMH"]
)
def test_anything_but_oai_pmh_is_a_source_error(payload: bytes) -> None:
    with pytest.raises(SourceError):
        parse_oai_page(payload)


# MARC fields ---------------------------------------------------------------------------------
RECORD = """<record xmlns="http://www.loc.gov/MARC21/slim">
  <controlfield tag="001">4082957</controlfield>
  <controlfield tag="005">20250516162631.0</controlfield>
  <datafield tag="029" ind1=" " ind2=" "><subfield code="a">JN</subfield>
    <subfield code="b">N2103164 E</subfield></datafield>
  <datafield tag="191" ind1=" " ind2=" "><subfield code="a">S/2021/228</subfield>
    <subfield code="b">S/</subfield><subfield code="c">2021</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="0">
    <subfield code="a">Letter dated 5 March 2021 from the Secretary-General addressed to the
      President of the Security Council :</subfield>
    <subfield code="b">report on Kosovo Force operations /</subfield></datafield>
  <datafield tag="269" ind1=" " ind2=" "><subfield code="a">2021-03-08</subfield></datafield>
  <datafield tag="856" ind1="4" ind2=" ">
    <subfield code="u">https://digitallibrary.un.org/record/4082957/files/S_2021_228-FR.pdf</subfield>
    <subfield code="y">Français</subfield></datafield>
  <datafield tag="856" ind1="4" ind2=" ">
    <subfield code="u">https://digitallibrary.un.org/record/4082957/files/S_2021_228-EN.pdf</subfield>
    <subfield code="y">English</subfield></datafield>
  <datafield tag="980" ind1=" " ind2=" "><subfield code="a">DELETED</subfield></datafield>
</record>"""


def test_marc_fields_are_read_as_the_library_catalogues_them() -> None:
    summary = summarize(record_from_element(fromstring(RECORD)))
    assert summary.record_id == "4082957"
    assert summary.modified == dt.datetime(2025, 5, 16, 16, 26, 31)
    assert summary.symbol == "S/2021/228"
    assert summary.title == (
        "Letter dated 5 March 2021 from the Secretary-General addressed to the President of "
        "the Security Council : report on Kosovo Force operations"
    )
    assert summary.date == dt.date(2021, 3, 8)
    assert summary.job_number == "21-03164"
    assert summary.file_url("en") == (
        "https://digitallibrary.un.org/record/4082957/files/S_2021_228-EN.pdf"
    )
    assert summary.deleted


def test_a_bad_title_pattern_names_the_problem() -> None:
    with pytest.raises(SeriesError, match="invalid regular expression"):
        TopicSelector.from_options({"symbol_prefix": "S/", "title_patterns": ["(unclosed"]})
