"""Run bookkeeping: runs, discovered candidates and the harvest cursor.

The harvest cursor (last window done per source and series) is written in the same
transaction as the candidates that window found, so a crash never skips a window. A run
starts by taking its series' lease (:mod:`warehouse.leases`) and ends, in one transaction,
by recording its outcome and giving the lease back (:func:`finish_run`). The stages a
candidate goes through after discovery are in :mod:`warehouse.progress`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from reportwatch.models import Candidate
from reportwatch.pausepoints import pause_point
from warehouse.connection import Connection, transaction
from warehouse.documents import new_load, now
from warehouse.leases import release
from warehouse.owners import fence
from warehouse.progress import DAMAGED_LIMIT, WAITING

# Candidate states: what discovery found and what became of it.
#   candidate     found, not yet fetched (or confirmation pending)
#   failed        fetch, read or load failed for a transient/terminal reason (retried next run)
#   not_published the source has no file yet (retried next run)
#   rejected      not a document of this series (never fetched again)
#   damaged       every download of it was damaged (until `reportwatch add --force`)
#   loaded / quarantined   a version is in ``documents``
RETRYABLE = WAITING


def finish_run(con: Connection, *, run_id: str, status: str, counts: dict[str, int],
               stage_seconds: dict[str, float], error: str | None = None,
               series: str | None = None) -> None:  # fmt: skip
    """Record a run's outcome and, with ``series``, give its lease back: one transaction."""
    cols = ["discovered", "fetched", "unchanged", "loaded", "quarantined", "rejected", "failed",
            "alerts_raised", "alerts_delivered"]  # fmt: skip
    assignments = ", ".join(f"{c} = ?" for c in cols)
    with transaction(con):
        con.execute(
            f"""UPDATE runs SET finished_at = ?, status = ?, stage_seconds = ?, error = ?,
                    {assignments}
                WHERE run_id = ?""",
            [now(), status, json.dumps(stage_seconds), error,
             *[counts.get(c, 0) for c in cols], run_id],
        )  # fmt: skip
        if series is not None:
            release(con, series=series, run_id=run_id)


def record_snapshot_error(con: Connection, *, run_id: str, error: str | None) -> None:
    """Why this run could not publish the analysts' snapshot (None: it did).

    A completed run whose publish failed is ``completed-degraded``: analysts read stale data.
    """
    con.execute(
        """UPDATE runs SET snapshot_error = ?,
               status = CASE WHEN ? IS NOT NULL AND status = 'completed'
                             THEN 'completed-degraded' ELSE status END,
               error = CASE WHEN ? IS NOT NULL AND status = 'completed'
                            THEN 'degraded: snapshot not published' ELSE error END
           WHERE run_id = ?""",
        [error, error, error, run_id],
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
    historical = _historical(con, run_id)

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
                           record_id, status, reason, first_seen, last_seen, load_id, local_path,
                           stage, historical, catalogued_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'discovered', ?, ?)""",
                    [series, cand.symbol, cand.source, cand.title, cand.date, cand.file_url,
                     cand.record_id, status, reason, now(), now(), writing_load(),
                     cand.local_path, historical, _naive_utc(cand.catalogued_at)],
                )  # fmt: skip
                if status == "candidate":
                    new.append(cand.symbol)
            elif cand.local_path is not None and status == "candidate":
                con.execute(
                    """UPDATE candidates SET last_seen = ?, title = coalesce(title, ?),
                           local_path = ?, source = ?, status = 'candidate', reason = NULL,
                           stage = 'discovered', historical = ?, damaged_downloads = 0,
                           load_id = ? WHERE series = ? AND symbol = ?""",
                    [now(), cand.title, cand.local_path, cand.source, historical,
                     writing_load(), series, cand.symbol],
                )  # fmt: skip
                if row[0] not in RETRYABLE:
                    new.append(cand.symbol)
            elif status == "candidate" and (row[0] == "rejected" or requeue):
                # a verdict can change (a provisional catalogue title was corrected), and
                # `reportwatch add` asks for a retry: back in the queue, downloaded afresh
                con.execute(
                    """UPDATE candidates SET last_seen = ?, title = coalesce(?, title),
                           file_url = coalesce(?, file_url), status = 'candidate', reason = NULL,
                           stage = 'discovered', historical = ?, damaged_downloads = 0,
                           etag = NULL, last_modified = NULL,
                           catalogued_at = coalesce(?, catalogued_at),
                           load_id = ? WHERE series = ? AND symbol = ?""",
                    [now(), cand.title, cand.file_url, historical, _naive_utc(cand.catalogued_at),
                     writing_load(), series, cand.symbol],
                )  # fmt: skip
                new.append(cand.symbol)
            else:
                con.execute(
                    """UPDATE candidates SET last_seen = ?, title = coalesce(title, ?),
                           file_url = coalesce(file_url, ?),
                           catalogued_at = coalesce(?, catalogued_at)
                       WHERE series = ? AND symbol = ?""",
                    [now(), cand.title, cand.file_url, _naive_utc(cand.catalogued_at), series,
                     cand.symbol],
                )  # fmt: skip
        pause_point("discover:inside")  # a test hook: the transaction is still open here
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


def _naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Naive UTC, the form every warehouse timestamp takes (OAI datestamps come with a Z)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _historical(con: Connection, run_id: str | None) -> bool:
    """Candidates a backfill finds are history: their alerts are recorded muted."""
    if run_id is None:
        return False
    row = con.execute("SELECT historical FROM runs WHERE run_id = ?", [run_id]).fetchone()
    return bool(row and row[0])


def queue_symbol(
    con: Connection, *, series: str, symbol: str, source: str = "symbol-list", force: bool = False
) -> str:
    """Queue a symbol for download (``reportwatch add``).

    Returns what happened, for one line of output: ``queued``, ``requeued`` (it had been
    rejected or had failed), ``already queued``, ``already loaded`` or ``damaged ...``
    (gave up after repeated damaged downloads). ``force`` downloads it again whatever its
    state: a new file becomes a new version, the same bytes change nothing.
    """
    row = con.execute(
        "SELECT status FROM candidates WHERE series = ? AND symbol = ?", [series, symbol]
    ).fetchone()
    state = str(row[0]) if row else None
    retry = state in ("rejected", "failed", "not_published") or (force and state is not None)
    if state == "damaged" and not force:
        return (
            f"not queued: it gave up after {DAMAGED_LIMIT} damaged downloads "
            "(add --force downloads it again)"
        )
    record_discovery(
        con, series=series, source=source,
        found=[Candidate(series=series, symbol=symbol, source=source)],
        rejected=[], window_until=None, run_id=None, requeue=retry,
    )  # fmt: skip
    if state is None:
        return "queued"
    if retry:
        return "requeued"
    if state in ("loaded", "quarantined"):
        return "already loaded (add --force downloads it again)"
    return "already queued"


def forget_symbol(con: Connection, *, series: str, symbol: str) -> str:
    """Stop asking for a symbol no document came of (``reportwatch forget``).

    Drops the candidate when nothing was downloaded for it yet (``candidate``, ``failed``,
    ``not_published``, ``damaged``) and no run holds it; the catalogue, or ``reportwatch add``,
    can queue it again. Returns what happened, for one line of output.
    """
    with transaction(con):
        row = con.execute(
            "SELECT status, stage, claimed_by FROM candidates WHERE series = ? AND symbol = ?",
            [series, symbol],
        ).fetchone()
        if row is None:
            return "not queued: nothing to forget"
        status, stage, claimed_by = row
        if status in ("loaded", "quarantined") or stage != "discovered":
            return f"not forgotten: it was downloaded ({status}); its document stays"
        if status == "rejected":
            return "not forgotten: it was rejected on its content and is not downloaded again"
        if claimed_by is not None:
            return f"not forgotten: run {claimed_by} is downloading it now; try again after it"
        con.execute("DELETE FROM candidates WHERE series = ? AND symbol = ?", [series, symbol])
    return f"forgotten (it was {status}): no run asks for it unless the catalogue lists it again"


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
                   etag, last_modified, sha256, local_path, first_seen
            FROM candidates WHERE series = ? AND stage = 'discovered' AND status IN ({marks})
            ORDER BY published, symbol""",
        [series, *RETRYABLE],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def mark_candidate(con: Connection, *, series: str, symbol: str, status: str,
                   reason: str | None = None, etag: str | None = None,
                   last_modified: str | None = None,
                   local_path: str | None = None) -> None:  # fmt: skip
    """Record what became of a candidate's download (``failed``, ``not_published``)."""
    con.execute(
        """UPDATE candidates SET status = ?, reason = ?, attempts = attempts + 1, last_seen = ?,
               etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),
               local_path = coalesce(?, local_path), claimed_by = NULL, claimed_at = NULL
           WHERE series = ? AND symbol = ?""",
        [status, reason, now(), etag, last_modified, local_path, series, symbol],
    )


def failures(con: Connection, series: str | None = None) -> list[dict[str, Any]]:
    cur = con.execute(
        """SELECT series, symbol, status, reason, attempts, last_seen FROM candidates
           WHERE status IN ('failed', 'not_published', 'damaged') AND (? IS NULL OR series = ?)
           ORDER BY last_seen DESC""",
        [series, series],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def claim_downloads(con: Connection, *, series: str, run_id: str) -> list[dict[str, Any]]:
    """Claim for ``run_id`` every candidate of ``series`` that needs a download.

    The run holds the series' lease (checked in the same transaction: :func:`fence`), so no
    other live run downloads this series; claims left by a dead run were released when its
    lease was taken over. Returns the rows as :func:`to_fetch` does.
    """
    with transaction(con):
        fence(con, series=series, run_id=run_id)
        rows = to_fetch(con, series)
        con.execute(
            f"""UPDATE candidates SET claimed_by = ?, claimed_at = ?
                WHERE series = ? AND stage = 'discovered'
                  AND status IN ({", ".join("?" for _ in RETRYABLE)})""",
            [run_id, now(), series, *RETRYABLE],
        )
    return rows


def release_claims(con: Connection, *, run_id: str) -> None:
    con.execute(
        "UPDATE candidates SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = ?", [run_id]
    )
