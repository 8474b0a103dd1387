"""Alert delivery: what real loopback servers receive, and how failures are classified.

Slack: an http.server webhook on 127.0.0.1 (tests/slack_server.py). Email: aiosmtpd on
127.0.0.1 (tests/smtp_server.py), plain, with AUTH, with STARTTLS and with implicit TLS using
a self-signed certificate made by ``cryptography``.
"""

from __future__ import annotations

import io
import json
import logging
import smtplib
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from reportwatch.errors import ConfigError, NotifyError, TerminalNotifyError, TransientNotifyError
from reportwatch.models import Alert
from reportwatch.settings import Settings
from tasks.alerts.channels import build_notifier, is_configured
from tasks.alerts.examples import DOCS_EXAMPLES_PATH, examples_markdown, sample_alert, sample_alerts
from tasks.alerts.notifiers.base import Notifier, redact_url
from tasks.alerts.notifiers.console import ConsoleNotifier
from tasks.alerts.notifiers.email import EmailNotifier, build_email_parts, map_smtp_error
from tasks.alerts.notifiers.render import (
    TEST_BANNER,
    format_number,
    format_pct,
    resolve_template_dir,
)
from tasks.alerts.notifiers.slack import (
    MAX_BLOCKS,
    SlackNotifier,
    build_slack_payload,
    map_httpx_error,
    parse_retry_after,
)
from tests.slack_server import WEBHOOK_PATH, LoopbackWebhook, Reply, SilentServer, refused_port
from tests.smtp_server import (
    LoopbackSMTP,
    client_tls_context,
    self_signed_certificate,
    server_tls_context,
)

SECRET = WEBHOOK_PATH.rsplit("/", 1)[1]
SUBJECT = "[reportwatch][critical] KFOR troop level up 18.4% (S/2024/101)"
RECIPIENTS = ["analyst@example.org", "duty-officer@example.org"]


def slack(url: str) -> Notifier:
    return build_notifier("slack", Settings(slack_webhook_url=SecretStr(url)))


def email_settings(port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "email_from": "reportwatch@example.org",
        "email_to": RECIPIENTS,
        **overrides,
    }
    return Settings(**values)


def slack_text(payload: dict[str, Any]) -> str:
    """Every string in a Block Kit payload, joined: what a reader of the message sees."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return "\n".join(found)


def many_alerts(count: int) -> list[Alert]:
    base = sample_alert()
    return [
        base.model_copy(update={"key": f"k{i}", "headline": f"Alert number {i}"})
        for i in range(count)
    ]


# -- Slack ------------------------------------------------------------------------------------
def test_slack_message_carries_every_fact_an_analyst_needs(webhook: LoopbackWebhook) -> None:
    slack(webhook.url).send([sample_alert()])

    assert len(webhook.posts) == 1
    post = webhook.posts[0]
    assert post.path == WEBHOOK_PATH
    assert post.headers["Content-Type"] == "application/json"
    payload = post.json()
    assert payload["text"] == ":rotating_light: [critical] KFOR troop level up 18.4% (S/2024/101)"
    header = payload["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["text"] == ":rotating_light: KFOR troop level up 18.4%"
    seen = slack_text(payload)
    for fact in [
        "CRITICAL",
        "approximately 4,500 troops",
        "3,800 troops",
        "+700 (+18.4%)",
        "2023-10-01 to 2023-12-31",
        "S/2023/912 (period ending 2023-09-30)",
        "<https://documents.un.org/api/symbol/access?s=S/2024/101&amp;l=en&amp;t=pdf|S/2024/101>",
        "page 3, paragraph 2",
        ">As at 31 December 2023, the total number of KFOR troops in theatre was approximately",
    ]:
        assert fact in seen


def test_slack_alert_without_figures_shows_no_placeholders(webhook: LoopbackWebhook) -> None:
    incident = sample_alerts()[1]
    slack(webhook.url).send([incident])

    seen = slack_text(webhook.posts[0].json())
    assert "Banjska" in seen and "page 3, paragraph 4" in seen
    for placeholder in ("None", "unknown", "n/a", "*Value*"):
        assert placeholder not in seen


def test_slack_sends_one_message_per_alert_unless_digest(webhook: LoopbackWebhook) -> None:
    notifier = slack(webhook.url)
    notifier.send(sample_alerts())
    assert len(webhook.posts) == 3

    notifier.send(sample_alerts(), digest=True)
    assert len(webhook.posts) == 4
    digest = webhook.posts[3].json()
    seen = slack_text(digest)
    assert digest["text"].startswith("reportwatch: 3 alerts (2 critical, 1 info)")
    for alert in sample_alerts():
        assert alert.headline in seen
    assert (
        "value approximately 4,500 troops · previous approximately 3,800 troops · change +700 (+18.4%)"
        in seen
    )


def test_slack_digest_stays_under_the_block_limit_and_says_what_it_left_out(
    webhook: LoopbackWebhook,
) -> None:
    slack(webhook.url).send(many_alerts(40), digest=True)

    assert len(webhook.posts) == 1
    blocks = webhook.posts[0].json()["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    shown = sum(1 for i in range(40) if f"Alert number {i}*" in slack_text({"blocks": blocks}))
    assert 10 <= shown < 40
    assert f"…and {40 - shown} more alerts not shown" in blocks[-1]["text"]["text"]


def test_slack_test_message_is_marked(webhook: LoopbackWebhook) -> None:
    slack(webhook.url).send([sample_alert()], test=True)

    payload = webhook.posts[0].json()
    assert payload["text"].startswith("[TEST] ")
    assert TEST_BANNER in slack_text(payload)


def test_slack_429_is_transient_and_carries_retry_after(webhook: LoopbackWebhook) -> None:
    webhook.reply_with(Reply(429, "rate_limited", {"Retry-After": "7"}))

    with pytest.raises(TransientNotifyError) as caught:
        slack(webhook.url).send([sample_alert()])
    assert caught.value.transient and caught.value.retry_after == 7.0
    assert "429" in str(caught.value)


def test_slack_5xx_is_transient(webhook: LoopbackWebhook) -> None:
    webhook.reply_with(Reply(503, "service_unavailable"))
    with pytest.raises(TransientNotifyError, match="503"):
        slack(webhook.url).send([sample_alert()])


@pytest.mark.parametrize(
    ("status", "code", "hint"),
    [
        (404, "no_service", "REPORTWATCH_SLACK_WEBHOOK_URL"),
        (403, "invalid_token", "REPORTWATCH_SLACK_WEBHOOK_URL"),
        (400, "invalid_payload", "custom slack template"),
        (410, "channel_is_archived", "archived"),
    ],
)
def test_slack_refusals_are_terminal_with_slacks_code(
    webhook: LoopbackWebhook, status: int, code: str, hint: str
) -> None:
    webhook.reply_with(Reply(status, code))

    with pytest.raises(TerminalNotifyError) as caught:
        slack(webhook.url).send([sample_alert()])
    assert not caught.value.transient
    assert f"{status} {code}" in caught.value.message
    assert hint in (caught.value.hint or "")


def test_slack_failure_midway_says_how_many_went_out(webhook: LoopbackWebhook) -> None:
    webhook.reply_with(Reply(), Reply(500, "oops"))

    with pytest.raises(TransientNotifyError, match="message 2 of 3, 1 delivered before it"):
        slack(webhook.url).send(sample_alerts())
    assert len(webhook.posts) == 2


def test_slack_connection_refused_and_timeout_are_transient() -> None:
    with pytest.raises(TransientNotifyError, match="could not connect"):
        slack(f"http://127.0.0.1:{refused_port()}{WEBHOOK_PATH}").send([sample_alert()])

    with SilentServer() as silent:
        notifier = SlackNotifier(
            SecretStr(f"http://127.0.0.1:{silent.port}{WEBHOOK_PATH}"), timeout=httpx.Timeout(0.2)
        )
        with pytest.raises(TransientNotifyError, match="timed out"):
            notifier.send([sample_alert()])


def test_webhook_secret_never_appears_in_errors_reprs_or_logs(
    webhook: LoopbackWebhook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = slack(webhook.url)
    notifier.send([sample_alert()])  # httpx logs the request line at INFO
    webhook.reply_with(Reply(404, "no_service"))
    with pytest.raises(TerminalNotifyError) as refused:
        notifier.send([sample_alert()])
    with pytest.raises(TransientNotifyError) as unreachable:
        slack(f"http://127.0.0.1:{refused_port()}{WEBHOOK_PATH}").send([sample_alert()])
    with pytest.raises(ConfigError) as insecure:
        slack(f"http://hooks.example.org{WEBHOOK_PATH}")

    assert "HTTP Request: POST" in caplog.text  # the log line exists, scrubbed
    assert f"http://127.0.0.1:{webhook.port}/***" in caplog.text
    for text in [
        str(notifier),
        repr(notifier),
        caplog.text,
        *(e.value.one_line() for e in (refused, unreachable, insecure)),
        *(repr(e.value.__cause__) for e in (refused, unreachable, insecure)),
    ]:
        assert SECRET not in text
    assert repr(notifier) == f"SlackNotifier(webhook='http://127.0.0.1:{webhook.port}/***')"


def test_redact_url_keeps_only_where_it_points() -> None:
    assert redact_url("https://hooks.slack.com/services/T1/B2/xyz") == "https://hooks.slack.com/***"
    assert redact_url("http://127.0.0.1:8080/a/b?token=1") == "http://127.0.0.1:8080/***"
    assert redact_url("not a url") == "***"


def test_every_httpx_error_is_classified() -> None:
    def subclasses(cls: type) -> list[type]:
        found: list[type] = [cls]
        children: list[type] = cls.__subclasses__()
        for child in children:
            found.extend(subclasses(child))
        return found

    request = httpx.Request("POST", "https://hooks.slack.com/x")
    # httpx's own classes only: other test modules subclass them for their own purposes.
    families = {c for c in subclasses(httpx.HTTPError) if c.__module__.startswith("httpx")}
    families.add(httpx.InvalidURL)
    families.discard(httpx.HTTPStatusError)  # only raise_for_status raises it; we read statuses
    for cls in families:
        try:
            exc = cls("boom", request=request)
        except TypeError:  # HTTPError and InvalidURL take no request
            exc = cls("boom")
        error = map_httpx_error(exc, where="https://hooks.slack.com/***")
        assert "unexpected" not in error.message, cls
    assert map_httpx_error(httpx.ReadTimeout("t"), where="w").transient
    assert map_httpx_error(httpx.RemoteProtocolError("r"), where="w").transient
    assert not map_httpx_error(httpx.UnsupportedProtocol("u"), where="w").transient


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    import datetime as dt

    now = dt.datetime(2024, 2, 19, 6, 0, tzinfo=dt.UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Mon, 19 Feb 2024 06:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


# -- Email ------------------------------------------------------------------------------------
def test_email_arrives_with_subject_recipients_both_parts_and_dedupe_headers() -> None:
    with LoopbackSMTP() as server:
        notifier = build_notifier("email", email_settings(server.port))
        notifier.send([sample_alert()])
        notifier.send([sample_alert()])  # a resend: receivers can tell by Message-ID

    first, second = server.mail
    assert first.mail_from == "reportwatch@example.org"
    assert first.rcpt_tos == RECIPIENTS
    message = first.message
    assert message["Subject"] == SUBJECT
    assert message["To"] == ", ".join(RECIPIENTS)
    assert message.get_content_type() == "multipart/alternative"
    assert message["X-Reportwatch-Alert-Key"] == sample_alert().key
    assert message["Message-ID"].endswith("@example.org>")
    assert message["Message-ID"] == second.message["Message-ID"]
    text, html = first.part("text/plain"), first.part("text/html")
    for fact in [
        "approximately 4,500 troops",
        "3,800 troops",
        "+700 (+18.4%)",
        "2023-10-01 to 2023-12-31",
        "S/2023/912 (period ending 2023-09-30)",
        "page 3, paragraph 2",
    ]:
        assert fact in text and fact in html
    assert (
        "Source:         https://documents.un.org/api/symbol/access?s=S/2024/101&l=en&t=pdf" in text
    )
    assert '<a href="https://documents.un.org/api/symbol/access?s=S/2024/101&amp;l=en' in html
    assert ">CRITICAL</span>" in html


def test_email_digest_is_one_message_listing_every_alert() -> None:
    with LoopbackSMTP() as server:
        notifier = build_notifier("email", email_settings(server.port))
        notifier.send(sample_alerts(), digest=True)
        assert len(server.mail) == 1
        notifier.send(sample_alerts())
        assert len(server.mail) == 4

    digest = server.mail[0]
    assert digest.message["Subject"] == (
        "[reportwatch][critical] 3 alerts (2 critical, 1 info): Security incident reported: "
        "attack near Banjska, northern Kosovo (S/2024/101) and 2 more"
    )
    assert digest.message.get_all("X-Reportwatch-Alert-Key") == [a.key for a in sample_alerts()]
    text = digest.part("text/plain")
    for alert in sample_alerts():
        assert alert.headline in text and alert.headline in digest.part("text/html")
    assert "7 nations (exact)" in text and "-1 (-12.5%)" in text


def test_email_test_message_is_marked_and_never_deduplicated() -> None:
    with LoopbackSMTP() as server:
        notifier = build_notifier("email", email_settings(server.port))
        notifier.send([sample_alert()], test=True)
        notifier.send([sample_alert()], test=True)

    first, second = (m.message for m in server.mail)
    assert (
        first["Subject"] == "[reportwatch][TEST][critical] KFOR troop level up 18.4% (S/2024/101)"
    )
    assert TEST_BANNER in server.mail[0].part("text/plain")
    assert TEST_BANNER in server.mail[0].part("text/html")
    assert first["Message-ID"] != second["Message-ID"]


def test_email_html_part_escapes_report_text() -> None:
    hostile = sample_alert().model_copy(update={"evidence_text": 'a <script>alert("x")</script>'})
    with LoopbackSMTP() as server:
        build_notifier("email", email_settings(server.port)).send([hostile])

    html = server.mail[0].part("text/html")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_email_login_succeeds_and_a_refused_login_is_terminal() -> None:
    with LoopbackSMTP(users={"alerts": "correct horse"}) as server:
        good = email_settings(
            server.port, smtp_username="alerts", smtp_password=SecretStr("correct horse")
        )
        build_notifier("email", good).send([sample_alert()])
        bad = email_settings(
            server.port, smtp_username="alerts", smtp_password=SecretStr("hunter2-wrong")
        )
        notifier = build_notifier("email", bad)
        with pytest.raises(TerminalNotifyError) as caught:
            notifier.send([sample_alert()])

    assert [m.authenticated_as for m in server.mail] == ["alerts"]
    # smtplib tries each mechanism the server offers (PLAIN, then LOGIN) before giving up.
    assert server.logins[0] == ("alerts", True)
    assert server.logins[1:] and all(login == ("alerts", False) for login in server.logins[1:])
    assert "535" in caught.value.message
    assert "REPORTWATCH_SMTP_PASSWORD" in (caught.value.hint or "")
    assert "hunter2" not in caught.value.one_line() and "hunter2" not in repr(notifier)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_email_over_starttls(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with LoopbackSMTP(starttls=server_tls_context(cert, key)) as server:
        settings = email_settings(server.port, smtp_starttls=True)
        build_notifier("email", settings, ssl_context=client_tls_context(cert)).send(
            [sample_alert()]
        )
        # Without trusting the certificate, the upgrade fails and retrying cannot help.
        with pytest.raises(TerminalNotifyError, match="certificate we do not trust"):
            build_notifier("email", settings).send([sample_alert()])

    assert len(server.mail) == 1 and server.mail[0].tls
    assert server.mail[0].message["Subject"] == SUBJECT


def test_email_over_implicit_tls(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with LoopbackSMTP(implicit_tls=server_tls_context(cert, key)) as server:
        settings = email_settings(server.port, smtp_ssl=True, smtp_starttls=True)
        build_notifier("email", settings, ssl_context=client_tls_context(cert)).send(
            [sample_alert()]
        )
    assert len(server.mail) == 1 and server.mail[0].message["Subject"] == SUBJECT


def test_email_refuses_to_continue_in_clear_when_starttls_is_missing() -> None:
    with LoopbackSMTP() as server:
        notifier = build_notifier("email", email_settings(server.port, smtp_starttls=True))
        with pytest.raises(TerminalNotifyError) as refused:
            notifier.send([sample_alert()])
    assert server.mail == []
    # the line says what the server lacks, then what to do
    assert f"127.0.0.1:{server.port} does not offer STARTTLS" in refused.value.one_line()
    assert "REPORTWATCH_SMTP_SSL=true" in refused.value.one_line()


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("550 5.1.1 No such user", TerminalNotifyError),
        ("450 4.2.1 Mailbox busy", TransientNotifyError),
    ],
)
def test_email_refused_recipients(reply: str, expected: type[NotifyError]) -> None:
    with LoopbackSMTP(refuse_rcpt=reply) as server, pytest.raises(expected) as caught:
        build_notifier("email", email_settings(server.port)).send([sample_alert()])
    assert "analyst@example.org" in caught.value.message and reply[:3] in caught.value.message
    assert server.mail == []


def test_email_accepted_then_quit_refused_counts_as_sent(caplog: pytest.LogCaptureFixture) -> None:
    async def refuse_quit(*args: Any) -> str:
        return "421 4.3.2 shutting down"

    alerts = sample_alerts()
    with LoopbackSMTP() as server:
        setattr(server.handler, "handle_QUIT", refuse_quit)  # noqa: B010 (not a declared field)
        build_notifier("email", email_settings(server.port)).send(alerts)  # nothing raised
    assert [m.message.get_all("X-Reportwatch-Alert-Key") for m in server.mail] == [
        [a.key] for a in alerts
    ]
    assert "answered QUIT with 421 4.3.2 shutting down after accepting the mail" in caplog.text


def test_email_connection_refused_and_timeout_are_transient() -> None:
    with pytest.raises(TransientNotifyError, match="refused the connection"):
        build_notifier("email", email_settings(refused_port())).send([sample_alert()])
    with SilentServer() as silent:
        notifier = EmailNotifier(
            host="127.0.0.1",
            port=silent.port,
            sender="reportwatch@example.org",
            recipients=RECIPIENTS,
            starttls=False,
            timeout=0.2,
        )
        with pytest.raises(TransientNotifyError, match="timed out"):
            notifier.send([sample_alert()])


def test_every_smtplib_error_is_classified() -> None:
    examples: dict[type[Exception], Exception] = {
        smtplib.SMTPAuthenticationError: smtplib.SMTPAuthenticationError(535, b"no"),
        smtplib.SMTPRecipientsRefused: smtplib.SMTPRecipientsRefused({"a@b": (550, b"no")}),
        smtplib.SMTPSenderRefused: smtplib.SMTPSenderRefused(451, b"later", "a@b"),
        smtplib.SMTPDataError: smtplib.SMTPDataError(554, b"spam"),
        smtplib.SMTPConnectError: smtplib.SMTPConnectError(421, b"busy"),
        smtplib.SMTPHeloError: smtplib.SMTPHeloError(501, b"bad helo"),
        smtplib.SMTPResponseException: smtplib.SMTPResponseException(452, b"full"),
        smtplib.SMTPNotSupportedError: smtplib.SMTPNotSupportedError("AUTH"),
        smtplib.SMTPServerDisconnected: smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPException: smtplib.SMTPException("No suitable authentication method found."),
    }

    def subclasses(cls: type) -> set[type]:
        found: set[type] = {cls}
        children: list[type] = cls.__subclasses__()
        for child in children:
            found |= subclasses(child)
        return found

    assert subclasses(smtplib.SMTPException) <= set(examples), "add the new smtplib error here"
    kinds = {cls: map_smtp_error(exc, where="mail:25").kind for cls, exc in examples.items()}
    assert all("unexpected" not in map_smtp_error(e, where="m").message for e in examples.values())
    assert kinds[smtplib.SMTPAuthenticationError] == "terminal"
    assert kinds[smtplib.SMTPSenderRefused] == "transient"  # 451
    assert kinds[smtplib.SMTPConnectError] == "transient"  # 421
    assert kinds[smtplib.SMTPDataError] == "terminal"  # 554
    assert kinds[smtplib.SMTPServerDisconnected] == "transient"
    cert_error = ssl.SSLCertVerificationError(1, "bad")
    assert map_smtp_error(cert_error, where="m").kind == "terminal"
    assert map_smtp_error(TimeoutError(), where="m").kind == "transient"


# -- configuration ----------------------------------------------------------------------------
def test_missing_settings_are_named() -> None:
    with pytest.raises(ConfigError, match="slack channel needs REPORTWATCH_SLACK_WEBHOOK_URL"):
        build_notifier("slack", Settings())
    with pytest.raises(ConfigError) as caught:
        build_notifier("email", Settings())
    assert caught.value.message == (
        "email channel needs REPORTWATCH_SMTP_HOST and REPORTWATCH_EMAIL_FROM and "
        "REPORTWATCH_EMAIL_TO"
    )
    with pytest.raises(ConfigError, match="REPORTWATCH_SMTP_PASSWORD"):
        build_notifier("email", email_settings(25, smtp_username="alerts"))
    with pytest.raises(ConfigError, match="unknown alert channel 'pager'"):
        build_notifier("pager", Settings())
    with pytest.raises(ConfigError, match="unencrypted"):
        build_notifier(
            "email",
            email_settings(25, smtp_host="mail.example.org", smtp_username="a", smtp_password="b"),
        )

    assert is_configured("console", Settings()) and not is_configured("slack", Settings())
    assert is_configured("email", email_settings(25))


def test_channels_are_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTWATCH_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/x")
    monkeypatch.setenv("REPORTWATCH_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("REPORTWATCH_EMAIL_FROM", "reportwatch@example.org")
    monkeypatch.setenv("REPORTWATCH_EMAIL_TO", "a@example.org, b@example.org")
    settings = Settings()

    notifiers = [build_notifier(kind, settings) for kind in ("console", "slack", "email")]
    assert [n.channel for n in notifiers] == ["console", "slack", "email"]
    assert all(isinstance(n, Notifier) for n in notifiers)
    assert "a@example.org" in repr(notifiers[2]) and "b@example.org" in repr(notifiers[2])


# -- console ----------------------------------------------------------------------------------
def test_console_prints_a_block_per_alert() -> None:
    stream = io.StringIO()
    build_notifier("console", Settings(), stream=stream).send(sample_alerts())

    out = stream.getvalue()
    assert out.count("╭─") == 3
    assert "CRITICAL · kfor" in out and "INFO · kfor" in out
    assert "approximately 4,500 troops (was approximately 3,800 troops)" in out
    assert "+700 (+18.4%)" in out and "S/2024/101, page 3, paragraph 2" in out


def test_console_never_fails(tmp_path: Path) -> None:
    (tmp_path / "console.txt.j2").write_text("{{ alert.no_such_field }}\n")
    stream = io.StringIO()
    ConsoleNotifier(stream=stream, template_dir=tmp_path).send([sample_alert()], test=True)
    assert (
        stream.getvalue() == f"{TEST_BANNER}\n[critical] KFOR troop level up 18.4% (S/2024/101)\n"
    )

    closed = io.StringIO()
    closed.close()
    ConsoleNotifier(stream=closed).send([sample_alert()])  # nothing raised


def test_console_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    build_notifier("console", Settings()).send([sample_alert()])
    assert "KFOR troop level up 18.4%" in capsys.readouterr().out


# -- templates --------------------------------------------------------------------------------
def test_numbers_are_formatted_for_people() -> None:
    assert format_number(4500.0) == "4,500" and format_number(12.25) == "12.25"
    assert format_pct(700 / 3800 * 100) == "+18.4%" and format_pct(-12.5) == "-12.5%"
    assert format_pct(0.01) == "0.0%"


def test_a_series_can_override_one_template(tmp_path: Path) -> None:
    (tmp_path / "email_subject.txt.j2").write_text(
        "KFOR watch: {{ alert.headline }} [{{ alert.value_text }}]\n"
    )
    assert resolve_template_dir("email_subject.txt.j2", base_dir=tmp_path) == tmp_path
    with LoopbackSMTP() as server:
        build_notifier("email", email_settings(server.port), template_dir=tmp_path).send(
            [sample_alert()]
        )
    mail = server.mail[0]
    assert (
        mail.message["Subject"]
        == "KFOR watch: KFOR troop level up 18.4% [approximately 4,500 troops]"
    )
    assert "Compared with:  S/2023/912" in mail.part("text/plain")  # the bundled body still used


def test_broken_overrides_fail_with_the_file_named(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    (tmp_path / "slack.json.j2").write_text('{"text": {{ alert.headlin | tojson }}}')
    notifier = build_notifier(
        "slack", Settings(slack_webhook_url=SecretStr(webhook.url)), template_dir=tmp_path
    )
    with pytest.raises(ConfigError, match=r"slack\.json\.j2.*headlin"):
        notifier.send([sample_alert()])

    (tmp_path / "slack.json.j2").write_text('{"text": {{ alert.headline }}}')
    with pytest.raises(ConfigError, match="did not produce JSON"):
        notifier.send([sample_alert()])
    assert webhook.posts == []  # a message that cannot be rendered is never posted
    (tmp_path / "slack.json.j2.bak").write_text("{}")
    with pytest.raises(ConfigError, match="unknown name"):
        resolve_template_dir("slack.json.j2.bak", base_dir=tmp_path)


def test_docs_examples_are_current() -> None:
    assert DOCS_EXAMPLES_PATH.read_text(encoding="utf-8") == examples_markdown(), (
        "run: python -m tasks.alerts.examples --examples --output docs/alerts-messages.md"
    )
    printed = subprocess.run(
        [sys.executable, "-m", "tasks.alerts.examples", "--examples"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed == examples_markdown()
    slack_example = printed.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(slack_example)["blocks"][0]["type"] == "header"


def test_a_dropped_file_is_linked_by_its_public_symbol_not_a_server_path() -> None:
    dropped = sample_alert().model_copy(
        update={"source_url": "file:///srv/reportwatch/data/drop/kfor/done/S_2024_101.pdf"}
    )
    payload = json.dumps(build_slack_payload([dropped]))
    assert "file://" not in payload and "/srv/reportwatch" not in payload
    assert "https://documents.un.org/api/symbol/access?s=S%2F2024%2F101" in payload
    _subject, text, html = build_email_parts([dropped])
    assert "/srv/reportwatch" not in text + html
    no_symbol = dropped.model_copy(update={"symbol": None})
    assert "file://" not in json.dumps(build_slack_payload([no_symbol]))
