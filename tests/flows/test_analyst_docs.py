"""docs/analysts.md stays true: every documented query, run on the demo warehouse built by the
real ingestion flow, gives the output the page shows, and the answers agree with the facts the
sample archive was rendered from (not with numbers copied into this test).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.ingest import ingest
from reportwatch.demo import BUNDLED_FACTS, sample_archives, sample_facts
from reportwatch.demo.mirror import MirrorServer
from reportwatch.demo.samples.annual import load_annual_facts
from reportwatch.demo.samples.facts import load_facts
from tasks.outputs.report_html import (
    ANALYST_DOC,
    documented_queries,
    render_analyst_doc,
    render_report_html,
    report_markdown,
)
from warehouse import Connection, open_reader
from warehouse.queries import query

pytestmark = pytest.mark.flow

FACTS = sorted(load_facts(BUNDLED_FACTS),
               key=lambda r: r.period_end)  # fmt: skip
ANNUAL = load_annual_facts(sample_facts()["minurso"])
DOC = ANALYST_DOC.read_text(encoding="utf-8")
QUERIES = documented_queries(DOC)


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo warehouse, built once for the module by the real flow against the mirror."""
    data_dir = tmp_path_factory.mktemp("demo")
    archives = sample_archives()
    with (
        pytest.MonkeyPatch.context() as env,
        MirrorServer([archives["kfor"], archives["minurso"]]) as mirror,
    ):
        env.setenv("REPORTWATCH_DATA_DIR", str(data_dir))
        env.setenv("REPORTWATCH_UNDL_URL", mirror.base_url)
        env.setenv("REPORTWATCH_ODS_URL", mirror.base_url)
        env.setenv("REPORTWATCH_ALLOWED_HOSTS", "127.0.0.1")
        env.setenv("REPORTWATCH_MIN_REQUEST_INTERVAL", "0")
        result = ingest(series="kfor", since=dt.date(2020, 1, 1), as_of=dt.date(2024, 6, 30))
        second = ingest(series="minurso", since=dt.date(2013, 1, 1), as_of=dt.date(2017, 6, 30))
    assert result["status"] == "completed" and result["loaded"] == len(FACTS)
    assert second["status"] == "completed" and second["loaded"] == len(ANNUAL)
    yield data_dir / "snapshot.duckdb"


@pytest.fixture
def con(demo_snapshot: Path) -> Iterator[Connection]:
    with open_reader(demo_snapshot) as connection:
        yield connection


def _answer(con: Connection, name: str) -> list[dict[str, object]]:
    columns, rows = query(con, QUERIES[name])
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_the_page_documents_ten_questions_and_the_ones_analysts_ask_most() -> None:
    assert len(QUERIES) >= 10
    assert {"two-quarters", "troop-jump", "incident-quarters", "evidence", "search"} <= set(QUERIES)
    for needed in ("duckdb -readonly data/snapshot.duckdb", "read_only=True", "snapshot_info",
                   "fts"):  # fmt: skip
        assert needed in DOC


def test_every_documented_query_gives_the_output_the_page_shows(con: Connection) -> None:
    rendered = render_analyst_doc(con, DOC)
    if rendered != DOC:
        diff = "\n".join(
            difflib.unified_diff(
                DOC.splitlines(), rendered.splitlines(), "docs", "demo", lineterm=""
            )
        )
        pytest.fail(
            "docs/analysts.md differs from what its queries return; regenerate it with "
            "`python -m tasks.outputs.report_html --analyst-docs DEMO/snapshot.duckdb`\n" + diff
        )


def test_the_change_between_two_known_quarters_is_the_sample_facts(con: Connection) -> None:
    first = next(f for f in FACTS if f.period_end == dt.date(2022, 3, 31))
    last = next(f for f in FACTS if f.period_end == dt.date(2023, 12, 31))
    answer = {row["metric"]: row for row in _answer(con, "two-quarters")}
    troops = answer["troops_total"]
    assert (troops["q1_2022"], troops["q4_2023"]) == (first.troops_total, last.troops_total)
    assert troops["change"] == last.troops_total - first.troops_total == 800
    assert answer["nato_nations"]["change"] == last.nato_nations - first.nato_nations
    assert answer["non_nato_nations"]["change"] == last.non_nato_nations - first.non_nato_nations


def test_the_troop_jump_and_the_incident_quarters_are_the_sample_facts(con: Connection) -> None:
    jumps = [
        cur for prev, cur in itertools.pairwise(FACTS)
        if abs(cur.troops_total - prev.troops_total) / prev.troops_total >= 0.10
    ]  # fmt: skip
    answer = _answer(con, "troop-jump")
    assert [row["symbol"] for row in answer] == [j.symbol for j in jumps] == ["S/2023/966"]
    assert answer[0]["delta"] == 700 and answer[0]["pct_change"] == 18.4
    incident_quarters = [f.symbol for f in FACTS if f.major_incidents]
    assert [row["symbol"] for row in _answer(con, "incident-quarters")] == incident_quarters
    critical = {row["symbol"] for row in _answer(con, "critical-alerts")}
    assert critical == {"S/2023/966", "S/2023/668"}


def test_evidence_and_search_point_at_the_sentence(con: Connection) -> None:
    (evidence,) = _answer(con, "evidence")
    assert "approximately 4,500" in str(evidence["evidence_text"])
    hits = _answer(con, "search")
    assert hits and all("injured" in str(h["snippet"]).lower() for h in hits)
    texts = dict(
        query(
            con,
            """SELECT d.symbol || '/' || p.number, p.text FROM paragraphs p
               JOIN current_documents d USING (document_id)""",
        )[1]
    )
    for hit in hits:  # the page and paragraph given are where the word really is
        assert "injured" in texts[f"{hit['symbol']}/{hit['paragraph']}"]


def test_report_on_the_demo_data_shows_figures_symbols_and_alerts(con: Connection) -> None:
    page = render_report_html(con)
    assert "approximately 4,500" in page and "S/2024/215" in page
    assert (
        "KFOR troop level up 18.4% to approximately 4,500 (from approximately 3,800 in S/2023/668)"
        in page
    )
    assert "KFOR report S/2023/668 states major security incidents" in page
    assert page.count('src="data:image/png;base64,') == 2  # one chart per series
    assert "Military strength over time" in page and "Contributions as at 31 March 2017" in page
    markdown = report_markdown(con, "kfor")
    assert "Latest report **S/2024/215**" in markdown and "+700 (+18.4%)" in markdown


def test_the_second_series_answers_are_the_sample_facts(con: Connection) -> None:
    read = [s for s in ANNUAL if not s.annex_as_image]  # a pictured annex has no rows
    every_year = set.intersection(
        *({r.country for r in s.contributions if r.observers} for s in read)
    )
    top = sorted(every_year, key=lambda c: (-max(r.observers for s in read for r in s.contributions
                                                 if r.country == c), c))[:5]  # fmt: skip
    assert [row["country"] for row in _answer(con, "every-year-observers")] == top
    ghana = [(s.symbol, next(r.observers for r in s.contributions if r.country == "Ghana"))
             for s in read]  # fmt: skip
    assert [
        (r["symbol"], r["military_observers"]) for r in _answer(con, "country-contributions")
    ] == ghana
    joins = [(r["symbol"], r["country"], r["change"]) for r in _answer(con, "table-joins")]
    assert joins == [("S/2016/355", "Bhutan", "joined")]
    strengths = [(r["symbol"], r["strength"], r["authorized"], r["female"])
                 for r in _answer(con, "strength-vs-authorized")]  # fmt: skip
    assert strengths == [
        (s.symbol, s.military_strength, s.authorized_strength, s.female_military) for s in ANNUAL
    ]
    links = [(r["symbol"], r["previous_report_symbol"], r["previous_loaded"])
             for r in _answer(con, "report-links")]  # fmt: skip
    assert links == [(s.symbol, s.previous_symbol, i > 0) for i, s in enumerate(ANNUAL)]
