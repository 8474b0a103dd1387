"""One active run per series: the lease, and how a dead owner's lease is taken over.

A run holds its series' lease (``leases``: owner run id, flow, host, pid, heartbeat) from the
moment it starts to the moment it records its end; a heartbeat thread refreshes it. DuckDB lets
one process write at a time, so the lease lives in the warehouse but every touch of it is one
short transaction: the write connection is never held between them.

An owner is **gone** when its pid no longer runs on this host (or is a zombie), or when its
heartbeat is older than ``STALE_AFTER`` (another host, or a frozen machine). A run that finds the
lease held by a live owner stops at once (:class:`~reportwatch.errors.LeaseHeldError` names the
owner); one that finds it held by a gone owner takes it over in the same transaction that

* marks every other ``running`` run of the series ``crashed``, with what it left behind,
* releases the downloads it had claimed, and the deliveries it was sending (back to
  ``pending``: the channel may have accepted one of them, the one repeat we allow), and
* records the new run as ``running``.

Shapes: times are naive UTC (as everything in the warehouse); ``pid`` is an int.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from reportwatch.errors import LeaseHeldError
from warehouse.claims import release_deliveries
from warehouse.connection import Connection, now, transaction
from warehouse.owners import Holder, gone_reason, holder, lost, this_host
from warehouse.progress import unfinished

HEARTBEAT_EVERY = dt.timedelta(seconds=15)


@dataclass(frozen=True)
class Acquired:
    """What :func:`acquire` did: the dead runs it marked crashed, with what they left."""

    crashed: dict[str, str]


def live_holder(con: Connection, series: str, *, at: dt.datetime | None = None) -> Holder | None:
    """The lease's owner if it is alive; None when the lease is free or its owner gone."""
    found = holder(con, series)
    if found is None:
        return None
    at = at or now()
    return None if gone_reason(found.host, found.pid, found.heartbeat_at, at) else found


def acquire(
    con: Connection,
    *,
    series: str,
    run_id: str,
    flow: str,
    window_from: dt.date | None = None,
    window_until: dt.date | None = None,
    historical: bool = False,
    host: str | None = None,
    pid: int | None = None,
) -> Acquired:
    """Take the series' lease for ``run_id`` and record the run as ``running``, in one transaction.

    Raises :class:`LeaseHeldError` (transient) when a live owner holds it. Runs of the series
    still marked ``running`` are dead once we hold the lease: they are marked ``crashed`` with
    what they left, and their claims are released.
    """
    host, pid, at = host or this_host(), pid or os.getpid(), now()
    with transaction(con):
        current = holder(con, series)
        why: str | None = None
        if current is not None and current.run_id != run_id:
            why = gone_reason(current.host, current.pid, current.heartbeat_at, at)
            if why is None:
                raise LeaseHeldError(
                    f"{series} is already being run by {current.describe(at)}",
                    hint="wait for it to finish; a run whose process died is taken over at once",
                )
        dead_holder = {current.run_id: why} if current is not None and why else {}
        crashed = _crash_dead_runs(con, series=series, run_id=run_id, at=at, why=dead_holder)
        con.execute(
            """INSERT INTO leases VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (series) DO UPDATE SET run_id = excluded.run_id,
                   flow = excluded.flow, host = excluded.host, pid = excluded.pid,
                   acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at""",
            [series, run_id, flow, host, pid, at, at],
        )
        con.execute(
            """UPDATE candidates SET claimed_by = NULL, claimed_at = NULL
               WHERE series = ? AND claimed_by IS NOT NULL AND claimed_by <> ?""",
            [series, run_id],
        )
        con.execute(
            """INSERT INTO runs (run_id, flow, series, started_at, status, window_from,
                                 window_until, host, pid, historical)
               VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)
               ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at,
                   status = 'running', host = excluded.host, pid = excluded.pid""",
            [run_id, flow, series, at, window_from, window_until, host, pid, historical],
        )
    return Acquired(crashed)


def _crash_dead_runs(
    con: Connection, *, series: str, run_id: str, at: dt.datetime, why: dict[str, str]
) -> dict[str, str]:
    """Mark the series' other ``running`` runs crashed; ``why`` has the lease holder's reason."""
    rows = con.execute(
        "SELECT run_id FROM runs WHERE series = ? AND status = 'running' AND run_id <> ?",
        [series, run_id],
    ).fetchall()
    if not rows:
        return {}
    released = release_deliveries(con, series=series, owners={str(r[0]) for r in rows})
    left = unfinished(con, series).describe(in_flight=released)
    crashed: dict[str, str] = {}
    for (dead,) in rows:
        reason = why.get(str(dead)) or "it stopped without recording its end or its lease"
        crashed[str(dead)] = (
            f"crashed: {reason}; found by run {run_id} at {at:%Y-%m-%d %H:%M:%S} UTC; left {left}"
        )
        # What it did, from the rows its loads wrote (it never recorded its counts).
        con.execute(
            """UPDATE runs SET status = 'crashed', finished_at = ?, error = ?,
                   loaded = (SELECT count(*) FROM documents d JOIN loads l USING (load_id)
                             WHERE l.run_id = ? AND d.status = 'loaded'),
                   quarantined = (SELECT count(*) FROM documents d JOIN loads l USING (load_id)
                                  WHERE l.run_id = ? AND d.status = 'quarantined'),
                   alerts_raised = (SELECT count(*) FROM alerts a JOIN loads l USING (load_id)
                                    WHERE l.run_id = ?)
               WHERE run_id = ?""",
            [at, crashed[str(dead)], dead, dead, dead, dead],
        )
    return crashed


def heartbeat(con: Connection, *, series: str, run_id: str) -> None:
    """Refresh the lease; raises :class:`LeaseLostError` when another run took it over."""
    row = con.execute(
        "UPDATE leases SET heartbeat_at = ? WHERE series = ? AND run_id = ? RETURNING run_id",
        [now(), series, run_id],
    ).fetchall()
    if not row:
        raise lost(con, series, run_id)


def release(con: Connection, *, series: str, run_id: str) -> None:
    """Give the lease up (inside the caller's transaction) and drop this run's claims."""
    con.execute("DELETE FROM leases WHERE series = ? AND run_id = ?", [series, run_id])
    con.execute(
        "UPDATE candidates SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = ?",
        [run_id],
    )
    release_deliveries(con, series=series, owners={run_id})
