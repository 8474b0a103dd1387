"""The notifier interface: one method, ``send``.

The factory that picks a channel and checks its configuration is :mod:`tasks.alerts.channels`.

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

from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from reportwatch.models import Alert


@runtime_checkable
class Notifier(Protocol):
    """A delivery channel."""

    channel: str

    def send(
        self,
        alerts: list[Alert],
        *,
        digest: bool = False,
        test: bool = False,
        occasion: str | None = None,
    ) -> None:
        """Deliver ``alerts``: one message each, or one message for all when ``digest``.

        ``test`` marks the message as a test (``reportwatch alerts test``). Messages go out in
        order and the first failure stops the rest: callers that record delivery per alert
        should call ``send`` once per alert. ``occasion`` names what a digest is (``run``,
        ``day``, ``digest 2026-11-23 to 2026-11-30``): two digests of the same alerts for
        different occasions are different messages (an email's Message-ID differs).
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
