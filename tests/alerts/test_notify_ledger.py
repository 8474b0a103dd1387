"""The delivery ledger: what the loopback Slack webhook and SMTP server receive, run after run.

``deliver`` runs on a real DuckDB file with the sample alerts inserted; Slack is the
http.server webhook of tests/slack_server.py, email the aiosmtpd server of tests/smtp_server.py.
The wall clock (Retry-After) is passed in as ``now``, the logical date as ``today``.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from pydantic import SecretStr
from typer.testing import CliRunner

from flows.cli.alerts import alerts_app
from flows.cli.main import app
from reportwatch.models import Alert
from reportwatch.series import ChannelConfig, SeriesConfig, load_series
from reportwatch.settings import Settings
from tasks.alerts.detect import KNOWN_RULE_KINDS
from tasks.alerts.examples import sample_alerts
from tasks.alerts.notifiers.render import TEST_BANNER
from tasks.alerts.notify import DeliverySummary, deliver
from tasks.alerts.secrets import (
    SLACK_WEBHOOK_BLOCK,
    SMTP_PASSWORD_BLOCK,
    secret_hint,
    with_secret_blocks,
)
from tests.slack_server import WEBHOOK_PATH, LoopbackWebhook, Reply, refused_port
from tests.smtp_server import LoopbackSMTP
from warehouse import open_writer
from warehouse.alerts import insert_alerts, mute

KFOR = load_series("kfor")
TOKEN = WEBHOOK_PATH.rsplit("/", 1)[1]
RECIPIENTS = ["analyst@example.org", "duty-officer@example.org"]
TODAY = dt.date(2024, 2, 19)
NOW = dt.datetime(2026, 1, 5, 6, 0)
TROOPS, INCIDENT, NATIONS = sample_alerts()  # critical, critical, info
# Pending alerts go out oldest period first; these two share period and time, so by key.
IN_ORDER = [
    f":rotating_light: {a.headline}" for a in sorted([TROOPS, INCIDENT], key=lambda a: a.key)
]
runner = CliRunner()


def series(*channels: ChannelConfig) -> SeriesConfig:
    return KFOR.model_copy(update={"channels": list(channels)})


def settings_for(tmp_path: Path, webhook: LoopbackWebhook | None = None,
                 smtp: LoopbackSMTP | None = None, **extra: Any) -> Settings:  # fmt: skip
    values: dict[str, Any] = {"data_dir": tmp_path}
    if webhook is not None:
        values["slack_webhook_url"] = SecretStr(webhook.url)
    if smtp is not None:
        values.update(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls=False,
                      email_from="reportwatch@example.org", email_to=RECIPIENTS)  # fmt: skip
    return Settings(**{**values, **extra})


def raise_alerts(settings: Settings, *alerts: Alert) -> list[Alert]:
    with open_writer(settings.warehouse_path) as con:
        return insert_alerts(con, list(alerts), series="kfor", run_id=None)


def ledger(settings: Settings) -> dict[tuple[str, str], dict[str, Any]]:
    with open_writer(settings.warehouse_path) as con:
        cur = con.execute("SELECT * FROM deliveries")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {(r["alert_key"], r["channel"]): r for r in rows}


def run(config: SeriesConfig, settings: Settings, alerts: list[Alert] | None = None, *,
        today: dt.date = TODAY, now: dt.datetime | Callable[[], dt.datetime] = NOW,
        **options: Any) -> DeliverySummary:  # fmt: skip
    return deliver(config, settings, alerts or [], today=today, now=now, use_secret_blocks=False,
                   **options)  # fmt: skip


def headers(webhook: LoopbackWebhook) -> list[str]:
    return [p.json()["blocks"][0]["text"]["text"] for p in webhook.posts]


def new_alert(n: int) -> Alert:
    return TROOPS.model_copy(update={"key": f"later-{n}", "headline": f"Later alert {n}"})


def raised(alert: Alert, ago: dt.timedelta) -> Alert:
    """``alert`` as raised ``ago`` before NOW (the sample alerts were raised in 2024)."""
    return alert.model_copy(update={"raised_at": NOW - ago})


def loads_count(settings: Settings) -> int:
    with open_writer(settings.warehouse_path) as con:
        row = con.execute("SELECT count(*) FROM loads").fetchone()
    return int(row[0]) if row else 0


SLACK = ChannelConfig(kind="slack", min_severity="warning")


# -- failures, retries, exactly once ------------------------------------------------------------
def test_slack_500_leaves_alerts_pending_then_each_is_delivered_once(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    settings = settings_for(tmp_path, webhook)
    fresh = raise_alerts(settings, TROOPS, INCIDENT, NATIONS)
    webhook.reply_with(Reply(status=500, body="internal_error"))

    first = run(series(SLACK), settings, fresh)
    assert len(webhook.posts) == 1  # the first failure stops the channel for this run
    assert first.delivered == 0 and first.pending == 2
    rows = ledger(settings)
    assert set(rows) == {(TROOPS.key, "slack"), (INCIDENT.key, "slack")}  # info is below warning
    tried, untried = rows[(INCIDENT.key, "slack")], rows[(TROOPS.key, "slack")]
    assert (tried["status"], tried["attempts"]) == ("pending", 1)
    assert tried["last_error"].startswith("transient (retried on the next run): slack:")
    assert "failed with 500 internal_error" in tried["last_error"]
    assert (untried["status"], untried["attempts"]) == ("pending", 0)
    assert untried["last_error"].startswith("not attempted: an earlier slack message failed")
    assert all(TOKEN not in r["last_error"] for r in rows.values())

    second = run(series(SLACK), settings)
    assert second.delivered == 2 and second.pending == 0
    assert headers(webhook)[1:] == IN_ORDER
    assert {r["status"] for r in ledger(settings).values()} == {"delivered"}

    third = run(series(SLACK), settings)
    assert third.delivered == 0 and len(webhook.posts) == 3


def test_smtp_temporary_refusal_is_retried_on_the_next_run(
    tmp_path: Path, smtp: LoopbackSMTP
) -> None:
    email = ChannelConfig(kind="email", min_severity="warning", digest="run")
    settings = settings_for(tmp_path, smtp=smtp)
    fresh = raise_alerts(settings, TROOPS, INCIDENT)
    smtp.handler.refuse_rcpt = "450 4.2.1 mailbox busy, try later"

    failed = run(series(email), settings, fresh)
    assert smtp.mail == [] and failed.errors["email"].startswith("transient")
    assert {r["attempts"] for r in ledger(settings).values()} == {1}

    smtp.handler.refuse_rcpt = None
    run(series(email), settings)
    run(series(email), settings)
    assert len(smtp.mail) == 1  # one digest for the run, never repeated
    assert sorted(smtp.mail[0].rcpt_tos) == sorted(RECIPIENTS)
    assert smtp.mail[0].message.get_all("X-Reportwatch-Alert-Key") == [INCIDENT.key, TROOPS.key]


def test_refused_login_is_terminal_stays_pending_and_fixing_the_password_delivers(
    tmp_path: Path,
) -> None:
    email = ChannelConfig(kind="email", min_severity="warning")
    with LoopbackSMTP(users={"alerts": "correct horse"}) as smtp:
        wrong = settings_for(tmp_path, smtp=smtp, smtp_username="alerts",
                             smtp_password=SecretStr("battery staple"))  # fmt: skip
        fresh = raise_alerts(wrong, TROOPS)
        run(series(email), wrong, fresh)
        run(series(email), wrong)  # a terminal error is tried again each run, not given up on
        row = ledger(wrong)[(TROOPS.key, "email")]
        assert (row["status"], row["attempts"]) == ("pending", 2)
        assert row["last_error"].startswith("terminal (fix the setting, then re-run): email:")
        assert "REPORTWATCH_SMTP_PASSWORD" in row["last_error"]
        assert "battery" not in row["last_error"]

        fixed = wrong.model_copy(update={"smtp_password": SecretStr("correct horse")})
        run(series(email), fixed)
        run(series(email), fixed)
    assert len(smtp.mail) == 1 and smtp.mail[0].authenticated_as == "alerts"
    assert TROOPS.headline in smtp.mail[0].message["Subject"]
    assert ledger(fixed)[(TROOPS.key, "email")]["status"] == "delivered"


def test_retry_after_skips_the_channel_until_then_without_waiting(
    tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    email = ChannelConfig(kind="email", min_severity="warning", digest="run")
    settings = settings_for(tmp_path, webhook, smtp)
    fresh = raise_alerts(settings, TROOPS, INCIDENT)
    webhook.reply_with(Reply(status=429, body="rate_limited", headers={"Retry-After": "30"}))

    first = run(series(SLACK, email), settings, fresh)
    assert len(webhook.posts) == 1 and len(smtp.mail) == 1  # email is not held up by Slack
    deadline = NOW + dt.timedelta(seconds=30)
    slack_rows = [r for (_, ch), r in ledger(settings).items() if ch == "slack"]
    assert [r["next_attempt_at"] for r in slack_rows] == [deadline, deadline]
    assert "429 rate_limited" in first.errors["slack"]
    assert "retried after 2026-01-05 06:00:30 UTC" in first.errors["slack"]

    early = run(series(SLACK, email), settings, now=NOW + dt.timedelta(seconds=10))
    assert len(webhook.posts) == 1
    assert early.waiting["slack"] == "rate limited until 2026-01-05 06:00:30 UTC"

    run(series(SLACK, email), settings, now=NOW + dt.timedelta(seconds=31))
    assert headers(webhook)[1:] == IN_ORDER
    assert len(smtp.mail) == 1


def test_retry_after_counts_from_when_the_429_arrived(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    settings = settings_for(tmp_path, webhook)
    fresh = raise_alerts(settings, TROOPS, INCIDENT)
    webhook.reply_with(
        Reply(), Reply(status=429, body="rate_limited", headers={"Retry-After": "30"})
    )
    readings: list[dt.datetime] = []

    def clock() -> dt.datetime:  # a minute passes each time deliver looks at the clock
        readings.append(NOW + dt.timedelta(minutes=len(readings)))
        return readings[-1]

    run(series(SLACK), settings, fresh, now=clock)
    assert len(webhook.posts) == 2
    first, limited = (
        ledger(settings)[(a.key, "slack")] for a in sorted(fresh, key=lambda a: a.key)
    )
    assert first["status"] == "delivered" and limited["status"] == "pending"
    assert limited["last_attempt_at"] > first["last_attempt_at"] > readings[0]
    assert limited["next_attempt_at"] == limited["last_attempt_at"] + dt.timedelta(seconds=30)


# -- alerts never queued, sends never recorded --------------------------------------------------
def test_alerts_never_handed_to_the_ledger_are_sent_however_old_and_once(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    settings = settings_for(tmp_path, webhook)
    day, minute = dt.timedelta(days=1), dt.timedelta(minutes=1)
    # detect stored these, then the run died before notify. A weekly schedule comes back a
    # week and a few minutes later: outside any catch-up window, and still owed.
    raise_alerts(settings, raised(TROOPS, 7 * day + 5 * minute),
                 raised(INCIDENT, 7 * day + 5 * minute), raised(NATIONS, day))  # fmt: skip

    summary = run(series(SLACK), settings)
    assert headers(webhook) == IN_ORDER  # not the info one (below the channel's severity)
    assert summary.delivered == 2 and summary.pending == 0
    run(series(SLACK), settings)
    assert len(webhook.posts) == 2
    with open_writer(settings.warehouse_path) as con:
        handed = con.execute("SELECT count(*) FROM alerts WHERE queued_at IS NULL").fetchone()
    assert handed == (0,)  # the info alert was handed over too: nothing is owed any more


def test_a_channel_unconfigured_when_alerts_were_raised_gets_them_once_configured(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    hour = dt.timedelta(hours=1)
    unreadable = settings_for(tmp_path)  # the Secret block could not be read this run
    fresh = raise_alerts(unreadable, raised(TROOPS, hour), raised(INCIDENT, hour))
    assert "slack" in run(series(SLACK), unreadable, fresh).skipped_channels

    later = run(series(SLACK), settings_for(tmp_path, webhook), now=NOW + hour)
    assert headers(webhook) == IN_ORDER and later.delivered == 2


def test_a_channel_that_cannot_be_built_queues_its_alerts_with_the_error(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    overrides = tmp_path / "slack-templates"
    channel = ChannelConfig(kind="slack", min_severity="warning", template=str(overrides))
    settings = settings_for(tmp_path, webhook)
    # raised in 2024: only their ledger rows, not the catch-up window, can deliver them now
    summary = run(series(channel), settings, raise_alerts(settings, TROOPS, INCIDENT))
    assert webhook.posts == []
    error = f"terminal (fix the setting, then re-run): template override {overrides} does not exist"
    assert summary.errors["slack"].startswith(error) and summary.pending == 2
    rows = ledger(settings)
    assert {(r["status"], r["attempts"]) for r in rows.values()} == {("pending", 0)}
    assert all(r["last_error"].startswith(error) for r in rows.values())

    overrides.mkdir()  # the fix: the folder exists (no file in it overrides anything)
    assert run(series(channel), settings).delivered == 2
    assert headers(webhook) == IN_ORDER


def test_an_smtp_quit_refused_after_the_mail_was_accepted_is_delivered_once(
    tmp_path: Path, smtp: LoopbackSMTP
) -> None:
    async def refuse_quit(*args: Any) -> str:
        return "421 4.3.2 shutting down"

    setattr(smtp.handler, "handle_QUIT", refuse_quit)  # noqa: B010 (not a declared field)
    email = ChannelConfig(kind="email", min_severity="warning")
    settings = settings_for(tmp_path, smtp=smtp)
    summary = run(series(email), settings, raise_alerts(settings, TROOPS))
    run(series(email), settings)
    assert len(smtp.mail) == 1 and summary.delivered == 1 and summary.errors == {}
    assert ledger(settings)[(TROOPS.key, "email")]["status"] == "delivered"


class LockAfterFirstPost(httpx.HTTPTransport):
    """Posts to the loopback webhook for real; once Slack has answered the first post, another
    process takes the warehouse's write lock and keeps it until ``release``."""

    def __init__(self, warehouse: Path) -> None:
        super().__init__()
        self._warehouse = warehouse
        self.holder: subprocess.Popen[str] | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if self.holder is None:
            self.holder = subprocess.Popen(
                [sys.executable, "-c", textwrap.dedent(f"""
                    import sys
                    from warehouse.connection import connect
                    con = connect({str(self._warehouse)!r})
                    print("locked", flush=True)
                    sys.stdin.readline()
                """)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            assert self.holder.stdout is not None
            assert self.holder.stdout.readline().strip() == "locked"
        return response

    def release(self) -> None:
        if self.holder is not None and self.holder.stdin is not None:
            self.holder.stdin.close()
            self.holder.wait(timeout=30)


def test_a_send_the_ledger_cannot_record_is_logged_and_counted_not_raised(
    tmp_path: Path, webhook: LoopbackWebhook, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(tmp_path, webhook)
    fresh = raise_alerts(settings, TROOPS, INCIDENT)
    locking = LockAfterFirstPost(settings.warehouse_path)
    try:
        # Before the fix this raised WarehouseLockedError: Prefect's retry then resent at once.
        summary = run(series(SLACK), settings, fresh, transport=locking, lock_wait=0.2)
    finally:
        locking.release()
    assert len(webhook.posts) == 1  # the second alert is not sent while nothing can be recorded
    assert summary.unrecorded == 1 and summary.delivered == 1
    assert "sent but not recorded as delivered" in summary.errors["slack"]
    assert "may be sent again" in caplog.text and "locked by another process" in caplog.text
    sent = webhook.posts[0].json()["blocks"][0]["text"]["text"]
    assert sent == IN_ORDER[0]
    # The honest remainder: nobody knows whether the sent alert arrived. Its claim stays
    # ("sending", this process) until its claimer is done with it; the next send repeats it.
    rows = {key: r["status"] for (key, _), r in ledger(settings).items()}
    assert rows == {fresh[0].key: "sending", fresh[1].key: "pending"} or rows == {
        fresh[1].key: "sending",
        fresh[0].key: "pending",
    }
    again = run(series(SLACK), settings)
    assert again.delivered == 2 and len(webhook.posts) == 3  # the one repeat, then the other
    assert webhook.posts[1].body == webhook.posts[0].body


def test_rerunning_detect_and_notify_over_the_same_alerts_adds_no_load(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    settings = settings_for(tmp_path, webhook)
    run(series(SLACK), settings, raise_alerts(settings, TROOPS, INCIDENT))
    loads = loads_count(settings)
    assert loads == 2  # one for the alerts, one for their delivery rows
    assert raise_alerts(settings, TROOPS, INCIDENT) == []
    run(series(SLACK), settings)
    assert loads_count(settings) == loads and len(webhook.posts) == 2


# -- digests ------------------------------------------------------------------------------------
def test_run_digest_is_one_message_per_run(tmp_path: Path, webhook: LoopbackWebhook) -> None:
    digest = ChannelConfig(kind="slack", min_severity="info", digest="run")
    settings = settings_for(tmp_path, webhook)
    run(series(digest), settings, raise_alerts(settings, TROOPS, INCIDENT, NATIONS))
    run(series(digest), settings, raise_alerts(settings, new_alert(1)))
    assert len(webhook.posts) == 2
    first_digest = str(webhook.posts[0].json())
    assert all(a.headline in first_digest for a in (TROOPS, INCIDENT, NATIONS))
    assert "Later alert 1" in str(webhook.posts[1].json())


def test_day_digest_goes_once_per_logical_day(tmp_path: Path, webhook: LoopbackWebhook) -> None:
    daily = series(ChannelConfig(kind="slack", min_severity="warning", digest="day"))
    settings = settings_for(tmp_path, webhook)
    tomorrow = TODAY + dt.timedelta(days=1)
    webhook.reply_with(Reply(status=503, body="unavailable"))

    run(daily, settings, raise_alerts(settings, TROOPS, INCIDENT))  # fails: no digest today yet
    run(daily, settings)  # so a later run the same day sends it
    assert len(webhook.posts) == 2
    held = run(daily, settings, raise_alerts(settings, new_alert(1)))
    assert len(webhook.posts) == 2 and held.pending == 1
    assert held.waiting["slack"] == f"today's digest was sent; the next goes on {tomorrow}"

    run(daily, settings, today=tomorrow)
    run(daily, settings, raise_alerts(settings, new_alert(2)), today=tomorrow)
    assert len(webhook.posts) == 3
    sent = str(webhook.posts[2].json())
    assert "Later alert 1" in sent and TROOPS.headline not in sent
    assert ledger(settings)[("later-2", "slack")]["status"] == "pending"


# -- muting -------------------------------------------------------------------------------------
def test_a_muted_rule_is_recorded_muted_on_every_channel_and_sent_nowhere(
    tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    channels = [ChannelConfig(kind=k, min_severity="info") for k in ("console", "slack", "email")]
    settings = settings_for(tmp_path, webhook, smtp)
    with open_writer(settings.warehouse_path) as con:
        mute(con, rule_id=TROOPS.rule_id, series="kfor", until=None)
        mute(con, rule_id=NATIONS.rule_id, series="kfor", until=TODAY - dt.timedelta(days=1))

    summary = run(series(*channels), settings, raise_alerts(settings, TROOPS, INCIDENT, NATIONS))
    rows = ledger(settings)
    assert {ch: rows[(TROOPS.key, ch)]["status"] for ch in ("console", "slack", "email")} == {
        "console": "muted", "slack": "muted", "email": "muted",
    }  # fmt: skip
    assert {r["status"] for (k, _), r in rows.items() if k != TROOPS.key} == {"delivered"}
    assert summary.muted == 3 and summary.delivered == 6  # an expired mute mutes nothing
    sent = [str(p.json()) for p in webhook.posts] + [m.raw.decode() for m in smtp.mail]
    sent.append(capsys.readouterr().out)
    assert all(TROOPS.headline not in text for text in sent)
    assert len(webhook.posts) == 2 and len(smtp.mail) == 2


def test_muting_a_rule_also_stops_its_alerts_still_pending(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    settings = settings_for(tmp_path, webhook)
    webhook.reply_with(Reply(status=500, body="internal_error"))
    run(series(SLACK), settings, raise_alerts(settings, TROOPS, INCIDENT))
    with open_writer(settings.warehouse_path) as con:
        mute(con, rule_id=TROOPS.rule_id, series="kfor", until=None)
    run(series(SLACK), settings)
    assert headers(webhook)[1:] == [f":rotating_light: {INCIDENT.headline}"]
    assert ledger(settings)[(TROOPS.key, "slack")]["status"] == "muted"


# -- configuration and secrets ------------------------------------------------------------------
def test_an_unconfigured_channel_names_the_setting_and_its_alerts_stay_pending(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    settings = settings_for(tmp_path)
    summary = run(series(SLACK), settings, raise_alerts(settings, TROOPS))
    said = (
        "not configured: set REPORTWATCH_SLACK_WEBHOOK_URL "
        "(or save the Prefect Secret block 'reportwatch-slack-webhook-url')"
    )
    assert summary.skipped_channels["slack"] == said
    assert summary.errors == {}  # named, not failed: nothing was tried
    row = ledger(settings)[(TROOPS.key, "slack")]
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 0, f"slack: {said}")
    assert secret_hint(["REPORTWATCH_SMTP_HOST"]) is None

    # a quiet run still names it; once configured, the waiting alert goes out
    quiet = run(series(SLACK), settings_for(tmp_path), now=NOW + dt.timedelta(hours=1))
    assert quiet.skipped_channels == {"slack": said} and quiet.pending == 1
    later = run(series(SLACK), settings_for(tmp_path, webhook), now=NOW + dt.timedelta(hours=2))
    assert later.delivered == 1 and headers(webhook) == [f":rotating_light: {TROOPS.headline}"]


def test_an_unconfigured_channel_with_nothing_waiting_is_still_named(
    tmp_path: Path,
) -> None:
    summary = run(series(SLACK), settings_for(tmp_path))
    assert summary.skipped_channels == {
        "slack": "not configured: set REPORTWATCH_SLACK_WEBHOOK_URL "
        "(or save the Prefect Secret block 'reportwatch-slack-webhook-url')"
    }
    assert summary.errors == {} and ledger(settings_for(tmp_path)) == {}


def test_a_broken_template_override_is_recorded_as_terminal_not_raised(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "slack.json.j2").write_text("{{ no_such_variable }}", encoding="utf-8")
    channel = ChannelConfig(kind="slack", min_severity="warning", template=str(overrides))
    settings = settings_for(tmp_path, webhook)
    summary = run(series(channel), settings, raise_alerts(settings, TROOPS))
    assert webhook.posts == []
    assert summary.errors["slack"].startswith("terminal (fix the setting, then re-run): template")
    assert "no_such_variable" in summary.errors["slack"]
    assert ledger(settings)[(TROOPS.key, "slack")]["status"] == "pending"


def test_the_webhook_secret_reaches_no_log_ledger_or_summary(
    tmp_path: Path, webhook: LoopbackWebhook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = settings_for(tmp_path, webhook)
    webhook.reply_with(Reply(status=404, body="no_service"))
    summary = run(series(SLACK), settings, raise_alerts(settings, TROOPS))
    run(series(SLACK), settings)
    assert webhook.posts and all(p.path == WEBHOOK_PATH for p in webhook.posts)
    assert "no_service" in summary.errors["slack"] and "/***" in summary.errors["slack"]
    assert "stay pending" in caplog.text and TOKEN not in caplog.text
    assert TOKEN not in str(summary) and TOKEN not in str(ledger(settings))


def test_secret_blocks_are_read_only_inside_a_run_or_when_asked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings()
    with temporary_settings({PREFECT_API_URL: f"http://127.0.0.1:{refused_port()}/api"}):
        assert with_secret_blocks(settings, ["slack", "email"]) is settings  # not in a run
        assert caplog.text == ""
        asked = with_secret_blocks(settings, ["slack", "email"], use_blocks=True)
    assert asked.slack_webhook_url is None  # unreadable: the channel stays unconfigured
    assert (
        "Prefect API unavailable while reading Secret block 'reportwatch-slack-webhook-url'"
        in caplog.text
    )
    assert SMTP_PASSWORD_BLOCK not in caplog.text  # no SMTP login, so no password is looked for


# -- the CLI ------------------------------------------------------------------------------------
@pytest.fixture
def env_channels(
    monkeypatch: pytest.MonkeyPatch, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    monkeypatch.setenv("REPORTWATCH_SLACK_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("REPORTWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REPORTWATCH_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("REPORTWATCH_SMTP_STARTTLS", "false")
    monkeypatch.setenv("REPORTWATCH_EMAIL_FROM", "reportwatch@example.org")
    monkeypatch.setenv("REPORTWATCH_EMAIL_TO", ",".join(RECIPIENTS))


@pytest.mark.usefixtures("env_channels")
def test_alerts_test_sends_a_marked_message_through_each_channel(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    for channel in ("slack", "email", "console"):
        result = runner.invoke(app, ["alerts", "test", "--channel", channel])
        assert result.exit_code == 0, result.output
        assert f"test message sent through {channel}" in result.output
        assert TOKEN not in result.output
    payload = webhook.posts[0].json()
    assert len(webhook.posts) == 1 and payload["text"].startswith("[TEST] ")
    assert TEST_BANNER in str(payload["blocks"])
    assert len(smtp.mail) == 1 and smtp.mail[0].message["Subject"].startswith("[reportwatch][TEST]")
    assert sorted(smtp.mail[0].rcpt_tos) == sorted(RECIPIENTS)
    assert TEST_BANNER in smtp.mail[0].part("text/plain")


@pytest.mark.usefixtures("env_channels")
def test_alerts_test_failure_is_one_redacted_line(webhook: LoopbackWebhook) -> None:
    webhook.reply_with(Reply(status=403, body="invalid_token"))
    result = runner.invoke(app, ["alerts", "test", "--channel", "slack"])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert f"http://127.0.0.1:{webhook.port}/*** refused the message (403 invalid_token)" in (
        result.output
    )
    assert TOKEN not in result.output


def test_alerts_list_pending_shows_channel_attempts_and_error(
    tmp_path: Path, webhook: LoopbackWebhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    settings = settings_for(tmp_path, webhook)
    webhook.reply_with(Reply(status=500, body="internal_error"))
    run(series(SLACK), settings, raise_alerts(settings, TROOPS, INCIDENT, NATIONS))

    everything = runner.invoke(app, ["alerts", "list"])
    assert everything.exit_code == 0, everything.output
    assert everything.output.count("slack:pending") == 2 and NATIONS.headline in everything.output
    pending = runner.invoke(app, ["alerts", "list", "--pending"])
    assert pending.exit_code == 0, pending.output
    assert "internal_error" in pending.output and NATIONS.headline not in pending.output
    assert "attempts" in pending.output and TOKEN not in pending.output

    run(series(SLACK), settings)
    after = runner.invoke(app, ["alerts", "list", "--pending"]).output.splitlines()
    assert after[0] == "no alerts pending"
    # this shell has no Slack or email settings: every bundled series' channels are named so
    assert after[1:] == [
        line
        for name in ("kfor", "minurso")
        for line in (
            f"{name}: slack: not configured: set REPORTWATCH_SLACK_WEBHOOK_URL (or save the "
            "Prefect Secret block 'reportwatch-slack-webhook-url')",
            f"{name}: email: not configured: set REPORTWATCH_SMTP_HOST and REPORTWATCH_EMAIL_FROM "
            "and REPORTWATCH_EMAIL_TO",
        )
    ]


def test_mute_then_unmute_from_the_cli(tmp_path: Path, webhook: LoopbackWebhook,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    settings = settings_for(tmp_path, webhook)
    with open_writer(settings.warehouse_path):
        pass  # a first run made the warehouse (mute refuses a folder without one)
    muted = runner.invoke(app, ["alerts", "mute", TROOPS.rule_id, "--series", "kfor"])
    assert muted.exit_code == 0 and f"muted {TROOPS.rule_id} for kfor" in muted.output
    run(series(SLACK), settings, raise_alerts(settings, TROOPS))
    assert webhook.posts == []

    unmuted = runner.invoke(app, ["alerts", "unmute", TROOPS.rule_id, "--series", "kfor"])
    assert unmuted.exit_code == 0 and f"unmuted {TROOPS.rule_id} for kfor" in unmuted.output
    run(series(SLACK), settings, raise_alerts(settings, new_alert(1)))
    assert headers(webhook) == [":rotating_light: Later alert 1"]  # the muted one stays muted
    again = runner.invoke(app, ["alerts", "unmute", TROOPS.rule_id])
    assert again.exit_code == 1 and "is not muted for kfor (muted rules: none)" in again.output


def test_docs_cover_every_rule_kind_command_digest_mode_and_secret_block() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "alerts.md").read_text("utf-8")
    for kind in KNOWN_RULE_KINDS:
        assert f"| `{kind}` |" in doc, kind
    for command in alerts_app.registered_commands:
        assert f"reportwatch alerts {command.name}" in doc, command.name
    for mode in ("none", "run", "day"):
        assert f"| `{mode}` |" in doc, mode
    assert SLACK_WEBHOOK_BLOCK in doc and SMTP_PASSWORD_BLOCK in doc
    assert "(alerts-messages.md)" in doc
