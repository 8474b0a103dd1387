"""Where channels are chosen: which settings a channel needs, and the factory that builds one.

The notify stage, digests, ops alerts and ``reportwatch alerts test`` all come here; the
notifiers themselves (:mod:`tasks.alerts.notifiers`) know nothing of each other.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, TextIO

import httpx

from reportwatch.errors import ConfigError, SeriesError
from reportwatch.series import list_series
from reportwatch.settings import Settings
from tasks.alerts.notifiers.base import Notifier
from tasks.alerts.notifiers.console import ConsoleNotifier
from tasks.alerts.notifiers.email import EmailNotifier
from tasks.alerts.notifiers.slack import SlackNotifier
from tasks.alerts.secrets import secret_hint

ChannelKind = Literal["console", "slack", "email"]
CHANNEL_KINDS: tuple[str, ...] = ("console", "slack", "email")


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


def not_configured(kind: str, settings: Settings) -> str | None:
    """``not configured: set REPORTWATCH_SLACK_WEBHOOK_URL (or ...)``, or None when it is.

    The words the run summary, ``reportwatch status`` and ``alerts list --pending`` use for a
    channel the series lists but the settings cannot serve. Secret blocks are not read here:
    pass settings already completed by :func:`tasks.alerts.secrets.with_secret_blocks`.
    """
    missing = missing_settings(kind, settings)
    if not missing:
        return None
    blocks = secret_hint(missing)
    return f"not configured: set {' and '.join(missing)}" + (f" ({blocks})" if blocks else "")


def unconfigured_channels(kinds: Iterable[str], settings: Settings) -> dict[str, str]:
    """Channel kind → :func:`not_configured` text, for each of ``kinds`` that is not configured."""
    found = {kind: not_configured(kind, settings) for kind in kinds}
    return {kind: text for kind, text in found.items() if text is not None}


def series_channel_gaps(
    settings: Settings, series: str | None = None
) -> list[tuple[str, str, str]]:
    """(series, channel, ``not configured: ...``) for every channel a series file lists that
    these settings cannot serve: for ``reportwatch status`` and ``alerts list --pending``.

    Read from the environment; a run also reads Prefect Secret blocks, which the text names.
    A series file that cannot be read is one row saying why.
    """
    try:
        configs = list_series(settings.series_dir)
    except SeriesError as exc:
        return [("(series files)", "-", exc.one_line())]
    return [
        (config.id, kind, text)
        for config in configs
        if series is None or config.id == series
        for kind, text in unconfigured_channels([c.kind for c in config.channels], settings).items()
    ]


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
