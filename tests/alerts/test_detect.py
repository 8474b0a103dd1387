"""Detection rules over facts loaded into a real DuckDB file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportwatch.models import Incident
from reportwatch.series import load_series
from tasks.alerts.detect import detect, facts_for_detection
from tests.factories import QUARTERS, fetched, report, text_for
from warehouse import open_writer
from warehouse.alerts import insert_alerts, paragraph_texts, report_facts
from warehouse.documents import load_document

KFOR = load_series("kfor")
TODAY = dt.date(2023, 12, 1)


def _load(con, symbol: str, quarter: int, troops: int | None, **kw) -> str:  # type: ignore[no-untyped-def]
    start, end = QUARTERS[quarter]
    rep = report(symbol, start, end, troops, **kw)
    content = f"%PDF-{symbol}-{troops}-{kw}".encode()
    result = load_document(con, fetched=fetched(symbol, content), text=text_for(rep), report=rep)
    return result.document_id


def _detect(con, new: list[str], today: dt.date = TODAY, rules: set[str] | None = None):  # type: ignore[no-untyped-def]
    facts, previous = facts_for_detection(report_facts(con, "kfor", current_only=False), new)
    return detect(
        KFOR, facts, new, today=today, rule_filter=rules, previous_versions=previous,
        paragraphs_for=lambda d: paragraph_texts(con, d),
    )  # fmt: skip


def test_a_troop_jump_over_15_percent_is_critical_with_figures_and_evidence(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/500", 2, 3800)
        new = _load(con, "S/2023/800", 3, 4500)
        alerts = _detect(con, [new], rules={"troop-level-change"})
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.severity == "critical"
    assert (alert.value, alert.previous_value, alert.delta, alert.pct_change) == (
        4500,
        3800,
        700,
        18.4,
    )
    assert alert.previous_symbol == "S/2023/500" and alert.symbol == "S/2023/800"
    assert (alert.evidence_page, alert.evidence_paragraph) == (3, 2)
    assert "approximately 4,500" in alert.evidence_text  # type: ignore[operator]
    assert (
        alert.headline
        == "KFOR troop level up 18.4% to approximately 4,500 (from approximately 3,800 in S/2023/500)"
    )


def test_small_changes_stay_quiet_and_moderate_ones_warn(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/100", 0, 3800)
        small = _load(con, "S/2023/200", 1, 3700)  # -2.6%
        moderate = _load(con, "S/2023/300", 2, 3500)  # -5.4%
        alerts = _detect(con, [small, moderate], rules={"troop-level-change"})
    assert [(a.symbol, a.severity, a.pct_change) for a in alerts] == [
        ("S/2023/300", "warning", -5.4)
    ]


def test_a_late_report_is_compared_with_its_true_neighbours(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/100", 1, 3800)
        q3 = _load(con, "S/2023/300", 3, 4500)
        first = _detect(con, [q3], rules={"troop-level-change"})
        assert [(a.symbol, a.previous_symbol) for a in first] == [("S/2023/300", "S/2023/100")]
        q2 = _load(con, "S/2023/200", 2, 4000)  # arrives late, between the two
        later = _detect(con, [q2], rules={"troop-level-change"})
    pairs = sorted((a.symbol, a.previous_symbol, a.severity) for a in later)
    assert pairs == [
        ("S/2023/200", "S/2023/100", "warning"),
        ("S/2023/300", "S/2023/200", "warning"),
    ]


def test_contributing_nations_change_is_reported(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/100", 0, 3800, non_nato=8)
        new = _load(con, "S/2023/200", 1, 3800, non_nato=9)
        alerts = _detect(con, [new], rules={"contributing-nations-change"})
    assert [(a.metric, a.value, a.previous_value, a.severity) for a in alerts] == [
        ("non_nato_nations", 9, 8, "info")
    ]


def test_major_incidents_after_a_quiet_period_are_critical_then_warning(tmp_path: Path) -> None:
    riot = Incident(date=dt.date(2023, 5, 29), location="Zvečan", summary="clashes", casualties=93)
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/100", 1, 3800, major=False)
        q2 = _load(con, "S/2023/200", 2, 3800, major=True, incidents=[riot])
        q3 = _load(con, "S/2023/300", 3, 4500, major=True)
        alerts = _detect(con, [q2, q3], rules={"security-incidents"})
    assert [(a.symbol, a.severity) for a in alerts] == [
        ("S/2023/200", "critical"),
        ("S/2023/300", "warning"),
    ]
    assert "1 incident listed" in alerts[0].headline


def test_keywords_name_the_terms_and_the_paragraph(tmp_path: Path) -> None:
    text = "On 24 September 2023 a Kosovo police officer was killed in an attack near Banjska."
    with open_writer(tmp_path / "w.duckdb") as con:
        new = _load(con, "S/2023/300", 3, 4500, text=text)
        alerts = _detect(con, [new], rules={"incident-keywords"})
    assert len(alerts) == 1
    assert alerts[0].details["terms"] == ["attack", "killed"]
    assert alerts[0].evidence_paragraph == 2


def test_a_restated_figure_raises_a_restatement(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/100", 1, 3800)
        new = _load(con, "S/2023/100", 1, 3850)  # same symbol, different file
        facts_all = report_facts(con, "kfor", current_only=False)
        older = next(f for f in facts_all if f["version"] == 1)
        alerts = detect(
            KFOR, report_facts(con, "kfor"), [new], today=TODAY, rule_filter={"restatement"},
            paragraphs_for=lambda d: [], previous_versions={new: older},
        )  # fmt: skip
    assert [(a.metric, a.value, a.previous_value) for a in alerts] == [("troops_total", 3850, 3800)]
    assert "re-issued (version 2)" in alerts[0].headline


def test_overdue_report_is_raised_once_per_missing_period(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/100", 1, 3800)  # period ends 2023-03-31; next expected 2023-06-30
        assert _detect(con, [], today=dt.date(2023, 10, 1), rules={"overdue-report"}) == []
        late = _detect(con, [], today=dt.date(2023, 11, 1), rules={"overdue-report"})
        assert [a.period_end for a in late] == [dt.date(2023, 6, 30)]
        assert "124 days after the period ended" in late[0].headline
        assert len(insert_alerts(con, late, series="kfor", run_id=None)) == 1
        again = _detect(con, [], today=dt.date(2023, 11, 2), rules={"overdue-report"})
        assert insert_alerts(con, again, series="kfor", run_id=None) == []


def test_alerts_are_raised_once_ever(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/500", 2, 3800)
        new = _load(con, "S/2023/800", 3, 4500)
        first = insert_alerts(con, _detect(con, [new]), series="kfor", run_id=None)
        second = insert_alerts(con, _detect(con, [new]), series="kfor", run_id=None)
        total = con.execute("SELECT count(*) FROM alerts").fetchone()
    assert first and second == []
    assert total == (len(first),)
    assert {a.rule_id for a in first} >= {"troop-level-change", "new-document"}


def test_a_quarantined_document_raises_an_ops_alert_with_the_reason(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        bad = _load(con, "S/2023/900", 3, None)
        alerts = _detect(con, [bad], rules={"quarantined-document", "new-document"})
    assert [(a.rule_id, a.details.get("reason")) for a in alerts] == [
        ("quarantined-document", "no troop figure found")
    ]


def test_a_reissued_file_with_the_same_figures_raises_nothing_new(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/500", 2, 3800)
        q3 = _load(con, "S/2023/800", 3, 4500)
        first = insert_alerts(con, _detect(con, [q3]), series="kfor", run_id=None)
        rep = report("S/2023/800", *QUARTERS[3], 4500)  # same facts, a different file
        v2 = load_document(
            con, fetched=fetched("S/2023/800", b"%PDF-reissued"), text=text_for(rep), report=rep
        ).document_id
        again = insert_alerts(con, _detect(con, [v2]), series="kfor", run_id=None)
    assert v2.endswith(":v2")
    assert {a.rule_id for a in first} >= {"troop-level-change", "new-document"}
    assert again == []


def test_a_quarantined_new_version_does_not_hide_the_good_one(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/800", 3, 4500)
        broken = _load(con, "S/2023/800", 3, None)  # a corrupt re-issue of the same symbol
        levels = con.execute("SELECT symbol, troops FROM troop_levels").fetchall()
        current = con.execute(
            "SELECT version, status FROM documents WHERE is_current ORDER BY version"
        ).fetchall()
        alerts = _detect(con, [broken], rules={"quarantined-document", "overdue-report"},
                         today=dt.date(2023, 12, 1))  # fmt: skip
    assert levels == [("S/2023/800", 4500)]
    assert current == [(1, "loaded")]
    assert [a.rule_id for a in alerts] == ["quarantined-document"]


def test_the_detect_stage_raises_what_every_waiting_version_is_owed_and_waits_on_overdue(
    tmp_path: Path,
) -> None:
    """detect_new over the warehouse: versions whose alerts were never raised, whoever loaded
    them; the overdue rule only after a complete harvest with nothing pending."""
    from reportwatch.models import Candidate
    from reportwatch.settings import Settings
    from tasks.alerts.detect_stage import detect_new
    from warehouse.runs import record_discovery

    settings = Settings(data_dir=tmp_path)
    late = dt.date(2024, 6, 1)  # the report after Q2 2023 is long overdue by then
    with open_writer(settings.warehouse_path) as con:
        _load(con, "S/2023/500", 2, 3800)  # loaded by a run killed before detect
        _load(con, "S/2023/800", 3, 4500)
        record_discovery(con, series="kfor", source="symbol-list", rejected=[], run_id=None,
                         window_until=None,
                         found=[Candidate(series="kfor", symbol="S/2024/1", source="symbol-list")])  # fmt: skip

    owed = detect_new(KFOR, settings, today=late)  # one candidate still to download
    assert {a.symbol for a in owed} == {"S/2023/500", "S/2023/800"}
    assert "overdue-report" not in {a.rule_id for a in owed}
    assert detect_new(KFOR, settings, today=late) == []  # they were marked compared

    with open_writer(settings.warehouse_path) as con:  # the candidate turned out not ours
        con.execute("UPDATE candidates SET status = 'rejected'")
    assert detect_new(KFOR, settings, today=late, harvest_complete=False) == []
    overdue = detect_new(KFOR, settings, today=late)
    assert [a.rule_id for a in overdue] == ["overdue-report"]
    assert overdue[0].period_end == dt.date(2023, 12, 31)
