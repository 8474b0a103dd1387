"""Run bookkeeping: runs, discovered candidates and the harvest cursor.

The harvest cursor (last window done per source and series) is written in the same
transaction as the candidates that window found, so a crash never skips a window.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from reportwatch.models import Candidate
from warehouse.connection import Connection, transaction
from warehouse.documents import new_load, now

# Candidate states: what discovery found and what became of it.
#   candidate     found, not yet fetched (or confirmation pending)
#   failed        fetch or extraction failed for a transient/terminal reason (retried next run)
#   not_published the source has no file yet (retried next run)
#   rejected      not a document of this series (never fetched again)
#   loaded / quarantined   a version is in ``documents``
RETRYABLE = ("candidate", "failed", "not_published")


def start_run(con: Connection, *, run_id: str, flow: str, series: str,
              window_from: dt.date | None, window_until: dt.date | None) -> None:  # fmt: skip
    con.execute(
        """INSERT INTO runs (run_id, flow, series, started_at, status, window_from, window_until)
           VALUES (?, ?, ?, ?, 'running', ?, ?)
           ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at, status = 'running'""",
        [run_id, flow, series, now(), window_from, window_until],
    )


def finish_run(con: Connection, *, run_id: str, status: str, counts: dict[str, int],
               stage_seconds: dict[str, float], error: str | None = None) -> None:  # fmt: skip
    cols = ["discovered", "fetched", "unchanged", "loaded", "quarantined", "rejected", "failed",
            "alerts_raised", "alerts_delivered"]  # fmt: skip
    assignments = ", ".join(f"{c} = ?" for c in cols)
    con.execute(
        f"""UPDATE runs SET finished_at = ?, status = ?, stage_seconds = ?, error = ?, {assignments}
            WHERE run_id = ?""",
        [
            now(),
            status,
            json.dumps(stage_seconds),
            error,
            *[counts.get(c, 0) for c in cols],
            run_id,
        ],
    )


def record_discovery(
    con: Connection,
    *,
    series: str,
    source: str,
    found: list[Candidate],
    rejected: list[tuple[Candidate, str]],
    window_until: dt.date | None,
    run_id: str | None,
    requeue: bool = False,
) -> list[str]:
    """Store candidates, rejections and the cursor in one transaction; returns new symbols.

    A candidate with a ``local_path`` (a file someone put in the drop folder) is new work even
    when its symbol is known: it is queued again so the file is read, and the raw archive's
    hash tells whether it is a new version or the same bytes.
    """
    new: list[str] = []
    load_id: str | None = None

    def writing_load() -> str:
        # Only a harvest that writes something gets a load row; one that re-finds known
        # documents (or nothing) just touches last_seen and moves the cursor.
        nonlocal load_id
        if load_id is None:
            load_id = new_load(con, series=series, kind="discover", run_id=run_id)
        return load_id

    with transaction(con):
        for cand, status, reason in [(c, "candidate", None) for c in found] + [
            (c, "rejected", r) for c, r in rejected
        ]:
            row = con.execute(
                "SELECT status FROM candidates WHERE series = ? AND symbol = ?",
                [series, cand.symbol],
            ).fetchone()
            if row is None:
                con.execute(
                    """INSERT INTO candidates (series, symbol, source, title, published, file_url,
                           record_id, status, reason, first_seen, last_seen, load_id, local_path)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [series, cand.symbol, cand.source, cand.title, cand.date, cand.file_url,
                     cand.record_id, status, reason, now(), now(), writing_load(),
                     cand.local_path],
                )  # fmt: skip
                if status == "candidate":
                    new.append(cand.symbol)
            elif cand.local_path is not None and status == "candidate":
                con.execute(
                    """UPDATE candidates SET last_seen = ?, title = coalesce(title, ?),
                           local_path = ?, source = ?, status = 'candidate', reason = NULL,
                           load_id = ? WHERE series = ? AND symbol = ?""",
                    [now(), cand.title, cand.local_path, cand.source, writing_load(), series,
                     cand.symbol],
                )  # fmt: skip
                if row[0] not in RETRYABLE:
                    new.append(cand.symbol)
            elif status == "candidate" and (row[0] == "rejected" or requeue):
                # a verdict can change (a provisional catalogue title was corrected), and
                # `reportwatch add` asks for a retry: back in the queue
                con.execute(
                    """UPDATE candidates SET last_seen = ?, title = coalesce(?, title),
                           file_url = coalesce(?, file_url), status = 'candidate', reason = NULL,
                           load_id = ? WHERE series = ? AND symbol = ?""",
                    [now(), cand.title, cand.file_url, writing_load(), series, cand.symbol],
                )
                new.append(cand.symbol)
            else:
                con.execute(
                    """UPDATE candidates SET last_seen = ?, title = coalesce(title, ?),
                           file_url = coalesce(file_url, ?) WHERE series = ? AND symbol = ?""",
                    [now(), cand.title, cand.file_url, series, cand.symbol],
                )
        if window_until is not None:
            con.execute(
                """INSERT INTO harvest_cursors VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (source, series) DO UPDATE SET
                     window_until = greatest(harvest_cursors.window_until, excluded.window_until),
                     updated_at = excluded.updated_at,
                     load_id = CASE WHEN excluded.load_id = 'cursor-only'
                                    THEN harvest_cursors.load_id ELSE excluded.load_id END""",
                [source, series, window_until, now(), load_id or "cursor-only"],
            )
    return new


def queue_symbol(con: Connection, *, series: str, symbol: str, source: str = "symbol-list") -> str:
    """Queue a symbol for download (``reportwatch add``): ``queued``, ``requeued`` (it had been
    rejected or had failed) or ``already loaded``/``already queued``."""
    row = con.execute(
        "SELECT status FROM candidates WHERE series = ? AND symbol = ?", [series, symbol]
    ).fetchone()
    record_discovery(
        con, series=series, source=source,
        found=[Candidate(series=series, symbol=symbol, source=source)],
        rejected=[], window_until=None, run_id=None,
        requeue=row is not None and row[0] in ("rejected", "failed", "not_published"),
    )  # fmt: skip
    if row is None:
        return "queued"
    if row[0] in ("rejected", "failed", "not_published"):
        return "requeued"
    return "already loaded" if row[0] in ("loaded", "quarantined") else "already queued"


def cursor(con: Connection, *, source: str, series: str) -> dt.date | None:
    row = con.execute(
        "SELECT window_until FROM harvest_cursors WHERE source = ? AND series = ?", [source, series]
    ).fetchone()
    return row[0] if row else None


def to_fetch(con: Connection, series: str) -> list[dict[str, Any]]:
    """Candidates that still need a download: new, failed, or not yet published."""
    marks = ", ".join("?" for _ in RETRYABLE)
    cur = con.execute(
        f"""SELECT symbol, source, title, published, file_url, record_id, status, attempts,
                   etag, last_modified, sha256, local_path
            FROM candidates WHERE series = ? AND status IN ({marks}) ORDER BY published, symbol""",
        [series, *RETRYABLE],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def mark_candidate(con: Connection, *, series: str, symbol: str, status: str,
                   reason: str | None = None, etag: str | None = None,
                   last_modified: str | None = None,
                   local_path: str | None = None) -> None:  # fmt: skip
    """Record what became of a candidate; ``local_path`` follows a drop-folder file it moved."""
    con.execute(
        """UPDATE candidates SET status = ?, reason = ?, attempts = attempts + 1, last_seen = ?,
               etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),
               local_path = coalesce(?, local_path)
           WHERE series = ? AND symbol = ?""",
        [status, reason, now(), etag, last_modified, local_path, series, symbol],
    )


def failures(con: Connection, series: str | None = None) -> list[dict[str, Any]]:
    cur = con.execute(
        """SELECT series, symbol, status, reason, attempts, last_seen FROM candidates
           WHERE status IN ('failed', 'not_published') AND (? IS NULL OR series = ?)
           ORDER BY last_seen DESC""",
        [series, series],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def claim_downloads(
    con: Connection, *, series: str, run_id: str, lease_seconds: float = 3600.0
) -> list[dict[str, Any]]:
    """Claim for ``run_id`` the candidates that need a download and no other live run holds.

    Returns them as :func:`to_fetch` does. Claims held by another run for less than the lease
    are skipped (that run is downloading them); older ones belong to a run that died.
    """
    with transaction(con):
        rows = to_fetch(con, series)
        held = {
            str(r[0])
            for r in con.execute(
                """SELECT symbol FROM candidates WHERE series = ? AND claimed_by IS NOT NULL
                   AND claimed_by <> ? AND claimed_at > ? - to_seconds(?::DOUBLE)""",
                [series, run_id, now(), lease_seconds],
            ).fetchall()
        }
        mine = [r for r in rows if r["symbol"] not in held]
        for row in mine:
            con.execute(
                """UPDATE candidates SET claimed_by = ?, claimed_at = ?
                   WHERE series = ? AND symbol = ?""",
                [run_id, now(), series, row["symbol"]],
            )
    return mine


def release_claims(con: Connection, *, run_id: str) -> None:
    con.execute(
        "UPDATE candidates SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = ?", [run_id]
    )
