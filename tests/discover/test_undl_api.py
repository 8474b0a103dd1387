"""The UN Digital Library's keyed search API, against a scripted loopback server."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from pydantic import SecretStr

from reportwatch.errors import AccessDeniedError, ConfigError, SourceError
from reportwatch.series import SeriesConfig, SourceConfig, load_series
from reportwatch.settings import Settings
from tasks.discover.registry import discovery_sources
from tasks.discover.undl_api import UndlApiSource, default_query, parse_search_page
from tests.loopback import LoopbackServer, Reply

MARC = "http://www.loc.gov/MARC21/slim"
KEY = "undl-secret-4f9a"
SG_LETTER = (
    "Letter dated {} from the Secretary-General addressed to the President of the Security Council"
)
Q1_2021 = (dt.date(2021, 1, 1), dt.date(2021, 3, 31))


def marc_record(recid: str, symbol: str, title: str, date: str, note: str = "") -> str:
    def field(tag: str, code: str, value: str) -> str:
        return (
            f'<datafield tag="{tag}" ind1=" " ind2=" "><subfield code="{code}">{value}'
            "</subfield></datafield>"
        )

    notes = field("520", "a", note) if note else ""
    link = (
        f'<datafield tag="856" ind1="4" ind2=" "><subfield code="u">https://digitallibrary.un.org/'
        f"record/{recid}/files/{symbol.replace('/', '_')}-EN.pdf</subfield></datafield>"
    )
    return (
        f'<record><controlfield tag="001">{recid}</controlfield>'
        f"{field('191', 'a', symbol)}{field('245', 'a', title)}{field('269', 'a', date)}"
        f"{notes}{link}</record>"
    )


def search_page(total: int, search_id: str | None, *records: str) -> Reply:
    sid = f"<search_id>{search_id}</search_id>" if search_id is not None else ""
    body = (
        f"<response><total>{total}</total>{sid}"
        f'<collection xmlns="{MARC}">{"".join(records)}</collection></response>'
    )
    return Reply(body=body.encode(), headers={"Content-Type": "application/xml"})


KFOR_228 = marc_record(
    "3906342", "S/2021/228", SG_LETTER.format("5 March 2021"), "2021-03-08",
    "Transmits the report on the operations of the Kosovo Force.",
)  # fmt: skip
PANEL_LETTER = marc_record(
    "3906400", "S/2021/240", SG_LETTER.format("9 March 2021"), "2021-03-10",
    "Transmits the final report of the Panel of Experts on Libya.",
)  # fmt: skip
SERBIA_LETTER = marc_record(
    "3906500",
    "S/2021/250",
    "Letter dated 10 March 2021 from the Permanent Representative of Serbia addressed to the "
    "Secretary-General",
    "2021-03-11",
)


@pytest.fixture
def series() -> SeriesConfig:
    kfor = load_series("kfor")
    oai = next(s for s in kfor.sources if s.kind == "undl-oai")
    api = SourceConfig(kind="undl-api", options=dict(oai.options))
    return kfor.model_copy(update={"sources": [api, *kfor.sources]})


def source(base_url: str, **options: int) -> UndlApiSource:
    return UndlApiSource(base_url, SecretStr(KEY), lookback_days=0, **options)


def test_pages_follow_search_id_until_the_collection_comes_back_empty(series, fetcher) -> None:
    with LoopbackServer() as server:
        server.script(
            "/api/v1/search",
            search_page(3, "sid-77", KFOR_228, PANEL_LETTER),
            search_page(3, "sid-77", SERBIA_LETTER),
            search_page(3, "sid-77"),
        )
        result = source(server.base_url, page_size=2).discover(series, *Q1_2021, fetcher=fetcher)
        requests = server.requests_to("/api/v1/search")

    assert result.error is None
    assert [r.query.get("search_id", "") for r in requests] == ["", "sid-77", "sid-77"]
    first = requests[0].query
    assert first["format"] == "xml" and first["rg"] == "2"
    assert first["p"] == (
        '(191__a:"S/*" AND (fulltext:"Kosovo Force" OR fulltext:"KFOR" OR '
        'fulltext:"international security presence in Kosovo")) AND 269:2021-01-01->2021-03-31'
    )
    assert all(r.headers["authorization"] == f"Token {KEY}" for r in requests)
    # the same selection as OAI-PMH: the KFOR letter, the SG letter to confirm, Serbia rejected
    assert [(c.symbol, c.needs_confirmation) for c in result.candidates] == [
        ("S/2021/228", False),
        ("S/2021/240", True),
    ]
    kfor = result.candidates[0]
    assert kfor.source == "undl-api" and kfor.date == dt.date(2021, 3, 8)
    assert kfor.file_url and kfor.file_url.endswith("/record/3906342/files/S_2021_228-EN.pdf")
    assert [(c.symbol, "matches none" in why) for c, why in result.rejected] == [
        ("S/2021/250", True)
    ]
    assert result.harvested_until == Q1_2021[1]


def test_each_window_is_its_own_search_and_the_lookback_is_not_the_cursor(series, fetcher) -> None:
    with LoopbackServer() as server:
        server.script(
            "/api/v1/search",
            search_page(
                0,
                "sid",
            ),
        )
        api = UndlApiSource(server.base_url, SecretStr(KEY), window_days=31, lookback_days=10)
        result = api.discover(series, dt.date(2021, 2, 1), dt.date(2021, 2, 28), fetcher=fetcher)
        queries = [r.query["p"] for r in server.requests]
    assert [q.rsplit("269:", 1)[1] for q in queries] == [
        "2021-01-22->2021-02-21",
        "2021-02-22->2021-02-28",
    ]
    assert result.windows_done == [
        (dt.date(2021, 2, 1), dt.date(2021, 2, 21)),
        (dt.date(2021, 2, 22), dt.date(2021, 2, 28)),
    ]


def test_a_refused_key_is_a_clear_error_that_never_shows_the_key(series, fetcher, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with LoopbackServer() as server:
        server.script("/api/v1/search", Reply(status=401, body=b"Invalid token"))
        result = source(server.base_url).discover(series, *Q1_2021, fetcher=fetcher)
    error = result.error
    assert isinstance(error, AccessDeniedError) and error.status == 401
    assert "REPORTWATCH_UNDL_API_KEY" in error.one_line()
    assert result.candidates == [] and result.windows_done == []
    shown = [error.one_line(), str(error), repr(source("http://x"))] + [
        r.getMessage() for r in caplog.records
    ]
    assert caplog.records, "the failure is logged"
    assert not [text for text in shown if KEY in text]


def test_without_a_key_the_source_is_not_configured(series) -> None:
    with pytest.raises(ConfigError, match="REPORTWATCH_UNDL_API_KEY"):
        UndlApiSource.from_settings(Settings())
    assert [s.name for s in discovery_sources(series, Settings())] == ["undl-oai"]
    with_key = discovery_sources(series, Settings(undl_api_key=SecretStr(KEY)))
    assert [s.name for s in with_key] == ["undl-api", "undl-oai"]
    assert KEY not in repr(with_key[0])


def test_a_missing_search_id_with_more_to_come_is_an_error(series, fetcher) -> None:
    with LoopbackServer() as server:
        server.script("/api/v1/search", search_page(5, None, KFOR_228))
        result = source(server.base_url).discover(series, *Q1_2021, fetcher=fetcher)
    assert isinstance(result.error, SourceError)
    assert "search_id" in result.error.message


def test_entities_in_the_answer_are_refused() -> None:
    bomb = b'<!DOCTYPE r [<!ENTITY a "aaaa">]><response><total>&a;</total></response>'
    with pytest.raises(SourceError, match="DTD or entities"):
        parse_search_page(bomb)


def test_the_default_query_is_the_series_terms_in_the_full_text() -> None:
    assert default_query({}) == '191__a:"S/*" AND fulltext:"Kosovo Force"'
    page = parse_search_page(search_page(1, "x", KFOR_228).body)
    assert (page.total, page.search_id, [r.symbol for r in page.records]) == (
        1,
        "x",
        ["S/2021/228"],
    )
