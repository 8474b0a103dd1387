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
                  quarantined, failed, alerts_raised, alerts_delivered, error
           FROM runs ORDER BY started_at DESC LIMIT ?""",
        [limit],
    )


def latest_per_series(con: Connection, main_metrics: dict[str, str] | None = None) -> Rows:
    """The latest report of each series with its main figure.

    ``main_metrics`` maps a series to the metric it is charted by (its series file says which;
    ``troops_total`` for a series it does not name). Columns: series, symbol, period_start,
    period_end, figure (the metric), value (text, digits grouped), approximate; value is NULL
    when that report has no figure of it.
    """
    pairs = sorted((main_metrics or {}).items())
    values = ", ".join("(?, ?)" for _ in pairs) or "(NULL, NULL)"
    return query(
        con,
        f"""WITH main(series, metric) AS (VALUES {values})
            SELECT l.series, l.symbol, l.period_start, l.period_end,
                   coalesce(m.metric, 'troops_total') AS figure,
                   CASE WHEN o.value = round(o.value) THEN format('{{:,}}', CAST(o.value AS BIGINT))
                        ELSE CAST(o.value AS VARCHAR) END AS value, o.approximate
            FROM latest_reports l
            LEFT JOIN main m USING (series)
            LEFT JOIN observations o ON o.document_id = l.document_id
                 AND o.metric = coalesce(m.metric, 'troops_total')
            ORDER BY l.series""",
        [x for pair in pairs for x in pair],
    )


def undelivered(con: Connection) -> Rows:
    return query(
        con,
        """SELECT a.severity, a.series, a.headline, d.channel, d.status, d.attempts, d.last_error
           FROM deliveries d JOIN alerts a USING (alert_key)
           WHERE d.status IN ('pending', 'sending') ORDER BY a.raised_at""",
    )


def problems(con: Connection) -> Rows:
    return query(
        con,
        """SELECT series, symbol, 'quarantined' AS status, reason FROM documents d
           WHERE status = 'quarantined' AND version = (
               SELECT max(version) FROM documents x
               WHERE x.series = d.series AND x.symbol = d.symbol)
           UNION ALL
           SELECT series, symbol, status, reason FROM candidates
           WHERE status IN ('failed', 'not_published', 'damaged')
           ORDER BY 1, 2""",
    )


def troop_table(con: Connection, series: str) -> Rows:
    return query(
        con,
        """SELECT symbol, period_start, period_end, troops, approximate, change, pct_change
           FROM troop_levels WHERE series = ? ORDER BY period_end""",
        [series],
    )


def _identifier(name: str) -> str:
    """A column name quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def figure_table(con: Connection, series: str) -> Rows:
    """One row per loaded report (current versions): its figures, one column per metric of the
    series in the order the loader writes them (yes/no flags left out)."""
    _, found = query(
        con,
        """SELECT o.metric FROM observations o JOIN documents d USING (document_id)
           WHERE d.series = ? AND d.is_current AND d.status = 'loaded' AND o.unit <> 'flag'
           GROUP BY o.metric ORDER BY min(o.rowid)""",
        [series],
    )
    metrics = [str(row[0]) for row in found]
    columns = "".join(
        ", max(o.value) FILTER (WHERE o.metric = ?)::BIGINT AS " + _identifier(m) for m in metrics
    )
    return query(
        con,
        f"""SELECT d.symbol, d.period_end, d.as_of_date{columns}
            FROM documents d LEFT JOIN observations o USING (document_id)
            WHERE d.series = ? AND d.is_current AND d.status = 'loaded'
            GROUP BY d.symbol, d.period_end, d.as_of_date ORDER BY d.period_end""",
        [*metrics, series],
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


def series_present(con: Connection) -> list[str]:
    """Every series the data knows (documents, candidates or alerts), alphabetically."""
    _, rows = query(
        con,
        """SELECT series FROM documents UNION SELECT series FROM candidates
           UNION SELECT series FROM alerts ORDER BY 1""",
    )
    return [str(r[0]) for r in rows]


def alert_listing(
    con: Connection, *, series: str | None = None, min_rank: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """Alerts most severe first, then newest, with their deliveries (``channel:status, ...``).

    ``deliveries`` is NULL when no channel has a ledger row for the alert.
    """
    from reportwatch.models import SEVERITY_RANK

    rank = "CASE a.severity {} ELSE 0 END".format(
        " ".join(f"WHEN '{name}' THEN {value}" for name, value in SEVERITY_RANK.items())
    )
    return _dicts(
        con,
        f"""WITH chosen AS (
                SELECT a.*, {rank} AS rank FROM alerts a
                WHERE (?::VARCHAR IS NULL OR a.series = ?::VARCHAR) AND {rank} >= ?
                ORDER BY rank DESC, a.raised_at DESC, a.alert_key LIMIT ?)
            SELECT c.severity, c.raised_at, c.series, c.rule_id, c.symbol, c.headline,
                   (SELECT string_agg(d.channel || ':' || d.status, ', ' ORDER BY d.channel)
                    FROM deliveries d WHERE d.alert_key = c.alert_key) AS deliveries
            FROM chosen c
            ORDER BY c.rank DESC, c.raised_at DESC, c.alert_key""",
        [series, series, min_rank, limit],
    )


def table_counts(con: Connection) -> dict[str, int]:
    names = ["documents", "paragraphs", "observations", "incidents", "alerts", "deliveries",
             "candidates"]  # fmt: skip
    counts = {}
    for name in names:
        row = con.execute(f"SELECT count(*) FROM {name}").fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


# -- the analysts' report and chart (tasks/outputs/report_html.py, tasks/outputs/charts.py) -------------------
def _dicts(con: Connection, sql: str, params: list[object] | None = None) -> list[dict[str, Any]]:
    columns, rows = query(con, sql, params)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def series_loaded(con: Connection) -> list[str]:
    """Series with at least one loaded report, alphabetically."""
    _, rows = query(
        con,
        "SELECT DISTINCT series FROM documents WHERE is_current AND status = 'loaded' ORDER BY 1",
    )
    return [str(r[0]) for r in rows]


def troop_points(con: Connection, series: str) -> list[dict[str, Any]]:
    """Troop level per report, oldest first; ``as_of_date`` falls back to the period end."""
    return _dicts(
        con,
        """SELECT symbol, period_start, period_end, COALESCE(as_of_date, period_end) AS as_of_date,
                  troops, approximate, change, pct_change
           FROM troop_levels WHERE series = ? AND troops IS NOT NULL ORDER BY period_end""",
        [series],
    )


def metric_points(con: Connection, series: str, metric: str) -> list[dict[str, Any]]:
    """One metric per loaded report (current versions), oldest first: ``value``, whether it was
    ``approximate``, and ``as_of_date`` (the figure's, else the period end)."""
    return _dicts(
        con,
        """SELECT d.symbol, d.period_start, d.period_end,
                  COALESCE(o.as_of_date, d.period_end) AS as_of_date, o.value, o.approximate
           FROM observations o JOIN documents d USING (document_id)
           WHERE d.series = ? AND o.metric = ? AND d.is_current AND d.status = 'loaded'
           ORDER BY d.period_end, d.symbol""",
        [series, metric],
    )


def chart_alerts(
    con: Connection, series: str, metric: str = "troops_total"
) -> list[dict[str, Any]]:
    """Critical and warning alerts about ``metric`` or major incidents, oldest first."""
    return _dicts(
        con,
        """SELECT severity, rule_id, rule_kind, metric, symbol, period_end, value, delta,
                  pct_change, headline
           FROM alerts
           WHERE series = ? AND severity IN ('critical', 'warning') AND period_end IS NOT NULL
             AND ((rule_kind = 'metric-change' AND metric = ?)
                  OR rule_kind = 'incidents')
           ORDER BY period_end, CASE severity WHEN 'critical' THEN 0 ELSE 1 END, rule_id""",
        [series, metric],
    )


def latest_figures(con: Connection, series: str) -> dict[str, Any] | None:
    """The latest loaded report of a series, with ``facts``: each of its observations (metric,
    value, approximate, unit, as_of_date, page, paragraph) in the order they were loaded."""
    found = _dicts(
        con,
        """SELECT l.symbol, l.title, l.period_start, l.period_end, d.as_of_date, d.source_url,
                  d.previous_report_symbol, l.document_id
           FROM latest_reports l JOIN documents d USING (document_id)
           WHERE l.series = ?""",
        [series],
    )
    if not found:
        return None
    latest = found[0]
    latest["facts"] = _dicts(
        con,
        """SELECT metric, value, approximate, unit, as_of_date, evidence_page AS page,
                  evidence_paragraph AS paragraph
           FROM observations WHERE document_id = ? ORDER BY rowid""",
        [latest["document_id"]],
    )
    return latest


def latest_table(con: Connection, series: str) -> dict[str, Any] | None:
    """The latest table read for a series (its report may be older than the latest report):
    ``title``, ``symbol``, ``page``, ``columns`` and ``rows`` (label, total row, values)."""
    head = _dicts(
        con,
        """SELECT t.document_id, t.table_id, t.table_title AS title, t.symbol, t.as_of_date,
                  min(t.page) AS page
           FROM table_rows t JOIN documents d USING (document_id)
           WHERE t.series = ? AND d.is_current AND d.status = 'loaded'
           GROUP BY ALL ORDER BY max(d.period_end) DESC, t.table_id LIMIT 1""",
        [series],
    )
    if not head:
        return None
    table = head[0]
    cells = _dicts(
        con,
        """SELECT row_index, row_label, is_total, column_name, value FROM table_rows
           WHERE document_id = ? AND table_id = ? ORDER BY row_index, rowid""",
        [table["document_id"], table["table_id"]],
    )
    columns: list[str] = []
    rows: dict[int, dict[str, Any]] = {}
    for cell in cells:
        if cell["column_name"] not in columns:
            columns.append(cell["column_name"])
        row = rows.setdefault(
            cell["row_index"],
            {"label": cell["row_label"], "is_total": cell["is_total"], "values": {}},
        )
        row["values"][cell["column_name"]] = cell["value"]
    return {**table, "columns": columns, "rows": [rows[i] for i in sorted(rows)]}


def membership_changes(con: Connection, series: str) -> list[dict[str, Any]]:
    """Rows that joined or left a table of the series, newest first."""
    return _dicts(
        con,
        """SELECT symbol, previous_symbol, period_end, table_id, row_label, change
           FROM table_membership_changes WHERE series = ?
           ORDER BY period_end DESC, change, row_label""",
        [series],
    )


def series_changes(con: Connection, series: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest changes between consecutive reports (``report_changes``), newest first."""
    return _dicts(
        con,
        """SELECT period_end, symbol, previous_symbol, metric, previous_value,
                  previous_approximate, value, approximate, delta, pct_change, page, paragraph
           FROM report_changes WHERE series = ?
           ORDER BY period_end DESC, metric LIMIT ?""",
        [series, limit],
    )


def series_alerts(con: Connection, series: str, limit: int = 50) -> list[dict[str, Any]]:
    """Alerts of a series, most severe and newest first; new-document notices left out."""
    return _dicts(
        con,
        """SELECT severity, headline, symbol, period_end, evidence_page AS page,
                  evidence_paragraph AS paragraph, source_url, rule_id
           FROM alerts WHERE series = ? AND rule_kind <> 'new-document'
           ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                    period_end DESC NULLS LAST, rule_id
           LIMIT ?""",
        [series, limit],
    )


def snapshot_stamp(con: Connection) -> dict[str, Any] | None:
    """Which load the open database reflects: ``snapshot_info`` in a snapshot, else the last load."""
    tables = {name for (name,) in query(con, "SELECT table_name FROM duckdb_tables()")[1]}
    if "snapshot_info" in tables:
        found = _dicts(con, "SELECT load_id, loaded_at, published_at FROM snapshot_info")
    else:
        found = _dicts(
            con,
            """SELECT load_id, loaded_at, NULL::TIMESTAMP AS published_at FROM loads
               ORDER BY loaded_at DESC, load_id DESC LIMIT 1""",
        )
    return found[0] if found else None


def require_current_schema(con: Connection) -> None:
    """Refuse, with the remedy, a snapshot older than the code (its views would be missing)."""
    from reportwatch.errors import WarehouseError
    from warehouse.migrate import pending

    missing = pending(con)
    if missing:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in missing)
        raise WarehouseError(
            f"the snapshot predates migration {names}",
            hint="run `reportwatch run` (or `reportwatch demo`) once to republish it",
        )
