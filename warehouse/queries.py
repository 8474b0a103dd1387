"""Read-only queries for the CLI (status, demo summary) and analysts' SQL."""

from __future__ import annotations

from typing import Any

from warehouse.connection import Connection, run_sql

Rows = tuple[list[str], list[tuple[Any, ...]]]


def query(con: Connection, sql: str, params: list[object] | None = None) -> Rows:
    cur = run_sql(con, sql, params)
    if cur.description is None:
        return [], []
    return [d[0] for d in cur.description], cur.fetchall()


def recent_runs(con: Connection, limit: int = 5) -> Rows:
    return query(
        con,
        """SELECT started_at, flow, series, status, discovered, fetched, unchanged, loaded,
                  quarantined, failed, alerts_raised, alerts_delivered
           FROM runs ORDER BY started_at DESC LIMIT ?""",
        [limit],
    )


def latest_per_series(con: Connection) -> Rows:
    return query(
        con,
        """SELECT l.series, l.symbol, l.period_start, l.period_end, t.troops, t.approximate
           FROM latest_reports l LEFT JOIN troop_levels t USING (document_id)
           ORDER BY l.series""",
    )


def undelivered(con: Connection) -> Rows:
    return query(
        con,
        """SELECT a.severity, a.series, a.headline, d.channel, d.attempts, d.last_error
           FROM deliveries d JOIN alerts a USING (alert_key)
           WHERE d.status = 'pending' ORDER BY a.raised_at""",
    )


def problems(con: Connection) -> Rows:
    return query(
        con,
        """SELECT series, symbol, 'quarantined' AS status, reason FROM documents
           WHERE is_current AND status = 'quarantined'
           UNION ALL
           SELECT series, symbol, status, reason FROM candidates
           WHERE status IN ('failed', 'not_published')
           ORDER BY 1, 2""",
    )


def troop_table(con: Connection, series: str) -> Rows:
    return query(
        con,
        """SELECT symbol, period_start, period_end, troops, approximate, change, pct_change
           FROM troop_levels WHERE series = ? ORDER BY period_end""",
        [series],
    )


def alert_table(con: Connection, series: str) -> Rows:
    return query(
        con,
        """SELECT severity, headline FROM alerts WHERE series = ? AND rule_kind <> 'new-document'
           ORDER BY period_end NULLS LAST, raised_at""",
        [series],
    )


def document_counts(con: Connection, series: str) -> Rows:
    return query(
        con,
        """SELECT status, count(*) AS documents, min(period_start) AS first_period,
                  max(period_end) AS last_period
           FROM documents WHERE series = ? AND is_current GROUP BY status ORDER BY status""",
        [series],
    )


def table_counts(con: Connection) -> dict[str, int]:
    names = ["documents", "paragraphs", "observations", "incidents", "alerts", "deliveries",
             "candidates"]  # fmt: skip
    counts = {}
    for name in names:
        row = con.execute(f"SELECT count(*) FROM {name}").fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts
