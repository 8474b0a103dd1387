"""Run bookkeeping: one row per flow run in ``runs`` with its counts and stage timings."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from reportwatch.models import Alert
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from warehouse import alerts as alert_rows
from warehouse import open_writer
from warehouse import runs as run_rows


class _Summary(Protocol):
    run_id: str
    flow: str
    series: str
    status: str
    error: str | None
    window_until: dt.date | None
    stage_seconds: dict[str, float]

    def counts(self) -> dict[str, int]: ...


def start_run(settings: Settings, summary: _Summary, since: dt.date | None) -> None:
    with open_writer(settings.warehouse_path) as con:
        run_rows.start_run(
            con, run_id=summary.run_id, flow=summary.flow, series=summary.series,
            window_from=since, window_until=summary.window_until,
        )  # fmt: skip


def finish_run(settings: Settings, summary: _Summary) -> None:
    with open_writer(settings.warehouse_path) as con:
        run_rows.finish_run(
            con, run_id=summary.run_id, status=summary.status, counts=summary.counts(),
            stage_seconds=summary.stage_seconds, error=summary.error,
        )  # fmt: skip
        run_rows.release_claims(con, run_id=summary.run_id)


def record_historical(
    config: SeriesConfig, settings: Settings, alerts: list[Alert], *, run_id: str | None
) -> int:
    """Backfill alerts are recorded, never sent: a ``muted`` ledger row on every channel.

    Otherwise a backfill of 25 years would page everyone with history (and the notify stage's
    catch-up of recent undelivered alerts would send them on the next run).
    """
    keys = [a.key for a in alerts]
    with open_writer(settings.warehouse_path) as con:
        return sum(
            alert_rows.queue_deliveries(
                con,
                channel=channel.kind,
                keys=keys,
                series=config.id,
                muted=set(keys),
                run_id=run_id,
            )
            for channel in config.channels
        )
