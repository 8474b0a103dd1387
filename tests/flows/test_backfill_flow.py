"""A backfill loads history, records its alerts without paging anyone, and repeats exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.ingest import ingest
from flows.maintenance import backfill
from reportwatch.demo.mirror import MirrorServer
from tests.flows.conftest import point_at_mirror
from tests.slack_server import LoopbackWebhook
from warehouse import open_reader

pytestmark = pytest.mark.flow
TABLES = ("documents", "observations", "alerts", "deliveries")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, mirror: MirrorServer, webhook: LoopbackWebhook,
         data_dir: Path) -> None:  # fmt: skip
    point_at_mirror(monkeypatch, mirror.base_url, data_dir)
    monkeypatch.setenv("REPORTWATCH_SLACK_WEBHOOK_URL", webhook.url)


def _counts(data_dir: Path) -> dict[str, object]:
    with open_reader(data_dir / "warehouse.duckdb") as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in TABLES}
        counts["statuses"] = con.execute(
            "SELECT DISTINCT status FROM deliveries ORDER BY 1"
        ).fetchall()
        counts["overdue"] = con.execute(
            "SELECT count(*) FROM alerts WHERE rule_kind = 'overdue'"
        ).fetchone()
    return counts


def test_backfill_records_alerts_muted_and_pages_nobody(
    webhook: LoopbackWebhook, data_dir: Path
) -> None:
    result = backfill(series="kfor", date_from=dt.date(2020, 1, 1), date_to=dt.date(2024, 12, 31))
    assert result["status"] == "completed" and result["loaded"] == 16
    assert result["alerts_raised"] > 0
    assert webhook.posts == []
    counts = _counts(data_dir)
    assert counts["statuses"] == [("muted",)]
    assert counts["overdue"] == (0,)  # "today" is not the window's end


def test_a_second_backfill_of_the_same_window_changes_nothing(data_dir: Path) -> None:
    before = _counts(data_dir)
    result = backfill(series="kfor", date_from=dt.date(2020, 1, 1), date_to=dt.date(2024, 12, 31))
    assert (result["loaded"], result["fetched"], result["alerts_raised"]) == (0, 0, 0)
    assert _counts(data_dir) == before


def test_the_next_ingestion_does_not_send_the_backfilled_history(
    webhook: LoopbackWebhook, data_dir: Path
) -> None:
    result = ingest(series="kfor", as_of=dt.date(2025, 1, 15))
    assert result["status"] == "completed"
    headlines = [str(p.json()) for p in webhook.posts]
    assert not any("18.4%" in h for h in headlines)  # the 2023 jump was history, not news
