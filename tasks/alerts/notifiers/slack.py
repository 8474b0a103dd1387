"""Slack: one POST of Block Kit JSON to an incoming webhook per message.

Slack answers ``200 ok``; 429 with ``Retry-After`` when we post too fast; 400/403/404/410
with a short code in the body (``invalid_payload``, ``invalid_token``, ``no_service``,
``channel_is_archived``...) when the message or the webhook is bad; 5xx when it is unwell.

The webhook URL is the credential (its path is the token): it lives in a ``SecretStr`` and
only :func:`redact_url`'s form ever reaches an exception, a log line or a ``repr``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from reportwatch.errors import ConfigError, NotifyError, TerminalNotifyError, TransientNotifyError
from reportwatch.models import Alert
from reportwatch.settings import Settings
from tasks.alerts.notifiers.base import redact_url
from tasks.alerts.notifiers.render import TemplateRenderer, message_context
from tasks.alerts.notifiers.slack_limits import MAX_BLOCKS, fit_blocks, too_big
from tasks.retry import parse_retry_after

__all__ = [
    "MAX_BLOCKS",
    "SlackNotifier",
    "build_slack_payload",
    "classify_slack_response",
    "map_httpx_error",
    "parse_retry_after",
    "redact_url",
]

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

# Slack's error codes → what the user should do about them.
_HINTS = {
    "invalid_payload": "Slack rejected the message format: check a custom slack template",
    "invalid_blocks": "Slack rejected the message blocks: check a custom slack template",
    "invalid_blocks_format": "Slack rejected the message blocks: check a custom slack template",
    "no_service": "the webhook was removed or mistyped: create a new incoming webhook "
    "and set REPORTWATCH_SLACK_WEBHOOK_URL",
    "invalid_token": "the webhook was revoked or mistyped: create a new incoming webhook "
    "and set REPORTWATCH_SLACK_WEBHOOK_URL",
    "no_team": "the Slack workspace is gone: set REPORTWATCH_SLACK_WEBHOOK_URL to a live webhook",
    "team_disabled": "the Slack workspace is disabled: set REPORTWATCH_SLACK_WEBHOOK_URL",
    "channel_not_found": "the webhook's channel no longer exists: create a new webhook",
    "channel_is_archived": "the webhook's channel is archived: unarchive it or create a new webhook",
    "action_prohibited": "a Slack admin blocks posting to this channel",
    "posting_to_general_channel_denied": "only admins may post to this channel",
}
_DEFAULT_HINT = "check REPORTWATCH_SLACK_WEBHOOK_URL"


class _RedactSecretUrls(logging.Filter):
    """httpx logs every request URL at INFO: scrub the webhook paths we know about."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[str, str] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(self._scrub(a) for a in args)
        return True

    def _scrub(self, arg: object) -> object:
        text = str(arg)
        scrubbed = text
        for secret, shown in self.secrets.items():
            scrubbed = scrubbed.replace(secret, shown)
        return arg if scrubbed == text else scrubbed


_LOG_FILTER = _RedactSecretUrls()
logging.getLogger("httpx").addFilter(_LOG_FILTER)


def build_slack_payload(
    alerts: list[Alert],
    *,
    digest: bool = False,
    test: bool = False,
    renderer: TemplateRenderer | None = None,
) -> dict[str, Any]:
    """The webhook JSON: ``text`` (notification fallback) and ``blocks`` (Block Kit).

    Every text is cut to Slack's limits as it will be sent, escapes included
    (:mod:`tasks.alerts.notifiers.slack_limits`), with a marker and a link to the report. A
    digest that would exceed the block limit or the message size shows as many alerts as fit
    and ends with a line saying how many were left out.
    """
    renderer = renderer or TemplateRenderer()
    links = [a.source_url for a in alerts if a.source_url]
    link = links[0] if len(set(links)) == 1 else None
    if not digest:
        template = "slack.json.j2"
        context = message_context(alerts, test=test, digest=False)
        payload, _ = fit_blocks(renderer.render_json(template, **context), link=link)
        _check_size(payload, renderer.origin(template), "")
        return payload

    def render(shown: int) -> dict[str, Any]:
        context = message_context(alerts, test=test, digest=True)
        context["alerts"] = context["alerts"][:shown]
        context["overflow"] = len(alerts) - shown
        fitted, _ = fit_blocks(renderer.render_json("slack_digest.json.j2", **context), link=link)
        return fitted

    payload = render(len(alerts))
    shown = len(alerts)
    if len(payload.get("blocks", [])) > MAX_BLOCKS and alerts:
        # Estimate blocks per alert from the full render, then step down until it fits.
        empty = len(render(0).get("blocks", []))
        per_alert = max(1.0, (len(payload["blocks"]) - empty) / len(alerts))
        shown = max(0, min(len(alerts) - 1, int((MAX_BLOCKS - empty - 1) / per_alert)))
        payload = render(shown)
    while too_big(payload) and shown > 0:
        shown -= 1
        payload = render(shown)
    _check_size(payload, renderer.origin("slack_digest.json.j2"), " even with no alert shown")
    return payload


def _check_size(payload: dict[str, Any], origin: str, qualifier: str) -> None:
    problem = too_big(payload)
    if problem:
        raise ConfigError(
            f"template {origin} makes a message of {problem}{qualifier}",
            hint="reduce the fixed blocks or text in the slack template",
        )


def classify_slack_response(
    status: int, body: str, headers: httpx.Headers | dict[str, str], *, where: str
) -> NotifyError | None:
    """None when Slack accepted the message, else the error to raise."""
    if 200 <= status < 300:
        return None
    code = " ".join(body.split())[:200] or f"HTTP {status}"
    retry_after = parse_retry_after(httpx.Headers(headers).get("retry-after"))
    if status == 429:
        return TransientNotifyError(
            f"slack: {where} rate limited the message (429 {code})",
            retry_after=retry_after,
            hint="reportwatch retries on the next attempt",
        )
    if status >= 500 or status == 408:
        return TransientNotifyError(
            f"slack: {where} failed with {status} {code}",
            retry_after=retry_after,
            hint="Slack is having trouble; reportwatch retries on the next attempt",
        )
    if 300 <= status < 400:
        return TerminalNotifyError(
            f"slack: {where} answered with a redirect ({status})",
            hint="REPORTWATCH_SLACK_WEBHOOK_URL must be the exact URL Slack gave",
        )
    return TerminalNotifyError(
        f"slack: {where} refused the message ({status} {code})",
        hint=_HINTS.get(code, _DEFAULT_HINT),
    )


def map_httpx_error(exc: Exception, *, where: str) -> NotifyError:
    """Map an httpx exception (the whole family) to transient or terminal."""
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return TransientNotifyError(f"slack: {where} timed out ({name})")
    if isinstance(exc, httpx.ConnectError):
        return TransientNotifyError(f"slack: could not connect to {where} ({name})")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return TerminalNotifyError(
            f"slack: {where} is not a usable URL ({name})",
            hint="set REPORTWATCH_SLACK_WEBHOOK_URL to the https URL Slack gave",
        )
    if isinstance(exc, httpx.LocalProtocolError | httpx.TooManyRedirects):
        return TerminalNotifyError(f"slack: request to {where} could not be made ({name})")
    if isinstance(exc, httpx.HTTPError):
        # Read/write errors, the server hanging up, proxy trouble, undecodable bodies.
        return TransientNotifyError(f"slack: connection to {where} failed ({name})")
    return TerminalNotifyError(f"slack: unexpected {name} posting to {where}")


class SlackNotifier:
    """Posts alerts to one Slack incoming webhook."""

    channel = "slack"

    def __init__(
        self,
        webhook_url: SecretStr,
        *,
        template_dir: Path | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        url = webhook_url.get_secret_value()
        self._where = redact_url(url)
        _check_webhook_url(url, self._where)
        self._webhook_url = webhook_url
        self._transport = transport
        self._timeout = timeout
        self._renderer = TemplateRenderer(template_dir)
        path = urlsplit(url).path
        _LOG_FILTER.secrets[url] = self._where
        if len(path) > 1:
            _LOG_FILTER.secrets[path] = "/***"

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        template_dir: Path | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> SlackNotifier:
        if settings.slack_webhook_url is None:
            raise ConfigError("slack channel needs REPORTWATCH_SLACK_WEBHOOK_URL")
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        return cls(
            settings.slack_webhook_url,
            template_dir=template_dir,
            transport=transport,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"SlackNotifier(webhook={self._where!r})"

    __str__ = __repr__

    def send(
        self,
        alerts: list[Alert],
        *,
        digest: bool = False,
        test: bool = False,
        occasion: str | None = None,
    ) -> None:
        if not alerts:
            return
        batches = [alerts] if digest else [[a] for a in alerts]
        payloads = [
            build_slack_payload(batch, digest=digest, test=test, renderer=self._renderer)
            for batch in batches
        ]
        with httpx.Client(
            transport=self._transport, timeout=self._timeout, follow_redirects=False
        ) as client:
            for number, payload in enumerate(payloads, start=1):
                try:
                    self._post(client, payload)
                except NotifyError as exc:
                    if len(payloads) > 1:
                        exc.message = (
                            f"{exc.message}; message {number} of {len(payloads)}, "
                            f"{number - 1} delivered before it"
                        )
                        exc.args = (exc.message,)
                    raise

    def _post(self, client: httpx.Client, payload: dict[str, Any]) -> None:
        try:
            response = client.post(self._webhook_url.get_secret_value(), json=payload)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # ``from None``: httpx's own exception holds the request, whose URL is the secret.
            raise map_httpx_error(exc, where=self._where) from None
        error = classify_slack_response(
            response.status_code, response.text, response.headers, where=self._where
        )
        if error is not None:
            raise error


def _check_webhook_url(url: str, shown: str) -> None:
    """https, or plain http to this machine (the test servers)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        # ``from None``: the parser's message quotes the URL, which is the secret.
        raise ConfigError(
            "REPORTWATCH_SLACK_WEBHOOK_URL is not a URL", hint="paste the URL Slack gave"
        ) from None
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in _LOOPBACK_HOSTS:
        return
    raise ConfigError(
        f"REPORTWATCH_SLACK_WEBHOOK_URL must be an https URL, got {shown}",
        hint="paste the https://hooks.slack.com/... URL Slack gave",
    )
