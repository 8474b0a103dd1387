"""Notify: deliver alerts through the series' channels, recorded in the delivery ledger.

The ledger (``deliveries``) has one row per alert and channel, and is the only memory of
what was sent:

* A new alert at or above a channel's ``min_severity`` gets a ``pending`` row, or ``muted``
  when its rule is muted (then it is never sent, on any channel). Pending rows of a rule
  muted later become ``muted`` too.
* Every pending row is then sent: one message per alert (``digest: none``), one message per
  run (``run``), or one digest per logical day (``day``: the first run of a day sends it,
  later runs that day wait for the next day).
* A send that succeeds marks its rows ``delivered``: they are never sent again.
* A send that fails leaves its rows ``pending`` with ``attempts`` and ``last_error``, and the
  next run retries them. The error says whether it is transient (retrying may help) or
  terminal (a setting must be fixed first; the row stays pending so the fix delivers it).
  The first failure stops that channel for the run; its other pending rows note why.
* A ``Retry-After`` (Slack's 429) sets ``next_attempt_at``: the channel is skipped, not
  slept on, until then.

A crash between a send and its record is the one window for a repeat; emails carry a
Message-ID derived from the alert keys so mail clients can fold such a repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from prefect import task

from reportwatch.errors import ConfigError, NotifyError, ReportwatchError
from reportwatch.models import SEVERITY_RANK, Alert
from reportwatch.series import ChannelConfig, SeriesConfig
from reportwatch.settings import Settings
from tasks.retry import retry_transient
from tasks.secrets import secret_hint, with_secret_blocks
from warehouse import alerts as ledger
from warehouse import open_writer

if TYPE_CHECKING:
    from tasks.notifiers.base import Notifier

log = logging.getLogger(__name__)


@dataclass
class DeliverySummary:
    """What one call of :func:`deliver` did, per channel where it matters."""

    delivered: int = 0
    pending: int = 0
    muted: int = 0
    messages: dict[str, int] = field(default_factory=dict)
    skipped_channels: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def utc_now() -> dt.datetime:
    """Naive UTC, the form the warehouse stores timestamps in."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def ledger_error(exc: ReportwatchError, *, retry_at: dt.datetime | None = None) -> str:
    """``last_error`` text: what failed, and whether re-running can help without a fix."""
    if not exc.transient:
        return f"terminal (fix the setting, then re-run): {exc.one_line()}"
    if retry_at is not None:
        return f"transient (retried after {retry_at:%Y-%m-%d %H:%M:%S} UTC): {exc.one_line()}"
    return f"transient (retried on the next run): {exc.one_line()}"


def channel_template_dir(config: SeriesConfig, channel: ChannelConfig) -> Path | None:
    """The folder of template overrides a channel names (relative to the series file)."""
    from tasks.notifiers.render import resolve_template_dir

    base = config.path.parent if config.path is not None else None
    return resolve_template_dir(channel.template, base)


def _wanted(alerts: list[Alert], channel: ChannelConfig) -> list[Alert]:
    floor = SEVERITY_RANK[channel.min_severity]
    return [a for a in alerts if SEVERITY_RANK[a.severity] >= floor]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def deliver(
    config: SeriesConfig,
    settings: Settings,
    new_alerts: list[Alert],
    *,
    today: dt.date,
    run_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
    now: dt.datetime | None = None,
    use_secret_blocks: bool | None = None,
) -> DeliverySummary:
    """Queue new alerts per channel and send everything pending; channel errors are recorded.

    ``today`` is the run's logical date (daily digests); ``now`` the wall clock in naive UTC
    (Retry-After deadlines), given by tests. ``use_secret_blocks`` as in
    :func:`tasks.secrets.with_secret_blocks` (default: inside a Prefect run).
    """
    from tasks.notifiers.base import build_notifier, missing_settings

    clock = now or utc_now()
    if not new_alerts:
        with open_writer(settings.warehouse_path) as con:
            if ledger.pending_count(con, series=config.id) == 0:
                return DeliverySummary()  # nothing to send: no secrets read, no channel touched
    settings = with_secret_blocks(
        settings, [c.kind for c in config.channels], use_blocks=use_secret_blocks
    )
    summary = DeliverySummary()
    for channel in config.channels:
        kind = channel.kind
        missing = missing_settings(kind, settings)
        if missing:
            hint = secret_hint(missing)
            summary.skipped_channels[kind] = f"needs {' and '.join(missing)}" + (
                f" ({hint})" if hint else ""
            )
            continue
        try:
            notifier = build_notifier(
                kind,
                settings,
                template_dir=channel_template_dir(config, channel),
                transport=transport,
            )
        except ConfigError as exc:
            summary.skipped_channels[kind] = exc.one_line()
            log.warning("%s channel skipped: %s", kind, exc.one_line())
            continue
        wanted = _wanted(new_alerts, channel)
        with open_writer(settings.warehouse_path) as con:
            muted_rules = ledger.muted_rules(con, series=config.id, today=today)
            muted = {a.key for a in wanted if a.rule_id in muted_rules}
            ledger.queue_deliveries(
                con, channel=kind, keys=[a.key for a in wanted], series=config.id,
                muted=muted, run_id=run_id,
            )  # fmt: skip
            summary.muted += len(muted) + ledger.mute_pending(
                con, channel=kind, series=config.id, rule_ids=muted_rules
            )
            retry_at = ledger.channel_retry_at(con, channel=kind)
            digest_day = (
                ledger.next_digest_day(con, channel=kind, series=config.id)
                if channel.digest == "day"
                else None
            )
            pending = ledger.pending_alerts(con, channel=kind, series=config.id)
        if not pending:
            continue
        if retry_at is not None and retry_at > clock:
            summary.waiting[kind] = f"rate limited until {retry_at:%Y-%m-%d %H:%M:%S} UTC"
            continue
        if digest_day is not None and today < digest_day:
            summary.waiting[kind] = f"today's digest was sent; the next goes on {digest_day}"
            continue
        _send_pending(config, settings, channel, notifier, pending, today, clock, summary)
    with open_writer(settings.warehouse_path) as con:
        summary.pending = ledger.pending_count(con, series=config.id)
    return summary


def _send_pending(
    config: SeriesConfig,
    settings: Settings,
    channel: ChannelConfig,
    notifier: Notifier,
    pending: list[Alert],
    today: dt.date,
    clock: dt.datetime,
    summary: DeliverySummary,
) -> None:
    """Send ``pending`` through one channel, recording each message's outcome as it goes."""
    kind, digest = channel.kind, channel.digest != "none"
    batches = [pending] if digest else [[a] for a in pending]
    # A daily digest's delivered rows say when the next one is due (ledger.next_digest_day).
    delivered_marker = _midnight(today + dt.timedelta(days=1)) if channel.digest == "day" else None
    for number, batch in enumerate(batches):
        keys = [a.key for a in batch]
        try:
            notifier.send(batch, digest=digest)
        except (NotifyError, ConfigError) as exc:  # ConfigError: a broken template override
            retry_at = None
            retry_after = exc.retry_after if isinstance(exc, NotifyError) else None
            if exc.transient and retry_after:
                retry_at = clock + dt.timedelta(seconds=retry_after)
            error = ledger_error(exc, retry_at=retry_at)
            later = [a.key for b in batches[number + 1 :] for a in b]
            with open_writer(settings.warehouse_path) as con:
                ledger.record_attempt(
                    con, channel=kind, keys=keys, ok=False, error=error, retry_at=retry_at
                )
                ledger.defer_deliveries(
                    con, channel=kind, keys=later, until=retry_at,
                    error=f"not attempted: an earlier {kind} message failed: {error}",
                )  # fmt: skip
            summary.errors[kind] = error
            log.warning(
                "%s: %d alert(s) of %s stay pending: %s", kind, len(keys) + len(later),
                config.id, error,
            )  # fmt: skip
            return
        with open_writer(settings.warehouse_path) as con:
            ledger.record_attempt(con, channel=kind, keys=keys, ok=True, retry_at=delivered_marker)
        summary.delivered += len(batch)
        summary.messages[kind] = summary.messages.get(kind, 0) + 1
    log.info("%s: delivered %d alert(s) of %s", kind, len(pending), config.id)


# Retrying is safe: the ledger never sends a delivered alert twice. Only a locked warehouse
# is worth retrying here; channel failures are recorded, not raised.
@task(name="notify", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=retry_transient)
def notify_task(
    config: SeriesConfig,
    settings: Settings,
    new_alerts: list[Alert],
    *,
    today: dt.date,
    run_id: str | None = None,
) -> DeliverySummary:
    return deliver(config, settings, new_alerts, today=today, run_id=run_id)
