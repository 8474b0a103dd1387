"""Owners: who holds a series' lease, and whether the process behind a lease or a claim lives.

An owner is **gone** when its pid no longer runs on this host (or is a zombie), or when the time
it last showed life is older than ``STALE_AFTER`` (another host, or a frozen machine).
:func:`fence` is how a write proves, inside its own transaction, that its run still holds the
lease (taking and giving leases back is :mod:`warehouse.leases`).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from reportwatch.errors import LeaseLostError
from warehouse.connection import Connection, now

# "a few minutes": twelve missed lease heartbeats (warehouse.leases.HEARTBEAT_EVERY). A live
# owner on another host that cannot write the warehouse for that long has lost what it held.
STALE_AFTER = dt.timedelta(minutes=3)


def this_host() -> str:
    return socket.gethostname()


def pid_running(pid: int) -> bool:
    """True when ``pid`` is a live process on this host (a zombie counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        pass
    stat = Path(f"/proc/{pid}/stat")
    try:
        # "pid (comm) S ...": the state follows the last parenthesis (comm may hold spaces)
        state = stat.read_text(encoding="ascii", errors="replace").rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): the signal said it exists
    return state not in ("Z", "X")


def gone_reason(
    host: str | None, pid: int | None, heartbeat_at: dt.datetime | None, at: dt.datetime
) -> str | None:
    """Why an owner is gone, or None while it is alive (see the module docstring)."""
    if host == this_host() and pid is not None and not pid_running(pid):
        return f"its process (pid {pid} on {host}) is gone"
    if heartbeat_at is not None and at - heartbeat_at > STALE_AFTER:
        minutes = (at - heartbeat_at).total_seconds() / 60
        return f"no heartbeat for {minutes:.0f} min (pid {pid} on {host})"
    return None


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a series' lease."""

    series: str
    run_id: str
    flow: str
    host: str
    pid: int
    acquired_at: dt.datetime
    heartbeat_at: dt.datetime

    def describe(self, at: dt.datetime | None = None) -> str:
        age = int(((at or now()) - self.heartbeat_at).total_seconds())
        return (
            f"run {self.run_id} ({self.flow}, pid {self.pid} on {self.host}, "
            f"heartbeat {max(age, 0)} s ago)"
        )


def holder(con: Connection, series: str) -> Holder | None:
    row = con.execute(
        """SELECT series, run_id, flow, host, pid, acquired_at, heartbeat_at
           FROM leases WHERE series = ?""",
        [series],
    ).fetchone()
    return Holder(*row) if row else None


def holders(con: Connection) -> list[Holder]:
    rows = con.execute(
        """SELECT series, run_id, flow, host, pid, acquired_at, heartbeat_at
           FROM leases ORDER BY series"""
    ).fetchall()
    return [Holder(*r) for r in rows]


def fence(con: Connection, *, series: str, run_id: str | None) -> None:
    """Inside a transaction: raise :class:`LeaseLostError` unless ``run_id`` holds the lease.

    Writes that must never happen twice (loads, alerts, delivery claims) call it, so a run
    declared dead while it was only frozen cannot write after its successor took over.
    ``run_id`` None (a library call outside any run) is not fenced.
    """
    if run_id is None:
        return
    current = holder(con, series)
    if current is None or current.run_id != run_id:
        raise lost(con, series, run_id)


def lost(con: Connection, series: str, run_id: str) -> LeaseLostError:
    current = holder(con, series)
    by = f" by {current.describe()}" if current is not None else ""
    return LeaseLostError(
        f"run {run_id} lost the lease of {series}: it was taken over{by}",
        hint="this run stops; the run holding the lease carries on with the work",
    )
