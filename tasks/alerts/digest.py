"""Digest: one message per channel summing up a series' alerts over the last days.

The weekly digest deployment runs this; it complements (never replaces) the per-alert
delivery ledger, so it reads the alerts table and sends, but records nothing. Channels follow
the series file (its minimum severity per channel applies); unconfigured channels are skipped.

The window is ``[until - days, until)`` by ``raised_at``, ``until`` being the logical date at
00:00 UTC. Half-open and ending at midnight, so consecutive weekly digests meet exactly: an
alert raised on the digest's own day, before or after its 08:00 run, goes in the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from reportwatch.errors import ReportwatchError
from reportwatch.models import SEVERITY_RANK
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.alerts.notify import channel_template_dir
from tasks.alerts.secrets import with_secret_blocks
from warehouse import open_writer
from warehouse.alerts import alerts_raised_between

log = logging.getLogger("reportwatch.digest")


@dataclass
class DigestResult:
    alerts: int = 0
    sent: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def send_digest(
    config: SeriesConfig, settings: Settings, *, until: dt.date, days: int = 7
) -> DigestResult:
    """Send each channel the alerts raised in the ``days`` days before ``until`` (00:00)."""
    from tasks.alerts.channels import build_notifier, missing_settings

    start = until - dt.timedelta(days=days)
    settings = with_secret_blocks(settings, [c.kind for c in config.channels])
    result = DigestResult()
    with open_writer(settings.warehouse_path) as con:
        alerts = alerts_raised_between(con, series=config.id, start=start, before=until)
    result.alerts = len(alerts)
    for channel in config.channels:
        wanted = [
            a for a in alerts if SEVERITY_RANK[a.severity] >= SEVERITY_RANK[channel.min_severity]
        ]
        missing = missing_settings(channel.kind, settings)
        if missing:
            result.skipped[channel.kind] = f"needs {' and '.join(missing)}"
            continue
        if not wanted:
            result.skipped[channel.kind] = "no alerts in the period"
            continue
        try:
            notifier = build_notifier(
                channel.kind, settings, template_dir=channel_template_dir(config, channel)
            )
            notifier.send(wanted, digest=True, occasion=f"digest {start} to {until}")
        except ReportwatchError as exc:
            log.error("digest not sent to %s: %s", channel.kind, exc.one_line())
            result.skipped[channel.kind] = exc.one_line()
            continue
        result.sent.append(channel.kind)
    return result
