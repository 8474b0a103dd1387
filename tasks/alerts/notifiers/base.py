"""The notifier interface: one method, ``send``, and a factory that checks configuration.

Like Prefect's notification blocks, a channel is anything with a ``send``; the notify stage
neither knows nor cares how the message travels. ``send`` either returns (the channel
accepted every message) or raises one of:

* :class:`TransientNotifyError`: 429, 5xx, connection refused, timeout; ``retry_after`` is
  the server's Retry-After in seconds when it gave one. Retrying later may help.
* :class:`TerminalNotifyError`: revoked webhook, refused login, refused recipients.
  Retrying cannot help until someone changes the configuration.

Channels do not retry inside ``send``: the notify stage records the attempt and retries
transient failures itself, so attempts are counted in one place.
"""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path
from typing import Literal, Protocol, TextIO, runtime_checkable
from urllib.parse import urlsplit

import httpx

from reportwatch.errors import ConfigError
from reportwatch.models import Alert
from reportwatch.settings import Settings

ChannelKind = Literal["console", "slack", "email"]
CHANNEL_KINDS: tuple[str, ...] = ("console", "slack", "email")


@runtime_checkable
class Notifier(Protocol):
    """A delivery channel."""

    channel: str

    def send(self, alerts: list[Alert], *, digest: bool = False, test: bool = False) -> None:
        """Deliver ``alerts``: one message each, or one message for all when ``digest``.

        ``test`` marks the message as a test (``reportwatch alerts test``). Messages go out in
        order and the first failure stops the rest: callers that record delivery per alert
        should call ``send`` once per alert.
        """
        ...


def redact_url(url: str) -> str:
    """Keep what says where a URL points (scheme, host, port), hide the rest.

    Webhook URLs carry their credential in the path: ``https://hooks.slack.com/services/T/B/x``
    becomes ``https://hooks.slack.com/***``.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "***"
    if not parts.scheme or not host:
        return "***"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}/***"


def missing_settings(kind: str, settings: Settings) -> list[str]:
    """Environment variable names a channel needs and does not have."""
    if kind == "console":
        return []
    if kind == "slack":
        return [] if settings.slack_webhook_url else ["REPORTWATCH_SLACK_WEBHOOK_URL"]
    if kind == "email":
        missing = []
        if not settings.smtp_host:
            missing.append("REPORTWATCH_SMTP_HOST")
        if not settings.email_from:
            missing.append("REPORTWATCH_EMAIL_FROM")
        if not settings.email_to:
            missing.append("REPORTWATCH_EMAIL_TO")
        if settings.smtp_username and not settings.smtp_password:
            missing.append("REPORTWATCH_SMTP_PASSWORD")
        return missing
    raise ConfigError(
        f"unknown alert channel '{kind}'", hint=f"use one of: {', '.join(CHANNEL_KINDS)}"
    )


def is_configured(kind: str, settings: Settings) -> bool:
    """True when ``build_notifier(kind, settings)`` would not raise for missing settings."""
    return not missing_settings(kind, settings)


def build_notifier(
    kind: str,
    settings: Settings,
    *,
    template_dir: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    stream: TextIO | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Notifier:
    """The notifier for ``kind`` (console, slack, email), or ConfigError naming what is missing.

    ``template_dir`` holds template overrides (see ``render.resolve_template_dir``).
    ``transport`` is the httpx transport for Slack (tests), ``stream`` the console's output
    (default stdout), ``ssl_context`` the TLS context for SMTP (default: system trust store).
    """
    # Imported here so that importing the interface does not import every channel.
    from tasks.alerts.notifiers.console import ConsoleNotifier
    from tasks.alerts.notifiers.email import EmailNotifier
    from tasks.alerts.notifiers.slack import SlackNotifier

    missing = missing_settings(kind, settings)
    if missing:
        raise ConfigError(
            f"{kind} channel needs {' and '.join(missing)}",
            hint="set it in the environment, or remove the channel from the series file",
        )
    if kind == "slack":
        return SlackNotifier.from_settings(settings, template_dir=template_dir, transport=transport)
    if kind == "email":
        return EmailNotifier.from_settings(
            settings, template_dir=template_dir, ssl_context=ssl_context
        )
    return ConsoleNotifier(stream=stream, template_dir=template_dir)


# -- sample alerts: `reportwatch alerts test` and docs/alerts-messages.md -------------------------
_SAMPLE_URL = "https://documents.un.org/api/symbol/access?s=S/2024/101&l=en&t=pdf"


def sample_alert() -> Alert:
    """A realistic troop-level alert.

    The figures follow KFOR's reinforcement after the September 2023 Banjska attack (about
    3,800 troops before, about 4,500 after); the document symbols are illustrative.
    """
    return Alert(
        key="kfor:troop-level-change:S/2024/101:troops_total",
        rule_id="troop-level-change",
        rule_kind="metric-change",
        series="kfor",
        severity="critical",
        headline="KFOR troop level up 18.4%",
        symbol="S/2024/101",
        document_id="S/2024/101@1",
        metric="troops_total",
        value=4500,
        previous_value=3800,
        delta=700,
        pct_change=700 / 3800 * 100,
        approximate=True,
        period_start=dt.date(2023, 10, 1),
        period_end=dt.date(2023, 12, 31),
        previous_symbol="S/2023/912",
        previous_period_end=dt.date(2023, 9, 30),
        source_url=_SAMPLE_URL,
        evidence_page=3,
        evidence_paragraph=2,
        evidence_text=(
            "As at 31 December 2023, the total number of KFOR troops in theatre was "
            "approximately 4,500, from twenty NATO and seven non-NATO troop-contributing nations."
        ),
        details={"warning_pct": 5, "critical_pct": 15},
        raised_at=dt.datetime(2024, 2, 19, 6, 0, tzinfo=dt.UTC),
    )


def sample_alerts() -> list[Alert]:
    """Three alerts from one report, for digest examples."""
    troops = sample_alert()
    nations = troops.model_copy(
        update={
            "key": "kfor:contributing-nations-change:S/2024/101:non_nato_nations",
            "rule_id": "contributing-nations-change",
            "severity": "info",
            "headline": "Non-NATO contributing nations down from 8 to 7",
            "metric": "non_nato_nations",
            "value": 7,
            "previous_value": 8,
            "delta": -1,
            "pct_change": -12.5,
            "approximate": False,
            "evidence_paragraph": 2,
            "details": {},
        }
    )
    incident = troops.model_copy(
        update={
            "key": "kfor:security-incidents:S/2024/101",
            "rule_id": "security-incidents",
            "rule_kind": "incidents",
            "severity": "critical",
            "headline": "Security incident reported: attack near Banjska, northern Kosovo",
            "metric": None,
            "value": None,
            "previous_value": None,
            "delta": None,
            "pct_change": None,
            "approximate": None,
            "evidence_page": 3,
            "evidence_paragraph": 4,
            "evidence_text": (
                "Following the attack of 24 September 2023 near Banjska, KFOR reinforced its "
                "presence in northern Kosovo."
            ),
            "details": {},
        }
    )
    return [troops, incident, nations]
