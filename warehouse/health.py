"""What ``reportwatch status`` says about runs: the truth, not what a dead run last wrote.

A run killed with SIGKILL never records its end, so its row says ``running`` until the next
run of its series takes the lease over and marks it ``crashed``. Status does not wait for that:
a ``running`` row whose process is gone is shown as crashed, with why. Status also names each
lease holder, the work each series has left (:func:`warehouse.progress.unfinished`), and a
snapshot that lags the warehouse's last load, with the error of the publish that failed.
All of it reads; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from warehouse.connection import Connection, now
from warehouse.owners import gone_reason, holders
from warehouse.progress import unfinished
from warehouse.snapshot import lag

Rows = tuple[list[str], list[tuple[Any, ...]]]


def gone_runs(con: Connection) -> dict[tuple[dt.datetime, str], str]:
    """``running`` rows whose process is gone: (started_at, series) → why."""
    at = now()
    rows = con.execute(
        """SELECT r.started_at, r.series, r.host, r.pid, r.run_id, l.run_id, l.heartbeat_at
           FROM runs r LEFT JOIN leases l ON l.series = r.series
           WHERE r.status = 'running'"""
    ).fetchall()
    gone: dict[tuple[dt.datetime, str], str] = {}
    for started, series, host, pid, run_id, holder_id, beat in rows:
        if holder_id != run_id:
            why: str | None = "it no longer holds its series' lease"
        else:
            why = gone_reason(host, pid, beat, at)
        if why:
            gone[(started, series)] = why
    return gone


def truthful(con: Connection, runs: Rows) -> Rows:
    """``runs`` (columns with ``started_at``, ``series``, ``status``) with dead ``running``
    rows shown as ``crashed`` (:func:`status_lines` says why)."""
    columns, rows = runs
    if not {"started_at", "series", "status"} <= set(columns):
        return runs
    gone = gone_runs(con)
    s, r, st = columns.index("started_at"), columns.index("series"), columns.index("status")
    fixed = []
    for row in rows:
        why = gone.get((row[s], row[r])) if row[st] == "running" else None
        fixed.append(row if why is None else (*row[:st], "crashed", *row[st + 1 :]))
    return columns, fixed


def status_lines(con: Connection, snapshot_path: Path, *, live: bool) -> list[str]:
    """Lease holders, unfinished work per series and, on the ``live`` warehouse, snapshot lag."""
    lines = [
        f"{series} run started {started:%Y-%m-%d %H:%M:%S} crashed: {why} (the next run "
        "records it and carries on with what it left)"
        for (started, series), why in sorted(gone_runs(con).items())
    ]
    at = now()
    for held in holders(con):
        why = gone_reason(held.host, held.pid, held.heartbeat_at, at)
        lines.append(
            f"{held.series}: held by {held.describe(at)}"
            if why is None
            else f"{held.series}: the lease of run {held.run_id} is stale ({why}); the next "
            "run takes it over and records that run as crashed"
        )
    series = [
        str(r[0]) for r in con.execute("SELECT DISTINCT series FROM runs ORDER BY 1").fetchall()
    ]
    for name in series:
        left = unfinished(con, name)
        if left.describe() != "nothing unfinished":
            lines.append(f"{name}: unfinished: {left.describe()} (the next run carries on)")
    if live:
        behind = lag(con, snapshot_path)
        if behind.behind:
            error = con.execute(
                """SELECT snapshot_error FROM runs WHERE snapshot_error IS NOT NULL
                   ORDER BY started_at DESC LIMIT 1"""
            ).fetchone()
            cause = f"the last publish failed: {error[0]}" if error else "not published yet"
            reflects = (
                f"it reflects load {behind.snapshot_load}" if behind.published else "none yet"
            )
            lines.append(
                f"snapshot is behind: {reflects}, the warehouse is at load "
                f"{behind.warehouse_load} ({cause}; the next run publishes it)"
            )
    return lines
