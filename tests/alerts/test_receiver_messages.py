"""Each message read as a receiver who must act on it alone, as the loopback servers receive it.

Slack: the http.server webhook of tests/slack_server.py; email: aiosmtpd (tests/smtp_server.py);
alerts raised by the real rules over a real DuckDB file where the case needs it.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from reportwatch.models import Alert
from reportwatch.series import ChannelConfig, SeriesConfig, load_series
from reportwatch.settings import Settings
from tasks.alerts.detect import detect, facts_for_detection
from tasks.alerts.detect_stage import detect_new
from tasks.alerts.digest import send_digest
from tasks.alerts.examples import sample_alert
from tasks.alerts.notifiers.console import ConsoleNotifier
from tasks.alerts.notifiers.email import build_email_message
from tasks.alerts.notify import deliver
from tasks.alerts.ops import ops_alert
from tests.alerts.test_notifiers import slack_text as every_slack_text
from tests.factories import QUARTERS, fetched, report, text_for
from tests.slack_server import LoopbackWebhook
from tests.smtp_server import LoopbackSMTP, ReceivedMail
from warehouse import open_writer
from warehouse.alerts import insert_alerts, paragraph_texts, report_facts
from warehouse.documents import load_document

KFOR = load_series("kfor")
RECIPIENTS = ["analyst@example.org"]
TODAY = dt.date(2023, 12, 1)


def settings_for(tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP) -> Settings:
    return Settings(
        data_dir=tmp_path, slack_webhook_url=SecretStr(webhook.url), smtp_host="127.0.0.1",
        smtp_port=smtp.port, smtp_starttls=False, email_from="reportwatch@example.org",
        email_to=RECIPIENTS,
    )  # fmt: skip


def channels(*kinds: ChannelConfig) -> SeriesConfig:
    return KFOR.model_copy(update={"channels": list(kinds)})


def slack_text(payload: dict[str, Any]) -> str:
    """Every text of a Block Kit payload but the notification line, as the reader sees them."""
    return every_slack_text({"blocks": payload["blocks"]})


def console_text(alerts: list[Alert]) -> str:
    """The console panel's text, its lines (wrapped to the panel) joined again."""
    out = io.StringIO()
    ConsoleNotifier(stream=out).send(alerts)
    return " ".join(out.getvalue().replace("│", " ").split())


def _load(con: Any, symbol: str, quarter: int, troops: int | None, **kw: Any) -> str:
    start, end = QUARTERS[quarter]
    rep = report(symbol, start, end, troops, **kw)
    content = f"%PDF-{symbol}-{troops}-{kw}".encode()
    return load_document(con, fetched=fetched(symbol, content), text=text_for(rep), report=rep).document_id  # fmt: skip


def _detect(con: Any, new: list[str], rules: set[str], today: dt.date = TODAY) -> list[Alert]:
    facts, previous = facts_for_detection(report_facts(con, "kfor", current_only=False), new)
    return detect(
        KFOR, facts, new, today=today, rule_filter=rules, previous_versions=previous,
        paragraphs_for=lambda d: paragraph_texts(con, d),
    )  # fmt: skip


def keyword_alert(**update: Any) -> Alert:
    """A keyword alert on an old report, the kind that used to headline a digest."""
    return sample_alert().model_copy(
        update={
            "key": "kfor:incident-keywords:S/2021/228:grenade", "rule_id": "incident-keywords",
            "rule_kind": "keywords", "severity": "warning",
            "headline": "KFOR report S/2021/228 mentions: grenade", "symbol": "S/2021/228",
            "metric": None, "value": None, "previous_value": None, "delta": None,
            "pct_change": None, "approximate": None, "previous_symbol": None,
            "period_start": dt.date(2020, 10, 1), "period_end": dt.date(2021, 3, 15),
            "details": {"terms": ["grenade"]}, **update,
        }
    )  # fmt: skip


# -- 1. Message-ID --------------------------------------------------------------------------------
def test_the_weekly_digest_of_alerts_in_a_run_digest_is_a_new_message_for_the_mail_client(
    tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    settings = settings_for(tmp_path, webhook, smtp)
    raised = dt.datetime(2024, 2, 19, 6, 0)
    alerts = [
        sample_alert().model_copy(update={"raised_at": raised}),
        keyword_alert(raised_at=raised),
    ]
    with open_writer(settings.warehouse_path) as con:
        insert_alerts(con, alerts, series="kfor", run_id=None)
    run_digest = channels(ChannelConfig(kind="email", digest="run"))
    deliver(run_digest, settings, alerts, today=raised.date(), use_secret_blocks=False)
    send_digest(run_digest, settings, until=dt.date(2024, 2, 20))
    assert len(smtp.mail) == 2, "the run's digest, then the weekly digest"
    run_id, weekly_id = (m.message["Message-ID"] for m in smtp.mail)
    assert run_id != weekly_id
    keys = [sorted(m.message.get_all("X-Reportwatch-Alert-Key")) for m in smtp.mail]
    assert keys[0] == keys[1] == sorted(a.key for a in alerts), "the same alerts, twice"

    # a resend of the run's digest (sent, then the run died) keeps its id; a day digest or a
    # single alert of the same keys is another message
    def resent(occasion: str, batch: list[Alert]) -> str:
        return build_email_message(
            batch, sender="reportwatch@example.org", recipients=RECIPIENTS, digest=True,
            occasion=occasion,
        )["Message-ID"]  # fmt: skip

    assert resent("run", alerts) == run_id
    assert resent("digest 2024-02-13 to 2024-02-20", alerts) == weekly_id
    assert len({run_id, weekly_id, resent("day", alerts), resent("digest 2024-02-20 to 2024-02-27", alerts)}) == 4  # fmt: skip
    single = build_email_message(alerts[:1], sender="r@example.org", recipients=RECIPIENTS)
    one_alert_digest = build_email_message(
        alerts[:1], sender="r@example.org", recipients=RECIPIENTS, digest=True, occasion="run"
    )
    assert single["Message-ID"] != one_alert_digest["Message-ID"]


# -- 2. the digest headlines the most severe, newest alert -------------------------------------
def test_a_run_digest_names_the_most_severe_then_newest_alert_first(
    tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    settings = settings_for(tmp_path, webhook, smtp)
    old_keyword = keyword_alert()  # warning, oldest period: was alerts[0]
    older_critical = sample_alert().model_copy(
        update={"key": "older", "headline": "KFOR troop level down 20.0% to 3,040",
                "period_end": dt.date(2022, 6, 30), "symbol": "S/2022/500"}
    )  # fmt: skip
    newest_critical = sample_alert()  # period ending 2023-12-31
    alerts = [old_keyword, older_critical, newest_critical]
    with open_writer(settings.warehouse_path) as con:
        insert_alerts(con, alerts, series="kfor", run_id=None)
    config = channels(
        ChannelConfig(kind="email", digest="run"), ChannelConfig(kind="slack", digest="run")
    )
    deliver(config, settings, alerts, today=TODAY, use_secret_blocks=False)

    (mail,) = smtp.mail
    assert mail.message["Subject"] == (
        "[reportwatch][critical] 3 alerts (2 critical, 1 warning): "
        "KFOR troop level up 18.4% (S/2024/101) and 2 more"
    )
    text = mail.part("text/plain")
    order = [text.index(a.headline) for a in (newest_critical, older_critical, old_keyword)]
    assert order == sorted(order), "most severe first, newest first among equals"
    (post,) = webhook.posts
    sections = [b["text"]["text"] for b in post.json()["blocks"] if b["type"] == "section"]
    assert "KFOR troop level up 18.4%" in sections[0]
    assert "mentions: grenade" in sections[-1]


# -- 3. how sure each figure is -------------------------------------------------------------------
def _received(smtp: LoopbackSMTP, webhook: LoopbackWebhook, alert: Alert) -> tuple[str, str, str]:
    settings = Settings(
        slack_webhook_url=SecretStr(webhook.url), smtp_host="127.0.0.1", smtp_port=smtp.port,
        smtp_starttls=False, email_from="reportwatch@example.org", email_to=RECIPIENTS,
    )  # fmt: skip
    from tasks.alerts.channels import build_notifier

    build_notifier("email", settings).send([alert])
    build_notifier("slack", settings).send([alert])
    mail: ReceivedMail = smtp.mail[-1]
    return mail.part("text/plain"), mail.part("text/html"), slack_text(webhook.posts[-1].json())


def test_the_previous_figure_keeps_its_approximately(
    tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/500", 2, 3800)  # "approximately 3,800"
        new = _load(con, "S/2023/800", 3, 4500)
        (alert,) = _detect(con, [new], {"troop-level-change"})
    text, html, slack = _received(smtp, webhook, alert)
    assert "Previous:       approximately 3,800 troops" in text
    assert "Value:          approximately 4,500 troops" in text
    assert "approximately 3,800 troops" in html and "approximately 4,500 troops" in html
    assert "*Previous*\napproximately 3,800 troops" in slack
    assert "(from approximately 3,800 in S/2023/500)" in alert.headline
    assert "(was approximately 3,800 troops)" in console_text([alert])


def test_exact_figures_say_exact_for_the_previous_one_too(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    minurso = sample_alert().model_copy(
        update={"approximate": False, "value": 225, "previous_value": 218,
                "metric": "military_strength", "details": {"previous_approximate": False}}
    )  # fmt: skip
    text, html, slack = _received(smtp, webhook, minurso)
    assert "Value:          225 (exact)" in text and "Previous:       218 (exact)" in text
    assert "218 (exact)" in html and "*Previous*\n218 (exact)" in slack


def test_a_restatement_shows_approximately_and_the_version_it_is_compared_with(
    tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/800", 3, 4500)
        rep = report("S/2023/800", *QUARTERS[3], 4200)
        v2 = load_document(
            con, fetched=fetched("S/2023/800", b"%PDF-restated"), text=text_for(rep), report=rep
        ).document_id
        (alert,) = _detect(con, [v2], {"restatement"})
    assert "approximately 4,200" in (alert.evidence_text or "")
    text, html, slack = _received(smtp, webhook, alert)
    assert "Value:          approximately 4,200 troops" in text
    assert "Previous:       approximately 4,500 troops" in text
    assert "Compared with:  S/2023/800, version 1" in text
    assert "S/2023/800, version 1" in html and "*Compared with*\nS/2023/800, version 1" in slack


# -- 4. times say UTC -----------------------------------------------------------------------------
def test_the_raised_time_says_utc_as_stored_by_the_warehouse(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    stored = sample_alert().model_copy(update={"raised_at": dt.datetime(2026, 11, 29, 23, 21)})
    text, html, slack = _received(smtp, webhook, stored)
    assert "Raised:         2026-11-29 23:21 UTC" in text
    assert "raised 2026-11-29 23:21 UTC" in html and "raised 2026-11-29 23:21 UTC" in slack
    assert "2026-11-29 23:21 UTC" in console_text([stored])


# -- 5. the notification line names the report once -----------------------------------------------
def test_the_notification_line_does_not_repeat_a_symbol_and_names_the_report_when_another_is_named(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    _received(smtp, webhook, keyword_alert())
    assert webhook.posts[-1].json()["text"] == (
        ":warning: [warning] KFOR report S/2021/228 mentions: grenade"
    )
    assert smtp.mail[-1].message["Subject"] == (
        "[reportwatch][warning] KFOR report S/2021/228 mentions: grenade"
    )
    change = sample_alert().model_copy(
        update={"headline": "KFOR troop level up 10.5% to 4,200 (from 3,800 in S/2023/668)",
                "symbol": "S/2023/966"}
    )  # fmt: skip
    _received(smtp, webhook, change)
    assert (
        webhook.posts[-1].json()["text"].endswith("(from 3,800 in S/2023/668) (report S/2023/966)")
    )


# -- 6. next steps --------------------------------------------------------------------------------
def test_a_quarantined_alert_says_what_to_do_with_the_raw_file(
    tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    settings = Settings(data_dir=tmp_path)
    with open_writer(settings.warehouse_path) as con:
        bad = _load(con, "S/2023/900", 3, None)
        sha256 = con.execute(
            "SELECT sha256 FROM documents WHERE document_id = ?", [bad]
        ).fetchone()[0]  # type: ignore[index]
    config = KFOR.model_copy(update={"rules": [r for r in KFOR.rules if r.kind == "quarantined"]})
    (alert,) = detect_new(config, settings, [bad], today=TODAY)
    text, html, slack = _received(smtp, webhook, alert)
    command = f"reportwatch extract {tmp_path / 'raw' / sha256}.pdf --json"
    for shown in (text, html, slack):
        assert command in shown and sha256 in shown
        assert "reportwatch reprocess --series kfor" in shown
        assert "Re-run a failed document" in shown
    assert "What to do:     Open the file" in text and "*What to do*" in slack


def test_an_overdue_alert_says_what_to_check_and_how_to_fetch(
    tmp_path: Path, webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2023/500", 2, 3800)
        (alert,) = _detect(con, [], {"overdue-report"}, today=dt.date(2024, 6, 1))
    text, _, slack = _received(smtp, webhook, alert)
    for shown in (text, slack, console_text([alert])):
        assert "`reportwatch sources check --series kfor`" in shown
        assert "`reportwatch run --series kfor`" in shown
        assert "latest loaded: S/2023/500" in shown


# -- 7. ops messages ------------------------------------------------------------------------------
def test_an_ops_error_the_slack_header_cuts_is_given_whole_in_a_section(
    webhook: LoopbackWebhook, smtp: LoopbackSMTP
) -> None:
    error = "WarehouseError: could not open " + "/srv/reportwatch/data/warehouse.duckdb " * 3
    alert = ops_alert(
        flow_name="reportwatch-ingest", run_name="brave-otter", run_id="r1", series="kfor",
        state_name="Failed", stage="load", error=error.strip(),
    )  # fmt: skip
    assert 150 < len(alert.headline) <= 240
    text, _, _ = _received(smtp, webhook, alert)
    assert error.strip() in text
    blocks = webhook.posts[-1].json()["blocks"]
    assert blocks[0]["text"]["text"].endswith("…")
    assert blocks[1]["type"] == "section", "the whole headline right below the cut header"
    assert blocks[1]["text"]["text"] == alert.headline and error.strip() in alert.headline
