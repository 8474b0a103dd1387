"""Full-text search over paragraphs, offline.

DuckDB's ``fts`` extension is downloaded on first use, which a machine without internet (or a
read-only snapshot opened by an analyst) cannot do. So search is plain SQL, defined once in
migration 0004 as the table macro ``search_paragraphs(words)``: words are lower-cased, accents
removed, numbers kept whole ("4,500"), stop words dropped; a paragraph must contain every word
of the query; a trailing ``*`` asks for a prefix (``injur*``); paragraphs are ranked by tf-idf.
Python callers and ``reportwatch sql`` users run the same macro, so they get the same answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportwatch.errors import ReportwatchError, WarehouseError
from warehouse.connection import Connection, run_sql


@dataclass(frozen=True)
class SearchHit:
    """One paragraph that matched, with where to find it."""

    series: str
    symbol: str
    period_end: dt.date | None
    page: int
    paragraph: int | None
    snippet: str
    score: float
    document_id: str
    seq: int


def query_terms(con: Connection, query: str) -> list[str]:
    """The words of ``query`` the search will look for (stop words and 1-letter words dropped)."""
    _require_search(con)
    row = run_sql(con, "SELECT search_query_terms(?)", [query]).fetchone()
    return [str(t) for t in row[0]] if row and row[0] else []


def search_paragraphs(
    con: Connection, query: str, *, series: str | None = None, limit: int = 20
) -> list[SearchHit]:
    """Paragraphs of current document versions containing every word of ``query``, best first."""
    if limit < 1:
        raise ReportwatchError(f"limit must be at least 1, not {limit}", hint="e.g. --limit 20")
    if not query_terms(con, query):
        raise ReportwatchError(
            f"nothing to search for in {query!r}",
            hint="common words such as 'the' and one-letter words are ignored; add a real word",
        )
    rows = run_sql(
        con,
        """SELECT series, symbol, period_end, page, paragraph, snippet, score, document_id, seq
           FROM search_paragraphs(?::VARCHAR)
           WHERE ?::VARCHAR IS NULL OR series = ?::VARCHAR
           LIMIT ?""",
        [query, series, series, limit],
    ).fetchall()
    return [SearchHit(*row) for row in rows]


def _require_search(con: Connection) -> None:
    row = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'search_paragraphs'"
    ).fetchone()
    if not row or not row[0]:
        raise WarehouseError(
            "this warehouse has no search_paragraphs macro (it predates migration 0004)",
            hint="run `reportwatch run` once: it migrates the warehouse and republishes the snapshot",
        )
