"""ReliefWeb API v2 discovery, against a loopback server that records what was POSTed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from reportwatch.errors import ConfigError
from reportwatch.series import SeriesConfig, SourceConfig, load_series
from reportwatch.settings import Settings
from tasks.discover.registry import discovery_sources
from tasks.discover.reliefweb import ReliefWebSource, parse_reports_page
from tasks.discover.selection import find_symbol
from tests.loopback import Reply
from tests.loopback_post import PostLoopbackServer

ROUTE = "/v2/reports"
YEAR_2008 = (dt.date(2008, 1, 1), dt.date(2008, 12, 31))


def item(rid: int, title: str, created: str, *, body: str = "", files: list[Any] | None = None):
    return {
        "id": rid,
        "fields": {
            "title": title,
            "body": body,
            "date": {"created": created, "original": created[:10] + "T00:00:00+00:00"},
            "url_alias": f"https://reliefweb.int/report/serbia/{rid}",
            "file": files or [],
        },
    }


def pdf(name: str) -> dict[str, str]:
    return {"url": f"https://reliefweb.int/attachments/ab12/{name}", "mimetype": "application/pdf"}


MONTHLY_600 = item(
    301, "Monthly report to the United Nations on KFOR operations (S/2008/600)",
    "2008-09-17T10:00:00+00:00", body="KFOR troops numbered about 15,000.",
    files=[{"url": "https://reliefweb.int/attachments/ab12/thumb.png", "mimetype": "image/png"},
           pdf("N0850123.pdf")],
)  # fmt: skip
MONTHLY_638 = item(
    302, "Monthly report to the United Nations on KFOR operations",
    "2008-10-07T09:30:00+00:00", body="The Kosovo Force remained deployed.",
    files=[pdf("S_2008_638.pdf")],
)  # fmt: skip
UNMIK_692 = item(
    303, "Report of the Secretary-General on UNMIK", "2008-11-24T12:00:00+00:00",
    body="Transmitted as S/2008/692. KFOR is mentioned in passing.",
)  # fmt: skip


def page(total: int, *items: dict[str, Any]) -> Reply:
    body = {"totalCount": total, "count": len(items), "data": list(items)}
    return Reply(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


@pytest.fixture
def series() -> SeriesConfig:
    kfor = load_series("kfor")
    rw = SourceConfig(kind="reliefweb", options={"kfor_terms": ["Kosovo Force", "KFOR"]})
    return kfor.model_copy(update={"sources": [*kfor.sources, rw]})


def source(base_url: str, **kwargs: Any) -> ReliefWebSource:
    return ReliefWebSource(base_url, "acme-kforwatch-x7q2", lookback_days=0, **kwargs)


def test_pages_follow_offset_until_total_count_and_the_body_is_the_documented_shape(
    series, fetcher
) -> None:
    with PostLoopbackServer() as server:
        server.script(ROUTE, page(3, MONTHLY_600, MONTHLY_638), page(3, UNMIK_692))
        result = source(server.base_url, page_size=2).discover(series, *YEAR_2008, fetcher=fetcher)
        requests = server.requests_to(ROUTE)
        bodies = server.bodies_to(ROUTE)

    assert result.error is None
    assert [r.path for r in requests] == [f"{ROUTE}?appname=acme-kforwatch-x7q2"] * 2
    assert [(b["offset"], b["limit"]) for b in bodies] == [(0, 2), (2, 2)]
    assert bodies[0] == {
        "query": {"value": '"Kosovo Force" OR KFOR', "fields": ["title", "body"], "operator": "OR"},
        "filter": {
            "operator": "AND",
            "conditions": [
                {"field": "source.shortname", "value": "UN SC"},
                {"field": "country.name", "value": "Serbia"},
                {
                    "field": "date.created",
                    "value": {
                        "from": "2008-01-01T00:00:00+00:00",
                        "to": "2008-12-31T23:59:59+00:00",
                    },
                },
            ],
        },
        "fields": {
            "include": ["title", "date.original", "date.created", "url_alias", "file", "body"]
        },
        "sort": ["date.created:asc"],
        "limit": 2,
        "offset": 0,
    }
    found = {c.symbol: c for c in result.candidates}
    # symbols from the title, the PDF's file name and the body, in that order of trust
    assert sorted(found) == ["S/2008/600", "S/2008/638", "S/2008/692"]
    assert found["S/2008/600"].file_url == "https://reliefweb.int/attachments/ab12/N0850123.pdf"
    assert found["S/2008/638"].date == dt.date(2008, 10, 7)
    assert found["S/2008/600"].source == "reliefweb"
    assert found["S/2008/600"].catalogued_at == dt.datetime(2008, 9, 17, 10, tzinfo=dt.UTC)
    assert result.harvested_until == YEAR_2008[1]


def test_an_unapproved_app_name_is_a_configuration_error_not_an_empty_result(
    series, fetcher
) -> None:
    refusal = {"status": 403, "error": {"type": "AccessDeniedHttpException", "message": "no"}}
    with PostLoopbackServer() as server:
        server.script(ROUTE, Reply(status=403, body=json.dumps(refusal).encode()))
        result = source(server.base_url).discover(series, *YEAR_2008, fetcher=fetcher)
    assert isinstance(result.error, ConfigError)
    line = result.error.one_line()
    assert line.startswith("ReliefWeb refused app name 'acme-kforwatch-x7q2'")
    assert "REPORTWATCH_RELIEFWEB_APPNAME" in line and "approval" in line
    assert result.windows_done == []  # the cursor does not move past what was never searched


def test_the_retired_v1_answer_410_is_explained(series, fetcher) -> None:
    with PostLoopbackServer() as server:
        server.script(ROUTE, Reply(status=410, body=b'{"status": 410}'))
        # a base URL copied with its version is forgiven: we still call /v2/reports
        result = source(server.base_url + "/v1").discover(series, *YEAR_2008, fetcher=fetcher)
        (request,) = server.requests
    assert request.route == ROUTE
    assert isinstance(result.error, ConfigError)
    assert "410 Gone" in result.error.one_line()
    assert "REPORTWATCH_RELIEFWEB_URL" in result.error.one_line()


def test_without_an_app_name_the_source_is_not_configured(series) -> None:
    with pytest.raises(ConfigError, match="REPORTWATCH_RELIEFWEB_APPNAME"):
        ReliefWebSource.from_settings(Settings())
    assert [s.name for s in discovery_sources(series, Settings())] == ["undl-oai"]
    configured = Settings(reliefweb_appname="acme-kforwatch-x7q2")
    assert [s.name for s in discovery_sources(series, configured)] == ["undl-oai", "reliefweb"]


def test_page_size_is_bounded_by_the_api_limit() -> None:
    with pytest.raises(ConfigError, match="page_size 1001"):
        ReliefWebSource("https://api.reliefweb.int", "app", page_size=1001)


@pytest.mark.parametrize(
    ("text", "symbol"),
    [
        ("Letter dated 5 March 2021 ... (S/2021/228)", "S/2021/228"),
        ("S_2023_668.pdf", "S/2023/668"),
        ("S_2023_668-EN.pdf", "S/2023/668"),
        ("see document S/2021/228/Add.1 for details", "S/2021/228/Add.1"),
        ("S_2020_350_Corr.1.pdf", "S/2020/350/Corr.1"),
        ("resolution 1244 (1999) and S/RES/1244", None),
        ("BUS/2021/228", None),
        ("", None),
    ],
)
def test_symbols_are_found_in_titles_file_names_and_bodies(text: str, symbol: str | None) -> None:
    assert find_symbol(text) == symbol


def test_an_answer_that_is_not_json_is_a_source_error() -> None:
    from reportwatch.errors import SourceError

    with pytest.raises(SourceError, match="not JSON"):
        parse_reports_page(b"<html>maintenance</html>")
