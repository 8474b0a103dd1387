"""Durable progress: the stage each candidate and document last committed, and what is left.

The model is dlt's load package (a job's output and its move to ``completed_jobs`` land
together, so a crashed pipeline resumes from what is on disk): here each stage writes its
output and its stage mark in **one** DuckDB transaction, and every run works on everything of
its series that is unfinished, whichever run left it there (the outbox pattern).

============  ==============================================  ============================
stage         committed together with                         next run does
============  ==============================================  ============================
discovered    the candidate row and the harvest cursor         download it
fetched       sha256, URL, size (the bytes are in raw/)        read it from raw/ and load it
read          a verdict without a document (``rejected``)      nothing
loaded        the ``documents`` row and its facts              raise its alerts
detected      its alerts (``documents.detected_at``)           hand them to the ledger
notified      ledger rows per channel (``alerts.queued_at``)   send what is ``pending``
============  ==============================================  ============================

``read`` has no resting place of its own: what a read produces is only durable as the load that
stores it, so a document killed between read and load resumes at ``fetched`` and is read again
from the raw archive (no network). A damaged download (truncated, not a PDF) goes back to
``discovered`` to be downloaded again, at most ``DAMAGED_LIMIT`` times, then rests as
``damaged`` until ``reportwatch add SYMBOL --force``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reportwatch.models import Alert
from reportwatch.pausepoints import pause_point
from warehouse.connection import Connection, now, transaction
from warehouse.documents import find_by_hash, new_load
from warehouse.owners import fence

# Statuses a candidate waits in before its download or its load (retried by every run).
WAITING = ("candidate", "failed", "not_published")
DAMAGED_LIMIT = 3


def _rows(cur: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# -- fetched ----------------------------------------------------------------------------------
def record_fetched(
    con: Connection,
    *,
    series: str,
    symbol: str,
    sha256: str,
    source: str,
    url: str,
    size: int,
    fetched_at: dt.datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    local_path: str | None = None,
    run_id: str | None = None,
) -> str:
    """Record bytes now in the raw archive (fenced by ``run_id``'s lease when given); ``unchanged`` when this symbol already has a
    document of exactly these bytes, else ``fetched`` (to be read and loaded).

    Bytes loaded under *another* symbol do not count: the archive is content-addressed,
    documents are not, so each symbol gets its own document row.
    """
    with transaction(con):
        fence(con, series=series, run_id=run_id)
        known = find_by_hash(con, series, symbol, sha256)
        status_row = (
            con.execute("SELECT status FROM documents WHERE document_id = ?", [known[0]]).fetchone()
            if known
            else None
        )
        status, stage = (str(status_row[0]), "loaded") if status_row else ("candidate", "fetched")
        con.execute(
            """UPDATE candidates SET status = ?, stage = ?, reason = NULL, sha256 = ?,
                   fetched_source = ?, fetched_url = ?, fetched_at = ?, size_bytes = ?,
                   etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),
                   local_path = coalesce(?, local_path), attempts = attempts + 1, last_seen = ?,
                   claimed_by = NULL, claimed_at = NULL
               WHERE series = ? AND symbol = ?""",
            [status, stage, sha256, source, url, fetched_at.replace(tzinfo=None), size, etag,
             last_modified, local_path, now(), series, symbol],
        )  # fmt: skip
    return "unchanged" if status_row else "fetched"


def to_read(con: Connection, series: str) -> list[dict[str, Any]]:
    """Candidates whose bytes are archived but not loaded yet, whichever run fetched them."""
    return _rows(
        con.execute(
            """SELECT symbol, title, sha256, fetched_source, fetched_url, fetched_at, size_bytes,
                      etag, last_modified
               FROM candidates
               WHERE series = ? AND stage = 'fetched' AND status IN ('candidate', 'failed')
               ORDER BY published, symbol""",
            [series],
        )
    )


def refetch(con: Connection, *, series: str, symbol: str, reason: str) -> None:
    """Back to ``discovered`` (its archived bytes are gone): downloaded again next time."""
    con.execute(
        """UPDATE candidates SET stage = 'discovered', status = 'failed', reason = ?,
               etag = NULL, last_modified = NULL, last_seen = ?
           WHERE series = ? AND symbol = ?""",
        [reason, now(), series, symbol],
    )


def record_damaged(
    con: Connection,
    *,
    series: str,
    symbol: str,
    reason: str,
    limit: int = DAMAGED_LIMIT,
    local: bool = False,
) -> str:
    """A download that proved damaged when read (truncated, empty, not a PDF).

    Returns the new status: ``failed`` (back to ``discovered``, downloaded again without
    validators, so a 304 cannot bring the same broken bytes back) until the ``limit``-th
    damaged download, then ``damaged`` (terminal until ``reportwatch add --force``). A
    ``local`` file (the drop folder) is ``damaged`` at once: downloading it again gives the
    same bytes; a new file put in the drop folder queues the symbol again.
    """
    limit = 1 if local else limit
    with transaction(con):
        row = con.execute(
            "SELECT damaged_downloads FROM candidates WHERE series = ? AND symbol = ?",
            [series, symbol],
        ).fetchone()
        count = (int(row[0]) if row else 0) + 1
        if local:
            status, stage = "damaged", "fetched"
            text = (
                f"the file put in the drop folder is no whole PDF: {reason} (it is in failed/; "
                "put the PDF itself in the drop folder and the next run reads it)"
            )
        elif count >= limit:
            status, stage = "damaged", "fetched"
            text = (
                f"gave up after {count} damaged downloads: {reason} "
                f"(`reportwatch add {symbol} --force` downloads it again)"
            )
        else:
            status, stage = "failed", "discovered"
            text = f"damaged download ({count} of {limit}): {reason}; downloaded again next run"
        con.execute(
            """UPDATE candidates SET status = ?, stage = ?, reason = ?, damaged_downloads = ?,
                   etag = NULL, last_modified = NULL, last_seen = ?
               WHERE series = ? AND symbol = ?""",
            [status, stage, text, count, now(), series, symbol],
        )
    return status


def record_rejected(con: Connection, *, series: str, symbol: str, reason: str) -> None:
    """Read, and not a document of this series: never fetched again."""
    con.execute(
        """UPDATE candidates SET status = 'rejected', stage = 'read', reason = ?, last_seen = ?
           WHERE series = ? AND symbol = ?""",
        [reason, now(), series, symbol],
    )


# -- detected ---------------------------------------------------------------------------------
def undetected(con: Connection, series: str) -> list[dict[str, Any]]:
    """Document versions whose alerts were never raised, with whether they are history."""
    return _rows(
        con.execute(
            """SELECT d.document_id, d.symbol, coalesce(c.historical, false) AS historical
               FROM documents d
               LEFT JOIN candidates c ON c.series = d.series AND c.symbol = d.symbol
               WHERE d.series = ? AND d.detected_at IS NULL
               ORDER BY d.period_end NULLS LAST, d.symbol, d.version""",
            [series],
        )
    )


def record_detection(
    con: Connection,
    alerts: list[Alert],
    *,
    series: str,
    run_id: str | None,
    documents: list[str],
    muted_channels: dict[str, list[str]] | None = None,
) -> list[Alert]:
    """Raise ``alerts`` and mark ``documents`` detected, in one transaction.

    Returns the alerts whose key was new (an alert is raised once, ever). ``muted_channels``
    (alert key → channels) records those alerts ``muted`` on each channel and handed over
    at once: history from a backfill is recorded, never sent.
    """
    from warehouse.alerts import insert_new_alerts, queue_rows

    with transaction(con):
        fresh = insert_new_alerts(con, alerts, series=series, run_id=run_id)
        muted = muted_channels or {}
        by_channel: dict[str, list[str]] = {}
        for alert in fresh:
            for channel in muted.get(alert.key, []):
                by_channel.setdefault(channel, []).append(alert.key)
        load_id: str | None = None
        for channel, keys in by_channel.items():
            load_id = load_id or new_load(con, series=series, kind="notify", run_id=run_id)
            queue_rows(con, channel=channel, keys=keys, muted=set(keys), load_id=load_id)
        handed = [a.key for a in fresh if a.key in muted]
        if handed:
            mark_queued(con, handed)
        if documents:
            marks = ", ".join("?" for _ in documents)
            con.execute(
                f"UPDATE documents SET detected_at = ? WHERE document_id IN ({marks})",
                [now(), *documents],
            )
        pause_point("detect:inside")  # a test hook: the transaction is still open here
    return fresh


def unqueued(con: Connection, *, series: str) -> list[str]:
    """Keys of alerts of ``series`` raised but never handed to the delivery ledger."""
    rows = con.execute(
        "SELECT alert_key FROM alerts WHERE series = ? AND queued_at IS NULL ORDER BY raised_at",
        [series],
    ).fetchall()
    return [str(r[0]) for r in rows]


def mark_queued(con: Connection, keys: list[str]) -> None:
    """Alerts handed to the delivery ledger (stage ``notified``)."""
    if keys:
        marks = ", ".join("?" for _ in keys)
        con.execute(
            f"UPDATE alerts SET queued_at = ? WHERE queued_at IS NULL AND alert_key IN ({marks})",
            [now(), *keys],
        )


# -- what is left -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Unfinished:
    """Counts of a series' unfinished work, stage by stage."""

    to_download: int = 0
    to_load: int = 0
    to_detect: int = 0
    to_queue: int = 0
    to_send: int = 0
    sending: int = 0

    @property
    def candidates_pending(self) -> bool:
        """A candidate still on its way to ``documents`` (the overdue rule waits for it)."""
        return bool(self.to_download or self.to_load)

    def describe(self, *, in_flight: int | None = None) -> str:
        sending = self.sending if in_flight is None else in_flight
        parts = [
            (self.to_download, "download(s) not done"),
            (self.to_load, "downloaded file(s) not yet loaded"),
            (self.to_detect, "loaded document(s) without their alerts"),
            (self.to_queue, "alert(s) not yet handed to every channel"),
            (self.to_send, "delivery(ies) pending"),
            (sending, "delivery(ies) in flight (each may arrive twice)"),
        ]
        text = ", ".join(f"{n} {what}" for n, what in parts if n)
        return text or "nothing unfinished"


def unfinished(con: Connection, series: str) -> Unfinished:
    marks = ", ".join("?" for _ in WAITING)
    row = con.execute(
        f"""SELECT
              (SELECT count(*) FROM candidates WHERE series = ? AND stage = 'discovered'
                   AND status IN ({marks})),
              (SELECT count(*) FROM candidates WHERE series = ? AND stage = 'fetched'
                   AND status IN ('candidate', 'failed')),
              (SELECT count(*) FROM documents WHERE series = ? AND detected_at IS NULL),
              (SELECT count(*) FROM alerts WHERE series = ? AND queued_at IS NULL),
              (SELECT count(*) FROM deliveries d JOIN alerts a USING (alert_key)
                   WHERE a.series = ? AND d.status = 'pending'),
              (SELECT count(*) FROM deliveries d JOIN alerts a USING (alert_key)
                   WHERE a.series = ? AND d.status = 'sending')""",
        [series, *WAITING, series, series, series, series, series],
    ).fetchone()
    return Unfinished(*(int(v) for v in row)) if row else Unfinished()
