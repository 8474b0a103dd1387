"""Loading documents: one transaction per document, idempotent, versioned.

* The same file (series, symbol, sha256) loaded twice changes nothing (``unchanged``).
* A different file for a symbol already loaded becomes version N+1; the old version is kept
  with ``is_current = false`` (analysts see restatements in ``document_versions``).
* ``replace=True`` (reprocess) rewrites the facts of an existing version from a new extraction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from reportwatch.models import OBSERVED_METRICS, DocumentText, Evidence, FetchedFile, Report
from reportwatch.pausepoints import pause_point
from warehouse.connection import Connection, now, transaction
from warehouse.owners import fence
from warehouse.tables import insert_table_rows

LoadStatus = Literal["loaded", "quarantined", "unchanged", "replaced"]


@dataclass(frozen=True)
class LoadResult:
    status: LoadStatus
    document_id: str
    version: int
    load_id: str | None
    previous_document_id: str | None = None


def new_load(con: Connection, *, series: str, kind: str, run_id: str | None) -> str:
    """Record a load (inside the caller's transaction) and return its id."""
    load_id = f"{now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    con.execute("INSERT INTO loads VALUES (?, ?, ?, ?, ?)", [load_id, run_id, series, kind, now()])
    return load_id


def document_id(series: str, symbol: str, version: int) -> str:
    return f"{series}:{symbol}:v{version}"


def find_by_hash(con: Connection, series: str, symbol: str, sha256: str) -> tuple[str, int] | None:
    row = con.execute(
        "SELECT document_id, version FROM documents WHERE series=? AND symbol=? AND sha256=?",
        [series, symbol, sha256],
    ).fetchone()
    return (str(row[0]), int(row[1])) if row else None


def known_hashes(con: Connection, series: str) -> set[str]:
    rows = con.execute("SELECT sha256 FROM documents WHERE series = ?", [series]).fetchall()
    return {str(r[0]) for r in rows}


def load_document(
    con: Connection,
    *,
    fetched: FetchedFile,
    text: DocumentText | None,
    report: Report | None,
    reason: str | None = None,
    run_id: str | None = None,
    normalizer: str | None = None,
    replace: bool = False,
) -> LoadResult:
    """Load one document in one transaction. ``reason`` (or report.quarantine_reason) quarantines.

    The same transaction moves the candidate to stage ``loaded``; the new version waits for its
    alerts (``detected_at`` NULL). A version rewritten in place (``replace``, reprocess) keeps its
    ``detected_at``: reprocessing raises the alerts of what changed itself. With ``run_id`` the
    write is fenced: it happens only while that run holds the series' lease.
    """
    series, symbol = fetched.series, fetched.symbol
    reason = (
        reason
        or (report.quarantine_reason if report else None)
        or (None if report else "no report was produced")
    )
    status: Literal["loaded", "quarantined"] = "quarantined" if reason else "loaded"
    with transaction(con):
        fence(con, series=series, run_id=run_id)
        existing = find_by_hash(con, series, symbol, fetched.sha256)
        if existing and not replace:
            _mark_loaded(con, series, symbol, fetched.sha256, existing[0])
            return LoadResult("unchanged", existing[0], existing[1], None)
        load_id = new_load(
            con, series=series, kind="reprocess" if replace else "ingest", run_id=run_id
        )
        previous: str | None = None
        detected_at = None
        if existing:
            doc_id, version = existing
            row = con.execute(
                "SELECT detected_at FROM documents WHERE document_id = ?", [doc_id]
            ).fetchone()
            detected_at = row[0] if row else None
            for table in ("paragraphs", "observations", "incidents"):
                con.execute(f"DELETE FROM {table} WHERE document_id = ?", [doc_id])
            con.execute("DELETE FROM documents WHERE document_id = ?", [doc_id])
        else:
            row = con.execute(
                "SELECT max(version) FROM documents WHERE series=? AND symbol=?", [series, symbol]
            ).fetchone()
            last = int(row[0]) if row and row[0] is not None else 0
            version = last + 1
            doc_id = document_id(series, symbol, version)
            if last:
                previous = document_id(series, symbol, last)
        _insert_document(
            con,
            doc_id,
            version,
            False,
            status,
            reason,
            fetched,
            text,
            report,
            load_id,
            normalizer,
        )
        if detected_at is not None:
            con.execute(
                "UPDATE documents SET detected_at = ? WHERE document_id = ?", [detected_at, doc_id]
            )
        if report is not None:
            _insert_facts(con, doc_id, series, symbol, report, load_id)
        _choose_current(con, series, symbol)
        _mark_loaded(con, series, symbol, fetched.sha256, doc_id)
        pause_point("load:inside")  # a test hook: the transaction is still open here
    result_status: LoadStatus = "replaced" if existing else status
    return LoadResult(result_status, doc_id, version, load_id, previous)


def _mark_loaded(con: Connection, series: str, symbol: str, sha256: str, doc_id: str) -> None:
    """The candidate reached stage ``loaded``: its status is its document's."""
    con.execute(
        """UPDATE candidates SET stage = 'loaded', reason = d.reason, status = d.status,
               sha256 = ?, last_seen = ?, claimed_by = NULL, claimed_at = NULL
           FROM documents d
           WHERE d.document_id = ? AND candidates.series = ? AND candidates.symbol = ?""",
        [sha256, now(), doc_id, series, symbol],
    )


def _choose_current(con: Connection, series: str, symbol: str) -> None:
    """The current version of a symbol: the latest that loaded, else the latest.

    So a newer file that had to be quarantined never hides the figures of a good one.
    """
    con.execute(
        """UPDATE documents SET is_current = (version = (
               SELECT coalesce(max(version) FILTER (WHERE status = 'loaded'), max(version))
               FROM documents WHERE series = ? AND symbol = ?))
           WHERE series = ? AND symbol = ?""",
        [series, symbol, series, symbol],
    )


def _insert_document(
    con: Connection,
    doc_id: str,
    version: int,
    is_current: bool,
    status: str,
    reason: str | None,
    fetched: FetchedFile,
    text: DocumentText | None,
    report: Report | None,
    load_id: str,
    normalizer: str | None,
) -> None:
    r = report
    con.execute(
        """INSERT INTO documents (document_id, series, symbol, version, is_current, status, reason,
               title, distribution_date, letter_date, period_start, period_end, frequency,
               as_of_date, original_language, signatories, warnings, source, source_url, sha256,
               size_bytes, pages, extractor, normalizer, fetched_at, load_id, loaded_at,
               reissue, symbols, job_number, previous_report_date, previous_report_symbol)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                   ?, ?, ?, ?, ?)""",
        [
            doc_id, fetched.series, fetched.symbol, version, is_current, status, reason,
            (r.title if r and r.title else None) or (text.title if text else None) or fetched.title,
            (r.distribution_date if r else None) or (text.distribution_date if text else None),
            r.letter_date if r else None,
            r.period_start if r else None,
            r.period_end if r else None,
            r.frequency if r else None,
            r.as_of_date if r else None,
            (r.original_language if r else None) or (text.original_language if text else None),
            list(r.signatories) if r else [],
            list(r.warnings) if r else [],
            fetched.source, fetched.url, fetched.sha256, fetched.size,
            text.page_count if text else None,
            text.extractor if text else None,
            normalizer, fetched.fetched_at.replace(tzinfo=None), load_id, now(),
            (r.reissue if r else None) or (text.reissue if text else None),
            list(text.symbols) if text and text.symbols else (list(r.symbols) if r else []),
            text.job_number if text else None,
            r.previous_report_date if r else None,
            r.previous_report_symbol if r else None,
        ],
    )  # fmt: skip


def _evidence(report: Report, field: str) -> tuple[int | None, int | None, str | None]:
    ev: Evidence | None = report.evidence.get(field)
    return (ev.page, ev.paragraph, ev.text) if ev else (None, None, None)


def _insert_facts(
    con: Connection, doc_id: str, series: str, symbol: str, report: Report, load_id: str
) -> None:
    con.executemany(
        """INSERT INTO paragraphs (document_id, seq, number, section, part, page, text, load_id,
               kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            [doc_id, i, p.number, p.section, p.part, p.page, p.text, load_id, p.kind]
            for i, p in enumerate(report.paragraphs)
        ],
    ) if report.paragraphs else None
    rows: list[list[Any]] = []
    for metric, unit in OBSERVED_METRICS.items():
        value = getattr(report, metric)
        if value is None:
            continue
        approximate = report.troops_approximate if metric == "troops_total" else False
        page, para, sentence = _evidence(report, metric)
        rows.append(
            [doc_id, series, symbol, metric, float(value), unit, approximate, report.as_of_date,
             report.period_start, report.period_end, page, para, sentence, load_id]
        )  # fmt: skip
    for metric, figure in report.metrics.items():  # metrics the series profile names
        page, para, sentence = _evidence(report, metric)
        rows.append(
            [doc_id, series, symbol, metric, float(figure.value), figure.unit, figure.approximate,
             figure.as_of_date or report.as_of_date, report.period_start, report.period_end, page, para, sentence,
             load_id]
        )  # fmt: skip
    if rows:
        con.executemany(
            "INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    insert_table_rows(con, doc_id, series, symbol, report, load_id)
    incident_rows = []
    for i, inc in enumerate(report.incidents):
        ev = inc.evidence
        incident_rows.append(
            [doc_id, i, series, inc.date, inc.location, inc.summary, inc.casualties,
             ev.page if ev else None, ev.paragraph if ev else None, ev.text if ev else None, load_id]
        )  # fmt: skip
    if incident_rows:
        con.executemany(
            "INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", incident_rows
        )


def document_row(con: Connection, doc_id: str) -> dict[str, Any] | None:
    cur = con.execute("SELECT * FROM documents WHERE document_id = ?", [doc_id])
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description]
    return dict(zip(names, row, strict=True))


def stored_documents(con: Connection, series: str) -> list[dict[str, Any]]:
    """Every document version of a series with what reprocessing needs."""
    cur = con.execute(
        """SELECT document_id, symbol, version, sha256, source, source_url, size_bytes, fetched_at,
                  title, status, reason, pages, extractor
           FROM documents WHERE series = ? ORDER BY symbol, version""",
        [series],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
