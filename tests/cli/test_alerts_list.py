"""``reportwatch alerts list``: most severe first, ``--severity``, and a reason where nothing was sent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.models import Alert
from warehouse import open_writer
from warehouse.alerts import insert_alerts, queue_deliveries, record_attempt

runner = CliRunner()
DAY = dt.datetime(2024, 6, 30, 6, 0, tzinfo=dt.UTC)


def alert(n: int, severity: str, headline: str, hours: int) -> Alert:
    return Alert(
        key=f"kfor:test:{n}", rule_id="new-document" if severity == "info" else "troop-level-change",
        rule_kind="new-document" if severity == "info" else "metric-change", series="kfor",
        severity=severity, headline=headline, symbol=f"S/2024/{n}",
        raised_at=DAY + dt.timedelta(hours=hours),
    )  # fmt: skip


@pytest.fixture
def ledger(data_dir: Path) -> Path:
    """Five new-document notices raised after a critical and a warning alert."""
    critical = alert(1, "critical", "KFOR troop level up 18.4% to approximately 4,500", 0)
    warning = alert(2, "warning", "KFOR report S/2024/2 mentions: barricade [sic]", 1)
    notices = [alert(10 + n, "info", f"New report S/2024/{10 + n} loaded", 2 + n) for n in range(5)]
    with open_writer(data_dir / "warehouse.duckdb") as con:
        insert_alerts(con, [critical, warning, *notices], series="kfor", run_id=None)
        for channel in ("console", "slack"):
            queue_deliveries(con, channel=channel, keys=[critical.key, warning.key], series="kfor")
        record_attempt(con, channel="console", keys=[critical.key, warning.key], ok=True)
        record_attempt(con, channel="slack", keys=[critical.key], ok=False, error="HTTP 500")
    return data_dir


def rows(output: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("│").split("│")] for line in output.splitlines()
            if line.startswith("│")]  # fmt: skip


def test_the_most_severe_come_first_whatever_their_age(ledger: Path) -> None:
    result = runner.invoke(app, ["alerts", "list"])
    assert result.exit_code == 0, result.output
    listed = rows(result.output)
    assert [r[0] for r in listed] == ["critical", "warning"] + ["info"] * 5
    assert listed[0][4] == "KFOR troop level up 18.4% to approximately 4,500"  # one line, whole
    assert listed[1][4] == "KFOR report S/2024/2 mentions: barricade [sic]"
    assert listed[0][5] == "console:delivered, slack:pending"


def test_an_alert_no_channel_took_says_why(ledger: Path) -> None:
    listed = rows(runner.invoke(app, ["alerts", "list"]).output)
    assert {r[5] for r in listed if r[0] == "info"} == {
        "none: below every channel's minimum severity (warning)"
    }


@pytest.mark.parametrize(
    ("severity", "shown"),
    [("critical", ["critical"]), ("warning", ["critical", "warning"]), ("info", None)],
)
def test_severity_keeps_that_severity_and_worse(
    ledger: Path, severity: str, shown: list[str] | None
) -> None:
    result = runner.invoke(app, ["alerts", "list", "--severity", severity])
    assert result.exit_code == 0, result.output
    got = [r[0] for r in rows(result.output)]
    assert got == (shown or ["critical", "warning"] + ["info"] * 5)


def test_pending_lists_the_undelivered_channel_with_its_error(ledger: Path) -> None:
    result = runner.invoke(app, ["alerts", "list", "--pending", "--severity", "critical"])
    assert result.exit_code == 0, result.output
    (row,) = rows(result.output)
    assert row[0] == "critical" and "slack" in row and "HTTP 500" in row
