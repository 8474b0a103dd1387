"""Run bookkeeping: the series' lease, and one row per flow run in ``runs`` with its counts.

A run starts by taking its series' lease (:func:`start_run`: one short transaction that also
marks dead runs ``crashed`` and records this one ``running``) and ends by recording its outcome
and giving the lease back (:func:`finish_run`, one transaction). Between the two a heartbeat
thread keeps the lease fresh; it opens the warehouse for a moment every
``warehouse.leases.HEARTBEAT_EVERY`` and never holds it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Protocol

from reportwatch.errors import LeaseHeldError, LeaseLostError, ReportwatchError
from reportwatch.settings import Settings
from warehouse import open_writer
from warehouse import runs as run_rows
from warehouse.leases import HEARTBEAT_EVERY, acquire, heartbeat, live_holder

log = logging.getLogger("reportwatch.runs")


class _Summary(Protocol):
    run_id: str
    flow: str
    series: str
    status: str
    error: str | None
    window_until: dt.date | None
    stage_seconds: dict[str, float]

    def counts(self) -> dict[str, int]: ...


class RunLease:
    """The lease a run holds on its series, kept alive by a heartbeat thread.

    ``check()`` raises :class:`LeaseLostError` once a heartbeat found the lease taken over
    (this run was taken for dead); writes that must not happen twice are fenced as well.
    """

    def __init__(self, settings: Settings, series: str, run_id: str) -> None:
        self.settings, self.series, self.run_id = settings, series, run_id
        self.lost: LeaseLostError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{series}", daemon=True)

    def start(self) -> RunLease:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=HEARTBEAT_EVERY.total_seconds() + 35)

    def check(self) -> None:
        if self.lost is not None:
            raise self.lost

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY.total_seconds()):
            try:
                with open_writer(self.settings.warehouse_path) as con:
                    heartbeat(con, series=self.series, run_id=self.run_id)
            except LeaseLostError as exc:
                self.lost = exc
                log.error("%s", exc.one_line())
                return
            except ReportwatchError as exc:  # a locked or full warehouse: try again later
                log.warning("lease heartbeat of %s failed: %s", self.series, exc.one_line())


def start_run(
    settings: Settings,
    summary: _Summary,
    since: dt.date | None,
    *,
    historical: bool = False,
    wait: float = 0.0,
) -> RunLease:
    """Take the series' lease and record the run; returns the lease, heartbeat running.

    Raises :class:`LeaseHeldError` when another live run holds it, at once or, with
    ``wait`` (seconds), once that long has passed without the lease coming free.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            with open_writer(settings.warehouse_path) as con:
                taken = acquire(
                    con, series=summary.series, run_id=summary.run_id, flow=summary.flow,
                    window_from=since, window_until=summary.window_until, historical=historical,
                )  # fmt: skip
            break
        except LeaseHeldError as exc:
            if time.monotonic() >= deadline:
                raise
            log.info("waiting for the lease of %s: %s", summary.series, exc.message)
            time.sleep(min(5.0, max(0.1, deadline - time.monotonic())))
    for dead, what in taken.crashed.items():
        log.warning("run %s of %s %s", dead, summary.series, what)
    return RunLease(settings, summary.series, summary.run_id).start()


def finish_run(settings: Settings, summary: _Summary, lease: RunLease | None = None) -> None:
    """Record the run's outcome and give its lease back, in one transaction."""
    if lease is not None:
        lease.stop()
    with open_writer(settings.warehouse_path) as con:
        run_rows.finish_run(
            con, run_id=summary.run_id, status=summary.status, counts=summary.counts(),
            stage_seconds=summary.stage_seconds, error=summary.error,
            series=summary.series if lease is not None and lease.lost is None else None,
        )  # fmt: skip


def check_series_free(settings: Settings, series: str) -> None:
    """Raise :class:`LeaseHeldError` naming the owner when a live run holds ``series``.

    The CLI asks before it starts Prefect, so a second run exits at once; the run itself takes
    the lease in a transaction (this check alone would race).
    """
    if not settings.warehouse_path.exists():
        return
    with open_writer(settings.warehouse_path) as con:
        owner = live_holder(con, series)
    if owner is not None:
        raise LeaseHeldError(
            f"{series} is already being run by {owner.describe()}",
            hint="wait for it to finish; a run whose process died is taken over at once",
        )


def record_snapshot_error(settings: Settings, run_id: str, error: str | None) -> None:
    with open_writer(settings.warehouse_path) as con:
        run_rows.record_snapshot_error(con, run_id=run_id, error=error)
