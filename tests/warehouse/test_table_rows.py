"""Facts read from tables in the warehouse: table_rows, the per-series view, tables over time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportwatch.errors import WarehouseError
from tests.factories import annual_report, fetched, text_for
from warehouse import open_reader, open_writer
from warehouse.connection import Connection
from warehouse.documents import load_document

YEAR_1 = {"Ghana": (10, 7, 0), "Egypt": (23, 0, 1), "France": (13, 0, 0)}
YEAR_2 = {"Ghana": (8, 7, 0), "Egypt": (23, 0, 1), "Bhutan": (2, 0, 0)}


def _load(con: Connection, symbol: str, previous: tuple[str, dt.date], date: dt.date,
          rows: dict[str, tuple[int, int, int]], **kw: object) -> str:  # fmt: skip
    rep = annual_report(symbol, previous, date, 228, 231, rows, **kw)  # type: ignore[arg-type]
    content = f"%PDF-1.4 {symbol} {kw}".encode()
    result = load_document(con, fetched=fetched(symbol, content, series="minurso"),
                           text=text_for(rep), report=rep)  # fmt: skip
    return result.document_id


def _two_years(con: Connection) -> None:
    _load(con, "S/2012/197", ("S/2011/249", dt.date(2011, 4, 1)), dt.date(2012, 4, 5), YEAR_1)
    _load(con, "S/2013/220", ("S/2012/197", dt.date(2012, 4, 5)), dt.date(2013, 4, 8), YEAR_2)


def test_every_cell_is_a_row_with_its_table_title_date_and_page(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        doc_id = _load(con, "S/2012/197", ("S/2011/249", dt.date(2011, 4, 1)),
                       dt.date(2012, 4, 5), YEAR_1)  # fmt: skip
        rows = con.execute(
            """SELECT row_label, column_name, value, is_total, table_title, as_of_date, page, unit
               FROM table_rows WHERE document_id = ? ORDER BY row_index, column_name""",
            [doc_id],
        ).fetchall()
    assert len(rows) == 4 * 4  # three countries and the Total row, four columns each
    assert ("Ghana", "troops", 7, False, "Contributions as at 05 April 2012",
            dt.date(2012, 4, 5), 20, "personnel") in rows  # fmt: skip
    assert ("Total", "total", 54, True) in [r[:4] for r in rows]


def test_the_series_view_gives_contributions_by_country_over_time(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _two_years(con)
        got = con.execute(
            """SELECT symbol, row_label, military_observers, troops, civilian_police, total
               FROM minurso_contributions WHERE NOT is_total ORDER BY as_of_date, row_index"""
        ).fetchall()
    assert got[:3] == [
        ("S/2012/197", "Ghana", 10, 7, 0, 17),
        ("S/2012/197", "Egypt", 23, 0, 1, 24),
        ("S/2012/197", "France", 13, 0, 0, 13),
    ]
    assert ("S/2013/220", "Bhutan", 2, 0, 0, 2) in got


def test_table_values_and_membership_changes(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _two_years(con)
        ghana = con.execute(
            """SELECT symbol, value, change, previous_symbol FROM table_values
               WHERE row_label = 'Ghana' AND column_name = 'military_observers'
               ORDER BY period_end"""
        ).fetchall()
        changes = con.execute(
            """SELECT symbol, previous_symbol, row_label, change
               FROM table_membership_changes ORDER BY change, row_label"""
        ).fetchall()
    assert ghana == [("S/2012/197", 10, None, None), ("S/2013/220", 8, -2, "S/2012/197")]
    assert changes == [
        ("S/2013/220", "S/2012/197", "Bhutan", "joined"),
        ("S/2013/220", "S/2012/197", "France", "left"),
    ]


def test_report_links_say_whether_the_previous_report_is_here(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _two_years(con)
        links = con.execute(
            "SELECT symbol, previous_report_symbol, previous_loaded FROM report_links ORDER BY 1"
        ).fetchall()
        stored = con.execute(
            "SELECT previous_report_date FROM documents WHERE symbol = 'S/2013/220'"
        ).fetchone()
    assert links == [("S/2012/197", "S/2011/249", False), ("S/2013/220", "S/2012/197", True)]
    assert stored == (dt.date(2012, 4, 5),)


def test_profile_metrics_are_observations_with_their_units(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _two_years(con)
        got = con.execute(
            """SELECT metric, value, unit, evidence_page FROM observations
               WHERE symbol = 'S/2012/197' ORDER BY metric"""
        ).fetchall()
    assert got == [
        ("authorized_military_strength", 231.0, "personnel", 5),
        ("military_strength", 228.0, "personnel", 5),
    ]


def test_reloading_a_new_version_replaces_nothing_of_the_old_and_reprocess_rewrites(
    tmp_path: Path,
) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        _load(con, "S/2012/197", ("S/2011/249", dt.date(2011, 4, 1)), dt.date(2012, 4, 5), YEAR_1)
        rep = annual_report("S/2012/197", ("S/2011/249", dt.date(2011, 4, 1)),
                            dt.date(2012, 4, 5), 228, 231, YEAR_1)  # fmt: skip
        content = b"%PDF-1.4 S/2012/197 {}"
        again = load_document(con, fetched=fetched("S/2012/197", content, series="minurso"),
                              text=text_for(rep), report=rep, replace=True)  # fmt: skip
        count = con.execute("SELECT count(*) FROM table_rows").fetchone()
        view = con.execute("SELECT count(*) FROM minurso_contributions").fetchone()
    assert again.status == "replaced"
    assert count == (16,) and view == (4,)  # no cell twice


def test_a_view_that_would_replace_a_warehouse_table_is_refused(tmp_path: Path) -> None:
    rep = annual_report("S/2012/197", ("S/2011/249", dt.date(2011, 4, 1)), dt.date(2012, 4, 5),
                        228, 231, YEAR_1, series="table")  # fmt: skip
    rep.tables[0].view = "table_rows"  # "table_" + "rows": the series' prefix, a real table
    with open_writer(tmp_path / "w.duckdb") as con:
        with pytest.raises(WarehouseError, match="would replace a table"):
            load_document(con, fetched=fetched("S/2012/197", series="table"),
                          text=text_for(rep), report=rep)  # fmt: skip
        # the transaction rolled back: nothing of the document is left
        assert con.execute("SELECT count(*) FROM table_rows").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (0,)


def test_the_view_is_in_the_snapshot_analysts_read(tmp_path: Path) -> None:
    from warehouse.snapshot import publish

    with open_writer(tmp_path / "w.duckdb") as con:
        _two_years(con)
    publish(tmp_path / "w.duckdb", tmp_path / "s.duckdb")
    with open_reader(tmp_path / "s.duckdb") as con:
        assert con.execute(
            "SELECT count(DISTINCT symbol) FROM minurso_contributions"
        ).fetchone() == (2,)
