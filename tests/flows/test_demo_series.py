"""``reportwatch demo`` with two series: every series file with a sample archive is run by the
real ingestion flow against the loopback mirror, and the second series' alerts (strength,
authorized strength, a country joining the annex table) are delivered as KFOR's are, to a Slack
webhook and an SMTP server on 127.0.0.1. Assertions are on what the servers received, checked
against the warehouse."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from flows.cli.demo import run_demo
from reportwatch.settings import load_settings
from tests.slack_server import LoopbackWebhook
from tests.smtp_server import LoopbackSMTP
from warehouse import open_reader

pytestmark = pytest.mark.flow

WANTED = {
    "military-strength-change": "MINURSO military strength up 5.8% to 238 (from 225 in S/2014/258)",
    "authorized-strength-change": (
        "MINURSO authorized military strength up 6.5% to 246 (from 231 in S/2014/258)"
    ),
    "contributing-countries-change": (
        "MINURSO contributions: 1 country (Bhutan) joined since S/2015/246 (30 countries, was 29)"
    ),
}


@pytest.fixture(scope="module")
def smtp() -> Iterator[LoopbackSMTP]:
    with LoopbackSMTP() as server:
        yield server


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> Iterator[tuple[Path, dict[str, Any], str]]:
    data_dir = tmp_path_factory.mktemp("demo-two-series")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "SLACK_WEBHOOK_URL": webhook.url, "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port), "SMTP_STARTTLS": "false",
            "EMAIL_FROM": "reportwatch@example.org", "EMAIL_TO": "analyst@example.org",
        }.items():  # fmt: skip
            env.setenv(f"REPORTWATCH_{name}", value)
        result = run_demo(Console(file=out, width=200), load_settings(data_dir=data_dir))
    yield data_dir, result, out.getvalue()


def _rows(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    with open_reader(data_dir / "snapshot.duckdb") as con:
        return con.execute(sql).fetchall()


def test_the_demo_runs_every_series_with_an_archive(demo: tuple[Path, dict[str, Any], str]) -> None:
    data_dir, result, output = demo
    runs = result["series"]
    assert sorted(runs) == ["kfor", "minurso"]
    assert (runs["kfor"]["loaded"], runs["minurso"]["loaded"]) == (16, 5)
    assert runs["minurso"]["status"] == "completed"
    for title in ("KFOR: figures by report", "MINURSO: figures by report", "MINURSO: documents"):
        assert title in output
    for headline in WANTED.values():
        assert headline in output
    rows = _rows(data_dir, "SELECT count(*), count(DISTINCT symbol) FROM minurso_contributions")
    assert rows == [(4 * 30 + 2, 4)]  # four tables read (29, 29, 30, 30 countries + Total)


def test_strength_and_membership_alerts_are_delivered_as_for_kfor(
    demo: tuple[Path, dict[str, Any], str], webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    data_dir, _, _ = demo
    raised = dict(_rows(data_dir, "SELECT rule_id, headline FROM alerts WHERE series = 'minurso'"))
    for rule, headline in WANTED.items():
        assert raised.get(rule) == headline
    ledger = _rows(
        data_dir,
        """SELECT a.rule_id, d.channel, d.status FROM deliveries d JOIN alerts a USING (alert_key)
           WHERE a.series = 'minurso' AND a.rule_id IN ('military-strength-change',
                 'authorized-strength-change', 'contributing-countries-change')""",
    )
    assert {(rule, channel) for rule, channel, _ in ledger} == {
        (rule, channel) for rule in WANTED for channel in ("console", "slack", "email")
    }
    assert {status for _, _, status in ledger} == {"delivered"}
    posted = " ".join(p.json()["text"] for p in webhook.posts)
    assert all(headline in posted for headline in WANTED.values())
    assert any("KFOR troop level up 18.4%" in p.json()["text"] for p in webhook.posts)
    digests = [m for m in smtp.mail if "MINURSO" in m.part("text/plain")]
    assert len(digests) == 1  # one digest for the MINURSO run
    assert all(headline in digests[0].part("text/plain") for headline in WANTED.values())


def test_a_second_demo_downloads_and_loads_nothing(demo: tuple[Path, dict[str, Any], str]) -> None:
    data_dir, _, _ = demo
    again = run_demo(Console(file=io.StringIO()), load_settings(data_dir=data_dir))
    assert again["pdf_downloads"] == 0
    assert {name: run["loaded"] for name, run in again["series"].items()} == {
        "kfor": 0,
        "minurso": 0,
    }


def test_status_shows_each_series_by_its_own_main_figure(
    demo: tuple[Path, dict[str, Any], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from flows.cli.main import app

    data_dir, _, _ = demo
    monkeypatch.setenv("COLUMNS", "200")
    shown = CliRunner().invoke(app, ["status", "--data-dir", str(data_dir)])
    assert shown.exit_code == 0, shown.output
    cells = [[c.strip() for c in line.split("\u2502")[1:-1]] for line in shown.output.splitlines()]
    latest = {
        row[0]: row for row in cells if row and row[0] in ("kfor", "minurso") and "S/" in row[1]
    }
    (strength,) = _rows(
        data_dir,
        """SELECT o.value FROM latest_reports l JOIN observations o USING (document_id)
           WHERE l.series = 'minurso' AND o.metric = 'military_strength'""",
    )
    assert "military_strength" in latest["minurso"] and f"{int(strength[0])}" in latest["minurso"]
    assert "troops_total" in latest["kfor"] and "4,500" in latest["kfor"]
