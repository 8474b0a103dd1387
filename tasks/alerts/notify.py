"""Notify: deliver alerts through the series' channels, recorded in the delivery ledger.

The ledger (``deliveries``) has one row per alert and channel, and is the only memory of
what was sent:

* An alert at or above a channel's ``min_severity`` gets a ``pending`` row, or ``muted``
  when its rule is muted (then it is never sent, on any channel). Pending rows of a rule
  muted later become ``muted`` too. Queued are the new alerts this run raised, every alert
  never handed to the ledger (``alerts.queued_at`` NULL: the run that raised it stopped before
  notify, however long ago), and every alert raised within ``catch_up`` (7 days) that has no
  row for the channel yet (the channel could not be served then). Once every channel has had
  its turn the alerts are marked handed over (stage ``notified``).
* A channel whose notifier cannot be built (ConfigError) still queues: its rows stay
  ``pending`` with the error in ``last_error`` until the setting is fixed. So does a channel
  that is not configured at all (``slack: not configured: set REPORTWATCH_SLACK_WEBHOOK_URL``):
  its alerts wait, visibly, in ``alerts list --pending`` and ``status``, and the summary names
  the channel (``skipped_channels``, not ``errors``: nothing failed) on every run, quiet ones
  included.
* Every pending row is then sent: one message per alert (``digest: none``), one message per
  run (``run``), or one digest per logical day (``day``: the first run of a day sends it,
  later runs that day wait for the next day).
* A send claims its rows first (``sending``, with the claimer and the time: one short
  transaction) and sends only the rows it claimed, so two processes never send one delivery
  (:mod:`warehouse.claims`). A claim whose process died goes back to ``pending``.
* A send that succeeds marks its rows ``delivered``: they are never sent again.
* A send that fails leaves its rows ``pending`` with ``attempts`` and ``last_error``, and the
  next run retries them. The error says whether it is transient (retrying may help) or
  terminal (a setting must be fixed first; the row stays pending so the fix delivers it).
  The first failure stops that channel for the run; its other pending rows note why.
* A ``Retry-After`` (Slack's 429) sets ``next_attempt_at`` to the moment the 429 arrived
  plus the wait: the channel is skipped, not slept on, until then.

A repeat is possible only when a channel accepted a message whose ``delivered`` mark was never
written: the process died between the two (a claim left ``sending``, released when its process
is found dead), the answer was lost (Slack's read timeout: the send looks failed), or the
warehouse stayed locked past the lock wait. Each is one message, sent once more by the next
run. The last case is logged as an error and counted (``unrecorded``), never raised: a raise
would make Prefect retry the task and resend at once. Emails carry a Message-ID derived from
what the message is (one alert, a run's or a day's digest) and its alert keys, the same on every
attempt, so mail clients can fold such a repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from prefect import task

from reportwatch import progress
from reportwatch.errors import ConfigError, NotifyError, ReportwatchError, WarehouseError
from reportwatch.models import SEVERITY_RANK, Alert
from reportwatch.pausepoints import pause_point
from reportwatch.series import ChannelConfig, SeriesConfig
from reportwatch.settings import Settings
from tasks.alerts.secrets import with_secret_blocks
from tasks.retry import retry_transient
from warehouse import alerts as ledger
from warehouse import open_writer
from warehouse.claims import claim, claimer, release_gone, release_own, settle
from warehouse.progress import mark_queued, unqueued

if TYPE_CHECKING:
    from tasks.alerts.notifiers.base import Notifier

log = logging.getLogger(__name__)

# How far back an alert with no ledger row for a channel is still sent there. Long enough to
# outlast a crashed run or a Secret block that could not be read for a few days; short
# enough that a channel configured for the first time does not get years of history.
CATCH_UP_WINDOW = dt.timedelta(days=7)
Clock = Callable[[], dt.datetime]


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
    # Alerts a channel accepted whose `delivered` mark could not be written: they stay
    # pending in the ledger, so the next run sends them again.
    unrecorded: int = 0


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
    from tasks.alerts.notifiers.render import resolve_template_dir

    base = config.path.parent if config.path is not None else None
    return resolve_template_dir(channel.template, base)


def _wanted(alerts: list[Alert], channel: ChannelConfig) -> list[Alert]:
    floor = SEVERITY_RANK[channel.min_severity]
    return [a for a in alerts if SEVERITY_RANK[a.severity] >= floor]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _as_clock(now: dt.datetime | Clock | None) -> Clock:
    if now is None:
        return utc_now
    if isinstance(now, dt.datetime):
        return lambda: now
    return now


def deliver(
    config: SeriesConfig,
    settings: Settings,
    new_alerts: list[Alert],
    *,
    today: dt.date,
    run_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
    now: dt.datetime | Clock | None = None,
    use_secret_blocks: bool | None = None,
    catch_up: dt.timedelta = CATCH_UP_WINDOW,
    lock_wait: float = 30.0,
) -> DeliverySummary:
    """Queue alerts per channel and send everything pending; channel errors are recorded.

    ``today`` is the run's logical date (daily digests); ``now`` the wall clock in naive UTC,
    a fixed time or a function read at each use (tests give one; Retry-After deadlines count
    from the clock read when the 429 arrived). Alerts raised within ``catch_up`` of now that
    have no row for a channel are queued along with ``new_alerts``. ``lock_wait`` is how long
    each warehouse write waits for another writer. ``use_secret_blocks`` as in
    :func:`tasks.alerts.secrets.with_secret_blocks` (default: inside a Prefect run).
    """
    from tasks.alerts.channels import unconfigured_channels

    clock = _as_clock(now)
    since = clock() - catch_up
    with open_writer(settings.warehouse_path, lock_wait=lock_wait) as con:
        # Claims this claimer left (a send it could not record) and claims of dead processes
        # were in flight: the channel may have them. Pending again: at most one repeat each.
        released = release_own(con, series=config.id, owner=claimer(run_id))
        released += release_gone(con, series=config.id)
        handing_over = unqueued(con, series=config.id)
    if released:
        log.warning("%d delivery(ies) of %s were being sent by a process that died: pending "
                    "again (each may arrive twice)", released, config.id)  # fmt: skip
    # Secret blocks are read only for secrets the environment lacks, so a channel is called
    # "not configured" only when neither has it.
    settings = with_secret_blocks(
        settings, [c.kind for c in config.channels], use_blocks=use_secret_blocks
    )
    unconfigured = unconfigured_channels([c.kind for c in config.channels], settings)
    if not (new_alerts or handing_over or _has_work(config, settings, since, lock_wait)):
        # nothing to send and no channel touched; the summary still names the unconfigured
        return DeliverySummary(skipped_channels=unconfigured)
    summary = DeliverySummary()
    for channel in config.channels:
        if summary.unrecorded:
            # The warehouse cannot be written: sending more would only add repeats.
            summary.waiting[channel.kind] = "not attempted: the ledger could not be written"
            continue
        _deliver_channel(
            config, settings, channel, new_alerts, today=today, run_id=run_id,
            transport=transport, clock=clock, since=since, lock_wait=lock_wait,
            summary=summary,
        )  # fmt: skip
    try:
        with open_writer(settings.warehouse_path, lock_wait=lock_wait) as con:
            if not summary.unrecorded:  # every channel had its turn: handed over
                mark_queued(con, handing_over + [a.key for a in new_alerts])
            summary.pending = ledger.pending_count(con, series=config.id)
    except WarehouseError as exc:
        if not summary.unrecorded:
            raise  # nothing unrecorded was sent: a task retry repeats nothing
        log.error("could not count pending deliveries of %s: %s", config.id, exc.one_line())
    return summary


def _has_work(
    config: SeriesConfig, settings: Settings, since: dt.datetime, lock_wait: float
) -> bool:
    """True when a row is pending or a recent alert was never queued for a series channel."""
    with open_writer(settings.warehouse_path, lock_wait=lock_wait) as con:
        if ledger.pending_count(con, series=config.id):
            return True
        return any(
            ledger.unqueued_alerts(
                con, channel=c.kind, series=config.id,
                min_rank=SEVERITY_RANK[c.min_severity], since=since,
            )
            for c in config.channels
        )  # fmt: skip


def _deliver_channel(
    config: SeriesConfig,
    settings: Settings,
    channel: ChannelConfig,
    new_alerts: list[Alert],
    *,
    today: dt.date,
    run_id: str | None,
    transport: httpx.BaseTransport | None,
    clock: Clock,
    since: dt.datetime,
    lock_wait: float,
    summary: DeliverySummary,
) -> None:
    """Queue ``channel``'s alerts, then send what is pending unless it must wait."""
    from tasks.alerts.channels import build_notifier, not_configured

    kind = channel.kind
    notifier: Notifier | None = None
    config_error: str | None = None
    noted = 0
    absent = not_configured(kind, settings)
    if absent is not None:
        # Queued all the same: the alerts wait, pending with this error, until it is set.
        summary.skipped_channels[kind] = absent
        config_error = f"{kind}: {absent}"
    else:
        try:
            notifier = build_notifier(
                kind, settings, template_dir=channel_template_dir(config, channel),
                transport=transport,
            )  # fmt: skip
        except ConfigError as exc:  # a setting is wrong, not absent: queue, say what to fix
            config_error = ledger_error(exc)
    with open_writer(settings.warehouse_path, lock_wait=lock_wait) as con:
        wanted = _wanted(new_alerts, channel)
        known = {a.key for a in wanted}
        wanted += [
            a
            for a in ledger.unqueued_alerts(
                con, channel=kind, series=config.id,
                min_rank=SEVERITY_RANK[channel.min_severity], since=since,
            )
            if a.key not in known
        ]  # fmt: skip
        muted_rules = ledger.muted_rules(con, series=config.id, today=today)
        muted = {a.key for a in wanted if a.rule_id in muted_rules}
        ledger.queue_deliveries(
            con, channel=kind, keys=[a.key for a in wanted], series=config.id,
            muted=muted, run_id=run_id,
        )  # fmt: skip
        summary.muted += len(muted) + ledger.mute_pending(
            con, channel=kind, series=config.id, rule_ids=muted_rules
        )
        if config_error is not None:
            noted = ledger.note_pending_error(
                con, channel=kind, series=config.id, error=config_error
            )
        retry_at = ledger.channel_retry_at(con, channel=kind)
        digest_day = (
            ledger.next_digest_day(con, channel=kind, series=config.id)
            if channel.digest == "day"
            else None
        )
        pending = ledger.pending_alerts(con, channel=kind, series=config.id)
    if config_error is not None:
        if absent is None:  # a wrong setting is an error; an absent one is named, not failed
            summary.errors[kind] = config_error
        log.warning("%s: %d alert(s) of %s stay pending: %s", kind, noted, config.id,
                    config_error)  # fmt: skip
        return
    assert notifier is not None  # built whenever there was no ConfigError
    if not pending:
        return
    started = clock()
    if retry_at is not None and retry_at > started:
        summary.waiting[kind] = f"rate limited until {retry_at:%Y-%m-%d %H:%M:%S} UTC"
        return
    if digest_day is not None and today < digest_day:
        summary.waiting[kind] = f"today's digest was sent; the next goes on {digest_day}"
        return
    _send_pending(
        config, settings, channel, notifier, pending, today, clock, lock_wait, summary,
        owner=claimer(run_id),
    )  # fmt: skip


def _send_pending(
    config: SeriesConfig,
    settings: Settings,
    channel: ChannelConfig,
    notifier: Notifier,
    pending: list[Alert],
    today: dt.date,
    clock: Clock,
    lock_wait: float,
    summary: DeliverySummary,
    *,
    owner: str,
) -> None:
    """Send ``pending`` through one channel, recording each message's outcome as it goes.

    Each message's rows are claimed for ``owner`` before it is sent; rows another process
    claimed meanwhile are left to it.
    """
    kind, digest = channel.kind, channel.digest != "none"
    batches = [pending] if digest else [[a] for a in pending]
    progress.add_total("notify", len(pending))
    # A daily digest's delivered rows say when the next one is due (ledger.next_digest_day).
    delivered_marker = _midnight(today + dt.timedelta(days=1)) if channel.digest == "day" else None
    for number, wanted in enumerate(batches):
        with open_writer(settings.warehouse_path, lock_wait=lock_wait) as con:
            mine = claim(con, channel=kind, keys=[a.key for a in wanted], owner=owner)
        batch = [a for a in wanted if a.key in mine]
        if not batch:
            continue
        keys = [a.key for a in batch]
        try:
            notifier.send(batch, digest=digest, occasion=channel.digest if digest else None)
        except (NotifyError, ConfigError) as exc:  # ConfigError: a broken template override
            failed_at = clock()  # when the channel answered: Retry-After counts from here
            retry_at = None
            retry_after = exc.retry_after if isinstance(exc, NotifyError) else None
            if exc.transient and retry_after:
                retry_at = failed_at + dt.timedelta(seconds=retry_after)
            error = ledger_error(exc, retry_at=retry_at)
            later = [a.key for b in batches[number + 1 :] for a in b]
            with open_writer(settings.warehouse_path, lock_wait=lock_wait) as con:
                settle(
                    con, channel=kind, keys=keys, owner=owner, ok=False, error=error,
                    retry_at=retry_at, attempted_at=failed_at,
                )  # fmt: skip
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
        sent_at = clock()
        pause_point(f"notify:sent:{kind}")  # a test hook: accepted, not yet recorded
        summary.delivered += len(batch)
        progress.advance("notify", kind, n=len(batch))
        summary.messages[kind] = summary.messages.get(kind, 0) + 1
        try:
            with open_writer(settings.warehouse_path, lock_wait=lock_wait) as con:
                settle(
                    con, channel=kind, keys=keys, owner=owner, ok=True,
                    retry_at=delivered_marker, attempted_at=sent_at,
                )  # fmt: skip
        except WarehouseError as exc:
            # Raising would make Prefect retry the task, which resends at once. Stop instead:
            # the rows stay pending, so the next run sends these alerts again (a repeat).
            summary.unrecorded += len(batch)
            summary.errors[kind] = (
                f"{len(batch)} alert(s) sent but not recorded as delivered "
                f"(the next run may send them again): {exc.one_line()}"
            )
            log.error(
                "%s accepted %d alert(s) of %s but the ledger could not record it, so they "
                "may be sent again: %s (keys: %s)", kind, len(batch), config.id,
                exc.one_line(), ", ".join(keys),
            )  # fmt: skip
            return
        pause_point(f"notify:inside:{kind}")  # a test hook: one message recorded
    log.info("%s: delivered %d alert(s) of %s", kind, len(pending), config.id)


# Retrying is safe: the ledger never sends a delivered alert twice, and deliver() raises
# nothing once a send could not be recorded. Only a locked warehouse is worth retrying here;
# channel failures are recorded, not raised.
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
