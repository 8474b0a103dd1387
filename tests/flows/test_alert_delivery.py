"""Alert delivery end to end: the ingestion flow, the loopback mirror, Slack and SMTP on 127.0.0.1.

The tests of this module are one story told in order (module-scoped servers and warehouse):
Slack is down while email works, Slack comes back (configured by a Prefect Secret block this
time), nothing repeats, Slack rate-limits, and finally a run fails and tells the ops channel.
Assertions are on what the servers received, checked against the alerts table.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client

from flows.ingest import ingest
from reportwatch.demo.mirror import MirrorServer
from reportwatch.series import BUNDLED_SERIES_DIR
from tasks.alerts.secrets import SLACK_WEBHOOK_BLOCK
from tests.slack_server import WEBHOOK_PATH, LoopbackWebhook, Reply
from tests.smtp_server import LoopbackSMTP
from warehouse import open_writer

pytestmark = pytest.mark.flow

TOKEN = WEBHOOK_PATH.rsplit("/", 1)[1]
RECIPIENTS = ["analyst@example.org", "duty-officer@example.org"]
SINCE = dt.date(2023, 9, 1)  # the last three sample reports: the 2023 reinforcement among them
AS_OF = dt.date(2024, 6, 30)
OVERDUE_AS_OF = dt.date(2024, 12, 31)  # the report for Q2 2024 never arrives


@pytest.fixture(scope="module")
def smtp() -> Iterator[LoopbackSMTP]:
    with LoopbackSMTP() as server:
        yield server


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, mirror: MirrorServer, webhook: LoopbackWebhook,
                 smtp: LoopbackSMTP, data_dir: Path) -> None:  # fmt: skip
    for name, value in {
        "DATA_DIR": str(data_dir), "UNDL_URL": mirror.base_url, "ODS_URL": mirror.base_url,
        "ALLOWED_HOSTS": "127.0.0.1", "MIN_REQUEST_INTERVAL": "0",
        "SLACK_WEBHOOK_URL": webhook.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
        "SMTP_STARTTLS": "false", "EMAIL_FROM": "reportwatch@example.org",
        "EMAIL_TO": ",".join(RECIPIENTS),
    }.items():  # fmt: skip
        monkeypatch.setenv(f"REPORTWATCH_{name}", value)


def rows(data_dir: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with open_writer(data_dir / "warehouse.duckdb") as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def slack_ledger(data_dir: Path) -> list[dict[str, Any]]:
    return rows(
        data_dir,
        """SELECT a.headline, d.* FROM deliveries d JOIN alerts a USING (alert_key)
           WHERE d.channel = 'slack' ORDER BY a.alert_key""",
    )


def headlines_posted(webhook: LoopbackWebhook, start: int = 0) -> list[str]:
    # Slack's notification text is "<emoji> [severity] <headline> (<symbol>)"
    return [p.json()["text"] for p in webhook.posts[start:]]


def test_first_run_with_slack_down_emails_the_digest_and_keeps_slack_pending(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP, data_dir: Path
) -> None:
    webhook.reply_with(Reply(status=500, body="internal_error"))
    result = ingest(series="kfor", since=SINCE, as_of=AS_OF)
    # a channel failed: the run completed, degraded, and says which
    assert result["status"] == "completed-degraded" and result["loaded"] == 3
    assert result["degraded"] == [result["delivery_errors"]["slack"]]

    wanted = rows(data_dir, "SELECT * FROM alerts WHERE severity IN ('warning', 'critical')")
    jump = rows(data_dir, "SELECT * FROM alerts WHERE rule_id = 'troop-level-change'")
    assert len(jump) == 1 and len(wanted) >= 3
    jump_row = jump[0]
    assert (jump_row["value"], jump_row["previous_value"], jump_row["pct_change"]) == (
        4500, 3800, 18.4,
    )  # fmt: skip

    # email: one digest for the run, to every recipient, with the facts to act on
    assert len(smtp.mail) == 1
    mail = smtp.mail[0]
    assert sorted(mail.rcpt_tos) == sorted(RECIPIENTS)
    assert mail.message["Subject"].startswith(
        f"[reportwatch][critical] {len(wanted)} alerts (2 critical, {len(wanted) - 2} warning): "
    )
    text = mail.part("text/plain")
    for fact in [
        "approximately 4,500 troops", "3,800 troops", "+700 (+18.4%)", jump_row["symbol"],
        jump_row["source_url"], jump_row["previous_symbol"],
        f"page {jump_row['evidence_page']}, paragraph {jump_row['evidence_paragraph']}",
    ]:  # fmt: skip
        assert fact in text, fact
    assert all(a["headline"] in text for a in wanted)

    # Slack: one attempt answered 500; every alert for Slack waits, saying why
    assert len(webhook.posts) == 1
    ledger = slack_ledger(data_dir)
    assert len(ledger) == len(wanted) and {r["status"] for r in ledger} == {"pending"}
    assert sorted(r["attempts"] for r in ledger) == [0] * (len(wanted) - 1) + [1]
    assert all("500 internal_error" in r["last_error"] for r in ledger)
    assert all(TOKEN not in r["last_error"] for r in ledger)
    assert result["delivery_errors"]["slack"].startswith("transient (retried on the next run)")


@pytest.fixture
def slack_from_secret_block(
    monkeypatch: pytest.MonkeyPatch, webhook: LoopbackWebhook
) -> Iterator[None]:
    monkeypatch.delenv("REPORTWATCH_SLACK_WEBHOOK_URL")
    Secret(value=webhook.url).save(SLACK_WEBHOOK_BLOCK, overwrite=True)
    yield
    Secret.delete(SLACK_WEBHOOK_BLOCK)  # later tests must not find it


@pytest.mark.usefixtures("slack_from_secret_block")
def test_second_run_delivers_each_pending_alert_once_via_the_secret_block(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = len(webhook.posts)
    result = ingest(series="kfor", as_of=AS_OF)
    assert result["loaded"] == 0 and result["alerts_raised"] == 0

    ledger = slack_ledger(data_dir)
    posted = headlines_posted(webhook, before)
    assert len(posted) == len(ledger)  # each pending alert exactly once
    for row in ledger:
        assert sum(row["headline"] in text for text in posted) == 1, row["headline"]
    assert {r["status"] for r in ledger} == {"delivered"}
    assert len(smtp.mail) == 1  # email had nothing pending
    assert f"using the Secret block '{SLACK_WEBHOOK_BLOCK}'" in caplog.text
    assert TOKEN not in caplog.text


def test_third_run_sends_nothing_anywhere(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    posts, mails = len(webhook.posts), len(smtp.mail)
    capsys.readouterr()
    result = ingest(series="kfor", as_of=AS_OF)
    assert result["alerts_delivered"] == 0
    assert (len(webhook.posts), len(smtp.mail)) == (posts, mails)
    assert "KFOR" not in capsys.readouterr().out  # nor on the console


def test_slack_retry_after_is_honoured_across_runs(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP, data_dir: Path
) -> None:
    posts, mails = len(webhook.posts), len(smtp.mail)
    webhook.reply_with(Reply(status=429, body="rate_limited", headers={"Retry-After": "600"}))
    limited = ingest(series="kfor", as_of=OVERDUE_AS_OF)
    assert limited["alerts_raised"] == 1  # the overdue report
    assert len(webhook.posts) == posts + 1 and len(smtp.mail) == mails + 1
    assert "is overdue" in smtp.mail[-1].message["Subject"]
    waiting = [r for r in slack_ledger(data_dir) if r["status"] == "pending"]
    assert len(waiting) == 1 and waiting[0]["next_attempt_at"] is not None
    # The deadline counts from when the 429 arrived, which the ledger keeps as the attempt time.
    wait = waiting[0]["next_attempt_at"] - waiting[0]["last_attempt_at"]
    assert wait == dt.timedelta(seconds=600)

    ingest(series="kfor", as_of=OVERDUE_AS_OF)  # straight away: Slack is left alone
    assert len(webhook.posts) == posts + 1 and len(smtp.mail) == mails + 1

    # Ten minutes pass (moved on the ledger's clock rather than slept through).
    with open_writer(data_dir / "warehouse.duckdb") as con:
        con.execute(
            "UPDATE deliveries SET next_attempt_at = next_attempt_at - INTERVAL 601 SECOND"
            " WHERE status = 'pending'"
        )
    ingest(series="kfor", as_of=OVERDUE_AS_OF)
    assert len(webhook.posts) == posts + 2
    assert "is overdue" in headlines_posted(webhook)[-1]
    assert {r["status"] for r in slack_ledger(data_dir)} == {"delivered"}
    assert len(smtp.mail) == mails + 1


@pytest.fixture
def broken_series_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kfor series with a source kind nothing knows, and Slack as its ops channel."""
    folder = tmp_path / "series"
    shutil.copytree(BUNDLED_SERIES_DIR / "profiles", folder / "profiles")
    config = yaml.safe_load((BUNDLED_SERIES_DIR / "kfor.yaml").read_text(encoding="utf-8"))
    config["sources"] = [{"kind": "no-such-source"}]
    config["channels"] = [{"kind": "slack", "ops": True}, {"kind": "email"}]
    (folder / "kfor.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("REPORTWATCH_SERIES_DIR", str(folder))
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path / "data"))
    return folder


@pytest.mark.usefixtures("broken_series_dir")
def test_a_failed_run_sends_one_ops_message_naming_run_stage_and_error(
    smtp: LoopbackSMTP, monkeypatch: pytest.MonkeyPatch
) -> None:
    mails = len(smtp.mail)
    with LoopbackWebhook() as ops:
        monkeypatch.setenv("REPORTWATCH_SLACK_WEBHOOK_URL", ops.url)
        state = ingest(series="kfor", as_of=AS_OF, return_state=True)
        flow_run_id = state.state_details.flow_run_id
        assert state.is_failed() and flow_run_id is not None
        with get_client(sync_client=True) as client:
            run_name = client.read_flow_run(flow_run_id).name
    assert len(ops.posts) == 1 and len(smtp.mail) == mails  # email is not an ops channel
    text = ops.posts[0].json()["text"]
    assert text.startswith(
        f":rotating_light: [critical] reportwatch-ingest run {run_name} failed in stage discover: "
        "SeriesError: "
    )
    assert "kfor.yaml: series kfor: unknown source kind 'no-such-source' (known kinds: " in text
    assert "undl-oai" in json.dumps(ops.posts[0].json())  # the hint, whole, in the message
