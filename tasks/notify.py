"""Notify: deliver alerts through the series' channels, recorded in the delivery ledger.

For each channel the series lists (and that is configured), every new alert at or above the
channel's minimum severity gets a ``pending`` ledger row; then every pending row is sent
(one message per alert, or one digest per run). A failure leaves the row pending with the
error, so the next run retries it; a delivered row is never sent again. Muted rules get a
``muted`` row and are never sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prefect import task

from reportwatch.errors import ConfigError, NotifyError
from reportwatch.models import SEVERITY_RANK, Alert
from reportwatch.series import ChannelConfig, SeriesConfig
from reportwatch.settings import Settings
from warehouse import alerts as ledger
from warehouse import open_writer


@dataclass
class DeliverySummary:
    delivered: int = 0
    pending: int = 0
    skipped_channels: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _template_dir(config: SeriesConfig, channel: ChannelConfig) -> Path | None:
    from tasks.notifiers.render import resolve_template_dir

    base = config.path.parent if config.path is not None else None
    return resolve_template_dir(channel.template, base)


def deliver(
    config: SeriesConfig,
    settings: Settings,
    new_alerts: list[Alert],
    *,
    today: dt.date,
    run_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> DeliverySummary:
    """Queue new alerts per channel and send everything pending. Never raises NotifyError."""
    from tasks.notifiers.base import build_notifier, is_configured

    summary = DeliverySummary()
    for channel in config.channels:
        if not is_configured(channel.kind, settings):
            summary.skipped_channels[channel.kind] = "not configured"
            continue
        try:
            notifier = build_notifier(
                channel.kind,
                settings,
                template_dir=_template_dir(config, channel),
                transport=transport,
            )
        except ConfigError as exc:
            summary.skipped_channels[channel.kind] = exc.one_line()
            continue
        wanted = [
            a.key
            for a in new_alerts
            if SEVERITY_RANK[a.severity] >= SEVERITY_RANK[channel.min_severity]
        ]
        with open_writer(settings.warehouse_path) as con:
            muted_rules = ledger.muted_rules(con, series=config.id, today=today)
            muted = {a.key for a in new_alerts if a.rule_id in muted_rules}
            ledger.queue_deliveries(
                con, channel=channel.kind, keys=wanted, series=config.id, muted=muted, run_id=run_id
            )
            pending = ledger.pending_alerts(con, channel=channel.kind, series=config.id)
        if not pending:
            continue
        batches = [pending] if channel.digest != "none" else [[a] for a in pending]
        for i, batch in enumerate(batches):
            keys = [a.key for a in batch]
            try:
                notifier.send(batch, digest=channel.digest != "none")
            except NotifyError as exc:
                retry_at = None
                if exc.retry_after:
                    retry_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(
                        seconds=exc.retry_after
                    )
                with open_writer(settings.warehouse_path) as con:
                    ledger.record_attempt(
                        con, channel=channel.kind, keys=keys, ok=False,
                        error=exc.one_line(), retry_at=retry_at,
                    )  # fmt: skip
                summary.errors[channel.kind] = exc.one_line()
                summary.pending += sum(len(b) for b in batches[i:])
                break
            with open_writer(settings.warehouse_path) as con:
                ledger.record_attempt(con, channel=channel.kind, keys=keys, ok=True)
            summary.delivered += len(batch)
    return summary


@task(name="notify")
def notify_task(
    config: SeriesConfig,
    settings: Settings,
    new_alerts: list[Alert],
    *,
    today: dt.date,
    run_id: str | None = None,
) -> DeliverySummary:
    return deliver(config, settings, new_alerts, today=today, run_id=run_id)
