"""The weekly digest: one message per channel with the period's alerts, over real servers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from reportwatch.models import Alert
from reportwatch.series import ChannelConfig, load_series
from reportwatch.settings import Settings
from tasks.digest import send_digest
from tests.slack_server import LoopbackWebhook
from warehouse import open_writer
from warehouse.alerts import insert_alerts

KFOR = load_series("kfor")
UNTIL = dt.date(2023, 10, 9)


def _alert(key: str, severity: str, headline: str, raised: dt.datetime) -> Alert:
    return Alert(key=key, rule_id="troop-level-change", rule_kind="metric-change", series="kfor",
                 severity=severity, headline=headline, raised_at=raised)  # type: ignore[arg-type]  # fmt: skip


@pytest.fixture
def webhook() -> Iterator[LoopbackWebhook]:
    with LoopbackWebhook() as server:
        yield server


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
