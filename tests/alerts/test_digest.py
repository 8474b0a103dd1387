"""The weekly digest: one message per channel with the period's alerts, over real servers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import SecretStr

from reportwatch.models import Alert
from reportwatch.series import ChannelConfig, load_series
from reportwatch.settings import Settings
from tasks.alerts.digest import send_digest
from tests.slack_server import LoopbackWebhook
from warehouse import open_writer
from warehouse.alerts import alerts_raised_between, insert_alerts

KFOR = load_series("kfor")
UNTIL = dt.date(2023, 10, 9)


def _alert(key: str, severity: str, headline: str, raised: dt.datetime) -> Alert:
    return Alert(key=key, rule_id="troop-level-change", rule_kind="metric-change", series="kfor",
                 severity=severity, headline=headline, raised_at=raised)  # type: ignore[arg-type]  # fmt: skip


def test_each_channel_gets_one_digest_of_the_week_at_its_severity(
    tmp_path: Path, webhook: LoopbackWebhook, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path, slack_webhook_url=SecretStr(webhook.url))
    with open_writer(settings.warehouse_path) as con:
        insert_alerts(con, [
            _alert("a", "critical", "KFOR troop level up 18.4% to approximately 4,500", dt.datetime(2023, 10, 5)),
            _alert("b", "warning", "KFOR report S/2023/668 mentions: attack", dt.datetime(2023, 10, 3)),
            _alert("c", "info", "New KFOR report S/2023/668", dt.datetime(2023, 10, 3)),
            _alert("d", "critical", "An old alert from last month", dt.datetime(2023, 9, 1)),
        ], series="kfor", run_id=None)  # fmt: skip
    config = KFOR.model_copy(update={"channels": [
        ChannelConfig(kind="slack", min_severity="warning"), ChannelConfig(kind="console"),
    ]})  # fmt: skip
    result = send_digest(config, settings, until=UNTIL, days=7)
    assert result.alerts == 3 and result.sent == ["slack", "console"]
    assert len(webhook.posts) == 1
    text = str(webhook.posts[0].json())
    assert "4,500" in text and "mentions: attack" in text
    assert "New KFOR report" not in text and "old alert" not in text
    printed = capsys.readouterr().out
    assert "New KFOR report S/2023/668" in printed and "old alert" not in printed


def test_a_channel_without_settings_is_skipped_with_the_setting_named(tmp_path: Path) -> None:
    config = KFOR.model_copy(update={"channels": [ChannelConfig(kind="email")]})
    result = send_digest(config, Settings(data_dir=tmp_path), until=UNTIL)
    assert result.sent == []
    assert "REPORTWATCH_SMTP_HOST" in result.skipped["email"]


def test_the_window_is_the_seven_days_before_the_logical_date_half_open(tmp_path: Path) -> None:
    edges = [dt.datetime(2023, 10, 1, 23, 59, 59), dt.datetime(2023, 10, 2),
             dt.datetime(2023, 10, 8, 23, 59, 59), dt.datetime(2023, 10, 9)]  # fmt: skip
    with open_writer(tmp_path / "w.duckdb") as con:
        insert_alerts(con, [_alert(f"{t:%d %H:%M:%S}", "warning", "edge", t) for t in edges],
                      series="kfor", run_id=None)  # fmt: skip
        week = alerts_raised_between(con, series="kfor", start=dt.date(2023, 10, 2), before=UNTIL)
    assert [a.key for a in week] == ["02 00:00:00", "08 23:59:59"]


def test_an_alert_raised_after_the_0800_digest_goes_in_the_next_weeks(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    settings = Settings(data_dir=tmp_path, slack_webhook_url=SecretStr(webhook.url))
    config = KFOR.model_copy(update={"channels": [ChannelConfig(kind="slack")]})
    week = dt.timedelta(days=7)

    def raise_at(when: dt.datetime) -> None:
        with open_writer(settings.warehouse_path) as con:
            insert_alerts(con, [_alert(f"{when}", "warning", f"Raised {when}", when)],
                          series="kfor", run_id=None)  # fmt: skip

    # Every Monday at 08:00 the digest of the week before goes out (UNTIL is a Monday).
    raise_at(dt.datetime(2023, 10, 2, 0, 0))
    raise_at(dt.datetime(2023, 10, 8, 23, 59))
    raise_at(dt.datetime(2023, 10, 9, 7, 59))  # the digest day, before the run
    send_digest(config, settings, until=UNTIL)
    raise_at(dt.datetime(2023, 10, 9, 12, 0))  # the digest day, after the run
    raise_at(dt.datetime(2023, 10, 16, 0, 0))  # next Monday at midnight
    send_digest(config, settings, until=UNTIL + week)
    send_digest(config, settings, until=UNTIL + 2 * week)

    sent = [str(post.json()) for post in webhook.posts]
    assert len(sent) == 3
    expected = [["2023-10-02 00:00:00", "2023-10-08 23:59:00"],
                ["2023-10-09 07:59:00", "2023-10-09 12:00:00"], ["2023-10-16 00:00:00"]]  # fmt: skip
    everything = [when for digest in expected for when in digest]
    for text, raised in zip(sent, expected, strict=True):  # each alert in exactly one digest
        assert [when for when in everything if f"Raised {when}" in text] == raised
