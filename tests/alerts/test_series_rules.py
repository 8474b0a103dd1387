"""The generic rules a second series uses, over facts loaded into a real DuckDB file: a country
joining or leaving a table, an authorized strength raised, a strength change, a yearly report
overdue after 13 months. The rules come from the bundled series/minurso.yaml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportwatch.models import Alert
from reportwatch.series import load_series
from tasks.alerts.detect import detect, facts_for_detection
from tests.factories import annual_report, fetched, text_for
from warehouse import open_writer
from warehouse.alerts import insert_alerts, paragraph_texts, report_facts
from warehouse.connection import Connection
from warehouse.documents import load_document
from warehouse.tables import table_members

SERIES = load_series("minurso")
TODAY = dt.date(2016, 5, 1)
BASE = {"Ghana": (10, 7, 0), "Egypt": (23, 0, 1), "France": (13, 0, 0)}
DATES = [dt.date(2012, 4, 5), dt.date(2013, 4, 8), dt.date(2014, 4, 10), dt.date(2015, 4, 10)]
SYMBOLS = ["S/2012/197", "S/2013/220", "S/2014/258", "S/2015/246"]


def _load(con: Connection, year: int, rows: dict[str, tuple[int, int, int]] | None,
          strength: int = 228, authorized: int = 231) -> str:  # fmt: skip
    previous = (SYMBOLS[year - 1], DATES[year - 1]) if year else ("S/2011/249", dt.date(2011, 4, 1))
    rep = annual_report(SYMBOLS[year], previous, DATES[year], strength, authorized, rows or {})
    if rows is None:  # the annex printed as a picture: no table was read
        rep.tables = []
    content = f"%PDF {year} {rows} {strength} {authorized}".encode()
    result = load_document(con, fetched=fetched(SYMBOLS[year], content, series="minurso"),
                           text=text_for(rep), report=rep)  # fmt: skip
    return result.document_id


def _detect(
    con: Connection, new: list[str], rules: set[str], today: dt.date = TODAY
) -> list[Alert]:
    versions = report_facts(con, "minurso", current_only=False)
    members = table_members(con, "minurso")
    for facts_of in versions:
        facts_of["tables"] = members.get(facts_of["document_id"], {})
    facts, previous = facts_for_detection(versions, new)
    return detect(SERIES, facts, new, today=today, rule_filter=rules, previous_versions=previous,
                  paragraphs_for=lambda d: paragraph_texts(con, d))  # fmt: skip


def test_a_country_joining_and_one_leaving_make_one_alert_naming_both(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, 0, BASE)
        later = {"Ghana": (10, 7, 0), "Egypt": (23, 0, 1), "Bhutan": (2, 0, 0)}
        new = _load(con, 1, later)
        alerts = _detect(con, [new], {"contributing-countries-change"})
        assert len(alerts) == 1
        alert = alerts[0]
        assert alert.headline == (
            "MINURSO contributions: 1 country (Bhutan) joined and 1 country (France) left "
            "since S/2012/197 (3 countries, was 3)"
        )
        assert alert.details == {"table": "contributions", "joined": ["Bhutan"], "left": ["France"]}
        assert (alert.symbol, alert.previous_symbol, alert.severity) == (
            "S/2013/220",
            "S/2012/197",
            "warning",
        )
        assert (
            alert.evidence_page == 20 and alert.evidence_text == "Contributions as at 08 April 2013"
        )
        assert insert_alerts(con, alerts, series="minurso", run_id=None)
        again = _detect(con, [new], {"contributing-countries-change"})
        assert insert_alerts(con, again, series="minurso", run_id=None) == []  # raised once, ever


def test_the_same_countries_raise_nothing(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, 0, BASE)
        new = _load(con, 1, {k: (v[0] + 1, v[1], v[2]) for k, v in BASE.items()})
        assert _detect(con, [new], {"contributing-countries-change"}) == []


def test_a_report_whose_table_was_not_read_is_skipped_over_not_compared(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, 0, BASE)
        pictured = _load(con, 1, None)  # no rows: that is not "every country left"
        assert _detect(con, [pictured], {"contributing-countries-change"}) == []
        new = _load(con, 2, {**BASE, "Bhutan": (2, 0, 0)})  # compared with 2012, the last table
        alerts = _detect(con, [new], {"contributing-countries-change"})
    assert [(a.previous_symbol, a.details["joined"], a.details["left"]) for a in alerts] == [
        ("S/2012/197", ["Bhutan"], [])
    ]


def test_authorized_strength_raised_and_strength_changes(tmp_path: Path) -> None:
    rules = {"authorized-strength-change", "military-strength-change"}
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, 0, BASE, strength=228, authorized=231)
        quiet = _load(con, 1, BASE, strength=225, authorized=231)  # three fewer: no news
        assert _detect(con, [quiet], rules) == []
        raised = _load(con, 2, BASE, strength=241, authorized=246)
        alerts = sorted(_detect(con, [raised], rules), key=lambda a: a.rule_id)
    assert [(a.rule_id, a.value, a.previous_value, a.severity) for a in alerts] == [
        ("authorized-strength-change", 246, 231, "warning"),
        ("military-strength-change", 241, 225, "warning"),
    ]
    assert alerts[0].headline == (
        "MINURSO authorized military strength up 6.5% to 246 (from 231 in S/2013/220)"
    )
    assert "against the authorized strength of 246" in (alerts[0].evidence_text or "")


def test_a_yearly_report_is_overdue_13_months_after_the_last(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, 0, BASE)  # period ends 5 April 2012
        on_time = _detect(con, [], {"overdue-report"}, today=dt.date(2013, 5, 6))
        late = _detect(con, [], {"overdue-report"}, today=dt.date(2013, 5, 7))
    assert on_time == []
    assert len(late) == 1
    assert late[0].headline == (
        "MINURSO report for the period ending 05 April 2013 is overdue: 32 days after the "
        "period ended (limit 31); latest is S/2012/197"
    )
