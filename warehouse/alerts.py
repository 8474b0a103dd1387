"""Facts for detection, the alerts table and the delivery ledger.

An alert row is inserted once, ever (its key is the primary key). Each (alert, channel) has one
row in ``deliveries``: ``pending`` until a send succeeds (``delivered``), so a channel that was
down gets the alert on the next run and a delivered alert never repeats.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from reportwatch.models import SEVERITY_RANK, Alert
from warehouse.connection import Connection, transaction
from warehouse.documents import new_load, now
from warehouse.tables import table_members

_FACT_METRICS = ("troops_total", "nato_nations", "non_nato_nations", "non_nato_troops",
                 "major_incidents")  # fmt: skip
# A severity's rank in SQL (info 0, warning 1, critical 2), from the one table in models.py.
_RANK_SQL = "CASE severity {} ELSE 0 END".format(
    " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in SEVERITY_RANK.items())
)


def _rows(cur: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def report_facts(
    con: Connection, series: str, *, current_only: bool = True
) -> list[dict[str, Any]]:
    """One dict per document version: period, status, metrics and their evidence, and the
    row labels of every table it printed (``tables``: table id → labels, page, title)."""
    docs = _rows(
        con.execute(
            f"""SELECT document_id, symbol, version, is_current, status, reason, period_start,
                       period_end, as_of_date, source_url, title, loaded_at,
                       (SELECT count(*) FROM incidents i WHERE i.document_id = d.document_id
                        AND coalesce(i.casualties, 0) > 0) AS incidents_with_casualties,
                       (SELECT count(*) FROM incidents i WHERE i.document_id = d.document_id)
                           AS incidents
                FROM documents d WHERE series = ? {"AND is_current" if current_only else ""}
                ORDER BY period_end NULLS LAST, symbol, version""",
            [series],
        )
    )
    obs = _rows(
        con.execute(
            """SELECT o.document_id, metric, value, approximate, evidence_page,
                      evidence_paragraph, evidence_text
               FROM observations o JOIN documents d USING (document_id) WHERE d.series = ?""",
            [series],
        )
    )
    by_doc: dict[str, dict[str, Any]] = {d["document_id"]: d for d in docs}
    for d in docs:
        d["metrics"] = {}
    for o in obs:
        doc = by_doc.get(o["document_id"])
        if doc is not None:
            doc["metrics"][o["metric"]] = o
    members = table_members(con, series)  # the rows of each table it printed (table-membership)
    for d in docs:
        d["tables"] = members.get(d["document_id"], {})
    return docs


def paragraph_texts(con: Connection, document_id: str) -> list[dict[str, Any]]:
    return _rows(
        con.execute(
            "SELECT number, page, part, text FROM paragraphs WHERE document_id = ? ORDER BY seq",
            [document_id],
        )
    )


def insert_alerts(
    con: Connection, alerts: list[Alert], *, series: str, run_id: str | None
) -> list[Alert]:
    """Insert alerts whose key is new; returns only those (an alert is raised once, ever)."""
    with transaction(con):
        return insert_new_alerts(con, alerts, series=series, run_id=run_id)


def insert_new_alerts(
    con: Connection, alerts: list[Alert], *, series: str, run_id: str | None
) -> list[Alert]:
    """:func:`insert_alerts` inside the caller's transaction."""
    fresh: list[Alert] = []
    load_id: str | None = None
    for alert in alerts:
        exists = con.execute("SELECT 1 FROM alerts WHERE alert_key = ?", [alert.key]).fetchone()
        if exists:
            continue
        # A load only for a call that adds something: re-runs leave `loads` alone.
        load_id = load_id or new_load(con, series=series, kind="detect", run_id=run_id)
        raised = alert.raised_at or now()
        con.execute(
            """INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                                          ?, ?, ?, ?, ?, ?, ?, NULL)""",
            [alert.key, alert.rule_id, alert.rule_kind, alert.series, alert.severity,
             alert.headline, alert.document_id, alert.symbol, alert.metric, alert.value,
             alert.previous_value, alert.delta, alert.pct_change, alert.approximate,
             alert.period_start, alert.period_end, alert.previous_symbol,
             alert.previous_period_end, alert.source_url, alert.evidence_page,
             alert.evidence_paragraph, alert.evidence_text, json.dumps(alert.details, default=str),
             raised, load_id],
        )  # fmt: skip
        fresh.append(alert.model_copy(update={"raised_at": raised}))
    return fresh


def _alert_from_row(row: dict[str, Any]) -> Alert:
    details = row.get("details")
    return Alert(
        key=row["alert_key"],
        rule_id=row["rule_id"],
        rule_kind=row["rule_kind"],
        series=row["series"],
        severity=row["severity"],
        headline=row["headline"],
        symbol=row["symbol"],
        document_id=row["document_id"],
        metric=row["metric"],
        value=row["value"],
        previous_value=row["previous_value"],
        delta=row["delta"],
        pct_change=row["pct_change"],
        approximate=row["approximate"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        previous_symbol=row["previous_symbol"],
        previous_period_end=row["previous_period_end"],
        source_url=row["source_url"],
        evidence_page=row["evidence_page"],
        evidence_paragraph=row["evidence_paragraph"],
        evidence_text=row["evidence_text"],
        details=json.loads(details) if isinstance(details, str) else (details or {}),
        raised_at=row["raised_at"],
    )


def list_alerts(con: Connection, *, series: str | None = None, pending_only: bool = False,
                limit: int = 100) -> list[dict[str, Any]]:  # fmt: skip
    """Alerts with their delivery state per channel (for ``reportwatch alerts list``)."""
    return _rows(
        con.execute(
            f"""SELECT a.raised_at, a.severity, a.series, a.rule_id, a.headline, a.symbol,
                       string_agg(d.channel || ':' || d.status, ', ' ORDER BY d.channel) AS deliveries,
                       a.alert_key
                FROM alerts a LEFT JOIN deliveries d USING (alert_key)
                WHERE (? IS NULL OR a.series = ?)
                GROUP BY ALL
                {"HAVING bool_or(d.status = 'pending')" if pending_only else ""}
                ORDER BY a.raised_at DESC, a.alert_key LIMIT ?""",
            [series, series, limit],
        )
    )


def queue_deliveries(con: Connection, *, channel: str, keys: list[str], series: str,
                     muted: set[str] | None = None, run_id: str | None = None) -> int:  # fmt: skip
    """Create a pending ledger row per alert for ``channel`` (existing rows are left alone)."""
    if not keys:
        return 0
    with transaction(con):
        fresh = [k for k in keys if not _has_row(con, k, channel)]
        if not fresh:
            return 0
        load_id = new_load(con, series=series, kind="notify", run_id=run_id)
        return queue_rows(con, channel=channel, keys=fresh, muted=muted, load_id=load_id)


def _has_row(con: Connection, key: str, channel: str) -> bool:
    return bool(
        con.execute(
            "SELECT 1 FROM deliveries WHERE alert_key = ? AND channel = ?", [key, channel]
        ).fetchone()
    )


def queue_rows(con: Connection, *, channel: str, keys: list[str], muted: set[str] | None,
               load_id: str) -> int:  # fmt: skip
    """:func:`queue_deliveries` inside the caller's transaction, under its load."""
    created = 0
    for key in keys:
        if _has_row(con, key, channel):
            continue
        status = "muted" if muted and key in muted else "pending"
        con.execute(
            "INSERT INTO deliveries (alert_key, channel, status, load_id) VALUES (?, ?, ?, ?)",
            [key, channel, status, load_id],
        )
        created += 1
    return created


def pending_alerts(con: Connection, *, channel: str, series: str) -> list[Alert]:
    rows = _rows(
        con.execute(
            """SELECT a.* FROM alerts a JOIN deliveries d USING (alert_key)
               WHERE d.channel = ? AND d.status = 'pending' AND a.series = ?
               ORDER BY a.period_end NULLS LAST, a.raised_at, a.alert_key""",
            [channel, series],
        )
    )
    return [_alert_from_row(r) for r in rows]


def record_attempt(con: Connection, *, channel: str, keys: list[str], ok: bool,
                   error: str | None = None, retry_at: dt.datetime | None = None,
                   attempted_at: dt.datetime | None = None) -> None:  # fmt: skip
    """Record one send of ``keys``: ``attempted_at`` (default now) is when the channel answered.

    Retry-After deadlines are counted from that same instant, so ``next_attempt_at -
    last_attempt_at`` is exactly the wait the channel asked for.
    """
    at = attempted_at or now()
    with transaction(con):
        for key in keys:
            con.execute(
                """UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = ?,
                       status = ?, last_error = ?, delivered_at = ?, next_attempt_at = ?
                   WHERE alert_key = ? AND channel = ?""",
                [at, "delivered" if ok else "pending", None if ok else error,
                 at if ok else None, retry_at, key, channel],
            )  # fmt: skip


def delivered_count(con: Connection, *, since: dt.datetime) -> int:
    row = con.execute(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered' AND delivered_at >= ?", [since]
    ).fetchone()
    return int(row[0]) if row else 0


def mute(con: Connection, *, rule_id: str, series: str, until: dt.date | None) -> None:
    con.execute(
        """INSERT INTO mutes VALUES (?, ?, ?, ?) ON CONFLICT (rule_id, series)
           DO UPDATE SET until = excluded.until, created_at = excluded.created_at""",
        [rule_id, series, until, now()],
    )


def muted_rules(con: Connection, *, series: str, today: dt.date) -> set[str]:
    rows = con.execute(
        "SELECT rule_id FROM mutes WHERE series = ? AND (until IS NULL OR until >= ?)",
        [series, today],
    ).fetchall()
    return {str(r[0]) for r in rows}


# -- delivery ledger: waiting, deferring, muting (tasks/alerts/notify.py) --------------------------------
def channel_retry_at(con: Connection, *, channel: str) -> dt.datetime | None:
    """The latest Retry-After deadline among ``channel``'s pending rows, if any.

    A rate limit belongs to the webhook or mail server, not to one series, so this looks at
    every series: the channel is left alone until the deadline has passed.
    """
    row = con.execute(
        "SELECT max(next_attempt_at) FROM deliveries WHERE channel = ? AND status = 'pending'",
        [channel],
    ).fetchone()
    return row[0] if row and row[0] is not None else None


def next_digest_day(con: Connection, *, channel: str, series: str) -> dt.date | None:
    """The first logical day ``channel`` may send its next daily digest for ``series``.

    A delivered row of a daily digest keeps, in ``next_attempt_at``, the day after the run
    date that sent it; None when no daily digest was ever sent.
    """
    row = con.execute(
        """SELECT max(d.next_attempt_at) FROM deliveries d JOIN alerts a USING (alert_key)
           WHERE d.channel = ? AND a.series = ? AND d.status = 'delivered'""",
        [channel, series],
    ).fetchone()
    return row[0].date() if row and row[0] is not None else None


def defer_deliveries(con: Connection, *, channel: str, keys: list[str], error: str,
                     until: dt.datetime | None) -> None:  # fmt: skip
    """Note why pending rows that were not attempted wait (attempts stay as they are)."""
    if not keys:
        return
    with transaction(con):
        for key in keys:
            con.execute(
                """UPDATE deliveries SET last_error = ?, next_attempt_at = ?
                   WHERE alert_key = ? AND channel = ? AND status = 'pending'""",
                [error, until, key, channel],
            )


def mute_pending(con: Connection, *, channel: str, series: str, rule_ids: set[str]) -> int:
    """Pending rows of rules muted since they were queued become ``muted``: never sent."""
    if not rule_ids:
        return 0
    rules = sorted(rule_ids)
    marks = ", ".join("?" for _ in rules)
    with transaction(con):
        row = con.execute(
            f"""UPDATE deliveries SET status = 'muted', next_attempt_at = NULL
                WHERE channel = ? AND status = 'pending' AND alert_key IN (
                    SELECT alert_key FROM alerts WHERE series = ? AND rule_id IN ({marks}))
                RETURNING alert_key""",
            [channel, series, *rules],
        ).fetchall()
    return len(row)


def unmute(con: Connection, *, rule_id: str, series: str) -> bool:
    """Remove a mute; True when there was one. Alerts raised while muted stay muted."""
    row = con.execute(
        "DELETE FROM mutes WHERE rule_id = ? AND series = ? RETURNING rule_id", [rule_id, series]
    ).fetchall()
    return bool(row)


def list_mutes(con: Connection, *, series: str | None = None) -> list[dict[str, Any]]:
    return _rows(
        con.execute(
            """SELECT series, rule_id, until, created_at FROM mutes
               WHERE (? IS NULL OR series = ?) ORDER BY series, rule_id""",
            [series, series],
        )
    )


def pending_deliveries(con: Connection, *, series: str | None = None,
                       limit: int = 100) -> list[dict[str, Any]]:  # fmt: skip
    """One row per undelivered (alert, channel): attempts, why it failed, when it may retry."""
    return _rows(
        con.execute(
            """SELECT a.raised_at, a.severity, a.series, a.rule_id, a.symbol, d.channel,
                      d.attempts, d.next_attempt_at, d.last_error, a.headline, a.alert_key
               FROM deliveries d JOIN alerts a USING (alert_key)
               WHERE d.status = 'pending' AND (? IS NULL OR a.series = ?)
               ORDER BY a.raised_at DESC, a.alert_key, d.channel LIMIT ?""",
            [series, series, limit],
        )
    )


def pending_count(con: Connection, *, series: str) -> int:
    row = con.execute(
        """SELECT count(*) FROM deliveries d JOIN alerts a USING (alert_key)
           WHERE d.status = 'pending' AND a.series = ?""",
        [series],
    ).fetchone()
    return int(row[0]) if row else 0


def alerts_raised_between(
    con: Connection, *, series: str, start: dt.date, before: dt.date, min_rank: int = 0
) -> list[Alert]:
    """Alerts of a series raised in ``[start 00:00, before 00:00)`` UTC, most severe first.

    Half-open, so consecutive windows (a weekly digest's) meet without overlap or gap: an
    alert raised at midnight belongs to the window that starts then.
    """
    rows = _rows(
        con.execute(
            f"""SELECT * FROM alerts
               WHERE series = ? AND raised_at >= ? AND raised_at < ? AND {_RANK_SQL} >= ?
               ORDER BY {_RANK_SQL} DESC, period_end NULLS LAST, alert_key""",
            [series, _midnight(start), _midnight(before), min_rank],
        )
    )
    return [_alert_from_row(r) for r in rows]


def unqueued_alerts(
    con: Connection, *, channel: str, series: str, min_rank: int, since: dt.datetime
) -> list[Alert]:
    """Alerts at or above ``min_rank`` with no row for ``channel`` that are still owed to it.

    Owed: never handed to the ledger at all (``queued_at`` NULL: the run that raised them
    stopped before notify; however old), or raised since ``since`` (a channel configured after
    they were handed over). ``since`` bounds the second kind so a channel configured for the
    first time does not receive years of history.
    """
    rows = _rows(
        con.execute(
            f"""SELECT * FROM alerts a
                WHERE a.series = ? AND (a.queued_at IS NULL OR a.raised_at >= ?)
                  AND {_RANK_SQL} >= ?
                  AND NOT EXISTS (SELECT 1 FROM deliveries d
                                  WHERE d.alert_key = a.alert_key AND d.channel = ?)
                ORDER BY a.period_end NULLS LAST, a.raised_at, a.alert_key""",
            [series, since, min_rank, channel],
        )
    )
    return [_alert_from_row(r) for r in rows]


def note_pending_error(con: Connection, *, channel: str, series: str, error: str) -> int:
    """Set ``last_error`` on a channel's pending rows that could not be tried (no attempt)."""
    row = con.execute(
        """UPDATE deliveries SET last_error = ?
           WHERE channel = ? AND status = 'pending'
             AND alert_key IN (SELECT alert_key FROM alerts WHERE series = ?)
           RETURNING alert_key""",
        [error, channel, series],
    ).fetchall()
    return len(row)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())
