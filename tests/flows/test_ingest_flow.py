"""End to end: the real ingestion flow against the loopback mirror, on a real DuckDB file.

The expected figures come from the sample archive's own facts table (what the PDFs were
rendered from), so the test checks extraction and loading against the truth, not against
numbers copied into the test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from flows.ingest import ingest
from reportwatch.demo import BUNDLED_FACTS
from reportwatch.demo.mirror import MirrorServer
from reportwatch.demo.samples.facts import load_facts
from tests.flows.conftest import point_at_mirror
from warehouse import open_reader

pytestmark = pytest.mark.flow

FACTS = sorted(load_facts(BUNDLED_FACTS),
               key=lambda r: r.period_end)  # fmt: skip
AS_OF = dt.date(2024, 6, 30)


@pytest.fixture(autouse=True)
def _point_at_mirror(monkeypatch: pytest.MonkeyPatch, mirror: MirrorServer, data_dir: Path) -> None:
    point_at_mirror(monkeypatch, mirror.base_url, data_dir)


def test_first_run_loads_every_report_with_its_facts_and_raises_alerts(
    mirror: MirrorServer, data_dir: Path
) -> None:
    mirror.reset_counts()
    result = ingest(series="kfor", since=dt.date(2020, 1, 1), as_of=AS_OF)
    assert result["status"] == "completed"
    assert result["loaded"] == len(FACTS) and result["quarantined"] == 0
    assert mirror.counts().get("pdf") == len(FACTS)

    with open_reader(data_dir / "snapshot.duckdb") as con:
        levels = con.execute(
            "SELECT symbol, period_start, period_end, troops, approximate FROM troop_levels ORDER BY period_end"
        ).fetchall()
        nations = dict(con.execute(
            "SELECT symbol || '/' || metric, value FROM observations WHERE metric LIKE '%nations'"
        ).fetchall())  # fmt: skip
        evidence = con.execute(
            "SELECT evidence_text FROM observations WHERE metric = 'troops_total' AND symbol = ?",
            [FACTS[0].symbol],
        ).fetchone()
        alerts = con.execute("SELECT rule_id, severity, symbol, headline FROM alerts").fetchall()
    assert levels == [
        (f.symbol, f.period_start, f.period_end, f.troops_total, f.troops_qualifier is not None)
        for f in FACTS
    ]
    for f in FACTS:
        assert nations[f"{f.symbol}/nato_nations"] == f.nato_nations
        assert nations[f"{f.symbol}/non_nato_nations"] == f.non_nato_nations
    assert evidence is not None and f"{FACTS[0].troops_total:,}" in evidence[0]

    # the jump and the incident quarters of the sample series raise the right alerts
    jumps = [
        (prev, cur) for prev, cur in itertools.pairwise(FACTS)
        if cur.troops_total and prev.troops_total
        and abs(cur.troops_total - prev.troops_total) / prev.troops_total >= 0.15
    ]  # fmt: skip
    assert jumps, "the sample archive must contain a troop jump"
    critical_troops = {
        s for r, sev, s, _ in alerts if r == "troop-level-change" and sev == "critical"
    }
    assert critical_troops == {cur.symbol for _, cur in jumps}
    incident_quarters = [f.symbol for f in FACTS if f.major_incidents]
    assert incident_quarters, "the sample archive must contain a major-incident quarter"
    raised = {s for r, _, s, _ in alerts if r == "security-incidents"}
    assert raised == set(incident_quarters)
    assert sum(1 for r, *_ in alerts if r == "new-document") == len(FACTS)


def test_second_run_finds_nothing_new_downloads_nothing_and_adds_no_row(
    mirror: MirrorServer, data_dir: Path
) -> None:
    tables = ("documents", "paragraphs", "observations", "incidents", "alerts", "deliveries",
              "candidates", "loads")  # fmt: skip
    with open_reader(data_dir / "warehouse.duckdb") as con:
        before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in tables}
    mirror.reset_counts()
    result = ingest(series="kfor", as_of=AS_OF)
    assert result["status"] == "completed"
    assert (result["discovered"], result["fetched"], result["loaded"], result["alerts_raised"]) == (
        0,
        0,
        0,
        0,
    )
    assert mirror.counts().get("pdf", 0) == 0
    with open_reader(data_dir / "warehouse.duckdb") as con:
        after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in tables}
    assert after == before
