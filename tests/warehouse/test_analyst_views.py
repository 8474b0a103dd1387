"""The analysts' views (migration 0004) and offline search, on real DuckDB files.

``build_small_warehouse`` loads four quarterly reports (the 2023 troop jump, a change in
contributing nations, a quarter whose report is silent on incidents, the Zvečan incident),
runs the real detection rules and publishes the snapshot; the export and report tests use it too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.errors import ReportwatchError
from reportwatch.models import Evidence, Incident, Paragraph
from reportwatch.series import load_series
from tasks.alerts.detect import detect
from tests.factories import QUARTERS, fetched, report, text_for
from warehouse import open_reader, open_writer
from warehouse.alerts import insert_alerts, paragraph_texts, report_facts
from warehouse.documents import load_document
from warehouse.search import query_terms, search_paragraphs
from warehouse.snapshot import publish

ZVECAN = (
    "On 29 May 2023 in Zvečan, protesters attacked KFOR troops protecting the municipal "
    "building; 93 KFOR soldiers were injured, some of them seriously."
)
# (symbol, quarter, troops, NATO nations, non-NATO nations, major incidents stated)
REPORTS = [
    ("S/2023/179", 0, 3800, 19, 7, False),
    ("S/2023/431", 1, 3800, 19, 7, None),  # silent on incidents: unknown, not "none"
    ("S/2023/668", 2, 3800, 20, 6, True),
    ("S/2023/966", 3, 4500, 20, 6, True),
]


def _load(con, symbol: str, quarter: int, troops: int, nato: int, non_nato: int,  # type: ignore[no-untyped-def]
          major: bool | None, content: bytes | None = None) -> str:  # fmt: skip
    start, end = QUARTERS[quarter]
    incidents = []
    rep = report(symbol, start, end, troops, nato=nato, non_nato=non_nato, major=major)
    if symbol == "S/2023/668":
        ev = Evidence(page=3, paragraph=3, text=ZVECAN)
        incidents = [Incident(date=dt.date(2023, 5, 29), location="Zvečan", summary=ZVECAN,
                              casualties=93, evidence=ev)]  # fmt: skip
        extra = Paragraph(number=3, section="Security", part="enclosure", page=3, text=ZVECAN)
        rep = rep.model_copy(
            update={"incidents": incidents, "paragraphs": [*rep.paragraphs, extra]}
        )
    data = content or f"%PDF-{symbol}-{troops}".encode()
    return load_document(
        con, fetched=fetched(symbol, data), text=text_for(rep), report=rep
    ).document_id


def build_small_warehouse(data_dir: Path) -> Path:
    """Four reports with their alerts in ``data_dir/warehouse.duckdb``; returns the snapshot."""
    config = load_series("kfor")
    with open_writer(data_dir / "warehouse.duckdb") as con:
        new = [_load(con, *row) for row in REPORTS]
        alerts = detect(
            config, report_facts(con, "kfor"), new, today=dt.date(2023, 12, 1),
            paragraphs_for=lambda d: paragraph_texts(con, d),
        )  # fmt: skip
        insert_alerts(con, alerts, series="kfor", run_id=None)
    publish(data_dir / "warehouse.duckdb", data_dir / "snapshot.duckdb")
    return data_dir / "snapshot.duckdb"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return build_small_warehouse(tmp_path)


def test_report_changes_lists_every_changed_fact_and_only_those(snapshot: Path) -> None:
    with open_reader(snapshot) as con:
        rows = con.execute(
            """SELECT previous_symbol, symbol, metric, previous_value, value, delta, pct_change
               FROM report_changes ORDER BY period_end, metric"""
        ).fetchall()
    assert rows == [
        # 431 says nothing about incidents, so 179 → 431 → 668 shows no incident change
        ("S/2023/431", "S/2023/668", "nato_nations", 19, 20, 1, 5.3),
        ("S/2023/431", "S/2023/668", "non_nato_nations", 7, 6, -1, -14.3),
        ("S/2023/668", "S/2023/966", "troops_total", 3800, 4500, 700, 18.4),
    ]


def test_contributing_nations_gives_counts_totals_and_changes(snapshot: Path) -> None:
    with open_reader(snapshot) as con:
        rows = con.execute(
            """SELECT symbol, nato_nations, non_nato_nations, total_nations, nato_change,
                      non_nato_change, total_change, page, paragraph
               FROM contributing_nations ORDER BY period_end"""
        ).fetchall()
    assert rows == [
        ("S/2023/179", 19, 7, 26, None, None, None, 3, 2),
        ("S/2023/431", 19, 7, 26, 0, 0, 0, 3, 2),
        ("S/2023/668", 20, 6, 26, 1, -1, 0, 3, 2),
        ("S/2023/966", 20, 6, 26, 0, 0, 0, 3, 2),
    ]


def test_a_restated_report_shows_its_versions_and_the_facts_that_differ(snapshot: Path) -> None:
    warehouse = snapshot.with_name("warehouse.duckdb")
    with open_writer(warehouse) as con:
        # a revised file for S/2023/966: a different troop figure and one nation fewer
        _load(con, "S/2023/966", 3, 4600, 20, 5, True, content=b"%PDF-revised")
    publish(warehouse, snapshot)
    with open_reader(snapshot) as con:
        versions = con.execute(
            """SELECT symbol, version, is_current, changed_metrics, changes,
                      sha256 <> previous_sha256 FROM document_versions"""
        ).fetchall()
        levels = con.execute(
            "SELECT troops FROM troop_levels WHERE symbol = 'S/2023/966'"
        ).fetchall()
    assert versions == [
        ("S/2023/966", 1, False, None, None, None),
        ("S/2023/966", 2, True, ["non_nato_nations", "troops_total"],
         "non_nato_nations 6 → 5; troops_total 4500 → 4600", True),
    ]  # fmt: skip
    assert levels == [(4600,)]  # the other views read the current version only


def test_search_finds_every_word_ranks_and_points_at_the_paragraph(snapshot: Path) -> None:
    with open_reader(snapshot) as con:
        hits = search_paragraphs(con, "injured soldiers")
        accentless = search_paragraphs(con, "ZVECAN")
        prefix = search_paragraphs(con, "injur*")
        number = search_paragraphs(con, "4,500")
        both_required = search_paragraphs(con, "injured nowhere-word")
    assert [(h.symbol, h.page, h.paragraph) for h in hits] == [("S/2023/668", 3, 3)]
    assert "93 KFOR soldiers were injured" in hits[0].snippet and hits[0].score > 0
    assert [h.symbol for h in accentless] == ["S/2023/668"]  # "Zvečan" matches "zvecan"
    assert [h.symbol for h in prefix] == ["S/2023/668"]
    assert [(h.symbol, h.paragraph) for h in number] == [("S/2023/966", 2)]
    assert both_required == []


def test_rarer_words_rank_higher_and_limit_and_series_filter(snapshot: Path) -> None:
    with open_reader(snapshot) as con:
        # "troops" is in every troop sentence and in the incident paragraph; "protesters" only there
        ranked = search_paragraphs(con, "troops")
        limited = search_paragraphs(con, "troops", limit=2)
        other_series = search_paragraphs(con, "troops", series="nato")
        protesters = search_paragraphs(con, "protesters")
    assert len(ranked) == 5 and len(limited) == 2
    assert other_series == []
    assert protesters[0].score > ranked[-1].score


def test_a_query_of_stop_words_is_refused_with_the_reason(snapshot: Path) -> None:
    with open_reader(snapshot) as con:
        terms = query_terms(con, "The Force, and its ZVEČAN base*")
        assert sorted(terms) == ["base*", "force", "zvecan"]
        with pytest.raises(ReportwatchError, match="nothing to search for"):
            search_paragraphs(con, "the of a")


def test_sql_users_get_the_same_search_as_a_macro(
    snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(snapshot.parent))
    result = CliRunner().invoke(
        app,
        ["sql", "SELECT symbol, paragraph, score FROM search_paragraphs('injured') LIMIT 1",
         "-f", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "symbol,paragraph,score" and lines[1].startswith("S/2023/668,3,")


def test_paragraph_terms_hold_normalized_words_with_counts(snapshot: Path) -> None:
    with open_reader(snapshot) as con:
        terms = dict(
            con.execute(
                """SELECT term, occurrences FROM paragraph_terms t
                   JOIN documents d USING (document_id)
                   WHERE d.symbol = 'S/2023/668' AND t.seq = 2"""
            ).fetchall()
        )
    assert terms["kfor"] == 2 and terms["zvecan"] == 1 and terms["93"] == 1
    assert "the" not in terms and "in" not in terms
