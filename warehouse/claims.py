"""Delivery claims: a delivery is claimed before it is sent and recorded after.

A ``pending`` row becomes ``sending`` with its claimer (``claimed_by``: the run id, or
``pid:<pid>`` outside a run; ``claim_host``, ``claim_pid``) and ``claimed_at`` in one short
transaction; only rows this call turned from ``pending`` are sent, so two processes never send
one delivery. The outcome is recorded only on rows the same claimer still holds.

A ``sending`` row whose claimer is gone (:func:`warehouse.owners.gone_reason`) goes back to
``pending`` with a note: the channel may have accepted the message before the claimer died and
the answer was lost, so the next send may repeat it once. That is the only repeat the ledger
allows (docs/runbook.md, "What a kill can and cannot do").
"""

from __future__ import annotations

import datetime as dt
import os

from warehouse.connection import Connection, now, transaction
from warehouse.owners import gone_reason, this_host

IN_FLIGHT_NOTE = (
    "was being sent by {owner} when it stopped; the channel may have accepted it, so it may "
    "arrive twice"
)


def claimer(run_id: str | None) -> str:
    """The ``claimed_by`` of this process: its run, else its pid."""
    return run_id or f"pid:{os.getpid()}"


def claim(con: Connection, *, channel: str, keys: list[str], owner: str) -> set[str]:
    """Turn ``keys``' pending rows on ``channel`` into ``sending`` for ``owner``; returns the
    keys claimed (a row another process claimed, or that is no longer pending, is left out)."""
    if not keys:
        return set()
    marks = ", ".join("?" for _ in keys)
    with transaction(con):
        rows = con.execute(
            f"""UPDATE deliveries SET status = 'sending', claimed_by = ?, claimed_at = ?,
                    claim_host = ?, claim_pid = ?
                WHERE channel = ? AND status = 'pending' AND alert_key IN ({marks})
                RETURNING alert_key""",
            [owner, now(), this_host(), os.getpid(), channel, *keys],
        ).fetchall()
    return {str(r[0]) for r in rows}


def settle(
    con: Connection,
    *,
    channel: str,
    keys: list[str],
    owner: str,
    ok: bool,
    error: str | None = None,
    retry_at: dt.datetime | None = None,
    attempted_at: dt.datetime | None = None,
) -> int:
    """Record one send of ``keys`` that ``owner`` claimed: ``delivered``, or back to ``pending``.

    ``attempted_at`` (default now) is when the channel answered; a Retry-After deadline
    counts from the same instant. Rows no longer claimed by ``owner`` are left alone (their
    claim was released because ``owner`` was taken for dead). Returns the rows recorded.
    """
    if not keys:
        return 0
    at = attempted_at or now()
    marks = ", ".join("?" for _ in keys)
    with transaction(con):
        rows = con.execute(
            f"""UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = ?, status = ?,
                    last_error = ?, delivered_at = ?, next_attempt_at = ?,
                    claimed_by = NULL, claimed_at = NULL, claim_host = NULL, claim_pid = NULL
                WHERE channel = ? AND status = 'sending' AND claimed_by = ?
                  AND alert_key IN ({marks})
                RETURNING alert_key""",
            [at, "delivered" if ok else "pending", None if ok else error, at if ok else None,
             retry_at, channel, owner, *keys],
        ).fetchall()  # fmt: skip
    return len(rows)


def release_deliveries(con: Connection, *, series: str | None, owners: set[str]) -> int:
    """``sending`` rows claimed by ``owners`` go back to ``pending`` with the in-flight note.

    Inside the caller's transaction. Returns the number of rows released.
    """
    if not owners:
        return 0
    total = 0
    for owner in sorted(owners):
        rows = con.execute(
            """UPDATE deliveries SET status = 'pending', last_error = ?, claimed_by = NULL,
                   claimed_at = NULL, claim_host = NULL, claim_pid = NULL
               WHERE status = 'sending' AND claimed_by = ?
                 AND (? IS NULL OR alert_key IN (SELECT alert_key FROM alerts WHERE series = ?))
               RETURNING alert_key""",
            [IN_FLIGHT_NOTE.format(owner=_owner_text(owner)), owner, series, series],
        ).fetchall()
        total += len(rows)
    return total


def release_own(con: Connection, *, series: str, owner: str) -> int:
    """Release what ``owner`` itself left ``sending`` (a send it could not record): a claimer
    that starts delivering again is done with its earlier sends."""
    with transaction(con):
        return release_deliveries(con, series=series, owners={owner})


def release_gone(con: Connection, *, series: str | None = None) -> int:
    """Release the ``sending`` rows whose claimer is gone (see the module docstring)."""
    at = now()
    rows = con.execute(
        """SELECT DISTINCT d.claimed_by, d.claim_host, d.claim_pid, d.claimed_at
           FROM deliveries d JOIN alerts a USING (alert_key)
           WHERE d.status = 'sending' AND (? IS NULL OR a.series = ?)""",
        [series, series],
    ).fetchall()
    gone = {str(owner) for owner, host, pid, at_ in rows if gone_reason(host, pid, at_, at)}
    if not gone:
        return 0
    with transaction(con):
        return release_deliveries(con, series=series, owners=gone)


def _owner_text(owner: str) -> str:
    return f"process {owner.removeprefix('pid:')}" if owner.startswith("pid:") else f"run {owner}"
