"""Documents rejected on their content, remembered so they are not downloaded on every harvest.

A candidate whose catalogue record fits the series but does not name its topic is downloaded
and read; when the text does not name it either, the document is *rejected on its content*
(:func:`remember`). The verdict holds for that symbol for as long as the catalogue record does
not change: a later harvest that finds the record with a datestamp no later than the verdict
leaves it alone (:func:`hold_back`), so a backfill over years of Security Council letters
downloads each one once. The verdict is set aside when

* the catalogue record changed after it (its OAI datestamp is later than both the verdict and
  the datestamp it was made under): the document is queued and read again;
* someone asks, ``reportwatch add SYMBOL --force`` (:func:`queue_symbol_checked`);
* a file for the symbol is put in the drop folder (a person chose it: it is read).

Timestamps are naive UTC, as everywhere in the warehouse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportwatch.models import Candidate
from warehouse.connection import Connection
from warehouse.documents import now
from warehouse.runs import queue_symbol


@dataclass(frozen=True)
class Rejection:
    """A standing verdict: why, when, and the newest catalogue datestamp it was made under."""

    symbol: str
    reason: str
    rejected_at: dt.datetime
    catalogued_at: dt.datetime | None

    def holds_for(self, catalogued_at: dt.datetime | None) -> bool:
        """True unless the catalogue record was changed after the verdict.

        An unknown datestamp (a source without one, a symbol list) cannot show a change, so
        the verdict holds.
        """
        if catalogued_at is None:
            return True
        judged = max(self.rejected_at, self.catalogued_at or self.rejected_at)
        return _utc(catalogued_at) <= judged

    def describe(self) -> str:
        return f"rejected on its content on {self.rejected_at:%Y-%m-%d} ({self.reason})"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def remember(
    con: Connection,
    *,
    series: str,
    symbol: str,
    reason: str,
    catalogued_at: dt.datetime | None = None,
) -> None:
    """Record (or renew) a content rejection; call it in the transaction that marks the candidate.

    Without ``catalogued_at`` the datestamp the candidate was last found under is used, so the
    verdict says which version of the catalogue record it was made under.
    """
    if catalogued_at is None:
        row = con.execute(
            "SELECT catalogued_at FROM candidates WHERE series = ? AND symbol = ?",
            [series, symbol],
        ).fetchone()
        catalogued_at = row[0] if row else None
    con.execute(
        """INSERT INTO rejections VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (series, symbol) DO UPDATE SET reason = excluded.reason,
               rejected_at = excluded.rejected_at,
               catalogued_at = coalesce(excluded.catalogued_at, rejections.catalogued_at)""",
        [series, symbol, reason, now(), _utc(catalogued_at) if catalogued_at else None],
    )


def standing(con: Connection, *, series: str, symbol: str) -> Rejection | None:
    row = con.execute(
        """SELECT symbol, reason, rejected_at, catalogued_at FROM rejections
           WHERE series = ? AND symbol = ?""",
        [series, symbol],
    ).fetchone()
    return Rejection(*row) if row else None


def forget(con: Connection, *, series: str, symbol: str) -> bool:
    """Set a verdict aside; True when there was one."""
    row = con.execute(
        "DELETE FROM rejections WHERE series = ? AND symbol = ? RETURNING symbol", [series, symbol]
    ).fetchone()
    return row is not None


def hold_back(
    con: Connection, *, series: str, candidates: list[Candidate]
) -> tuple[list[Candidate], list[tuple[Candidate, str]]]:
    """Split a harvest's candidates into those to queue and those a standing verdict covers.

    The covered ones come back with the verdict as their reason, ready to be recorded as
    rejections (which leaves their row as it is). Their catalogue datestamp is noted on the
    verdict, so it says which version of the record it was made under.
    """
    symbols = [c.symbol for c in candidates if c.local_path is None]
    if not symbols:
        return candidates, []
    marks = ", ".join("?" for _ in symbols)
    rows = con.execute(
        f"""SELECT symbol, reason, rejected_at, catalogued_at FROM rejections
            WHERE series = ? AND symbol IN ({marks})""",
        [series, *symbols],
    ).fetchall()
    verdicts = {row[0]: Rejection(*row) for row in rows}
    queue: list[Candidate] = []
    held: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        verdict = verdicts.get(candidate.symbol) if candidate.local_path is None else None
        if verdict is None or not verdict.holds_for(candidate.catalogued_at):
            queue.append(candidate)
            continue
        held.append((candidate, f"{verdict.describe()}; the catalogue record has not changed"))
        if candidate.catalogued_at is not None:
            con.execute(
                """UPDATE rejections SET catalogued_at = greatest(coalesce(catalogued_at, ?), ?)
                   WHERE series = ? AND symbol = ?""",
                [_utc(candidate.catalogued_at), _utc(candidate.catalogued_at), series,
                 candidate.symbol],
            )  # fmt: skip
    return queue, held


def queue_symbol_checked(con: Connection, *, series: str, symbol: str, force: bool = False) -> str:
    """``reportwatch add``: queue a symbol, unless it stands rejected on its content.

    Returns what happened, as :func:`warehouse.runs.queue_symbol` words it, or why nothing
    did. ``force`` sets the verdict aside and queues the document for download again.
    """
    verdict = standing(con, series=series, symbol=symbol)
    if verdict is not None and not force:
        return f"not queued: {verdict.describe()}; `reportwatch add --force` queues it again"
    if verdict is not None:
        forget(con, series=series, symbol=symbol)
    return queue_symbol(con, series=series, symbol=symbol, force=force)
