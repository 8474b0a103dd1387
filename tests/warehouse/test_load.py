"""The warehouse on real DuckDB files: migrations, idempotent versioned loads, snapshot, locks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reportwatch.errors import MigrationError, WarehouseLockedError
from tests.factories import QUARTERS, fetched, report, text_for
from warehouse import connect, open_reader, open_writer
from warehouse.documents import load_document
from warehouse.migrate import MIGRATIONS_DIR, migrate, pending
from warehouse.snapshot import publish, snapshot_info


def _load(con, symbol, content, troops, quarter=0):  # type: ignore[no-untyped-def]
    start, end = QUARTERS[quarter]
    rep = report(symbol, start, end, troops)
    return load_document(con, fetched=fetched(symbol, content), text=text_for(rep), report=rep)


def test_migrations_are_recorded_in_order_with_checksums(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        rows = con.execute(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY 1"
        ).fetchall()
        assert [r[0] for r in rows] == sorted(int(p.name[:4]) for p in MIGRATIONS_DIR.glob("*.sql"))
        assert all(len(r[2]) == 64 for r in rows)
        assert pending(con) == []
        assert migrate(con) == []  # a second run applies nothing


def test_pending_lists_without_changing_anything(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    try:
        todo = pending(con)
        assert [m.name for m in todo][:2] == ["core_tables", "analyst_views"]
        tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchone()
        assert tables == (0,)
    finally:
        con.close()


def test_an_edited_migration_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    con = connect(tmp_path / "w.duckdb")
    try:
        migrate(con, folder)
        (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER, y INTEGER);")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            migrate(con, folder)
    finally:
        con.close()


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_ok.sql").write_text("CREATE TABLE a (x INTEGER);")
    (folder / "0002_broken.sql").write_text("CREATE TABLE b (x INTEGER); SELECT * FROM nowhere;")
    con = connect(tmp_path / "w.duckdb")
    try:
        with pytest.raises(MigrationError, match="0002_broken failed"):
            migrate(con, folder)
        versions = con.execute("SELECT version FROM schema_migrations").fetchall()
        assert versions == [(1,)]
        names = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert "b" not in names
    finally:
        con.close()


def test_loading_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        first = _load(con, "S/2023/100", b"%PDF-1 a", 3800)
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()
            for t in ("documents", "paragraphs", "observations", "loads")
        }
        second = _load(con, "S/2023/100", b"%PDF-1 a", 3800)
        again = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in counts}
    assert first.status == "loaded" and second.status == "unchanged"
    assert second.document_id == first.document_id
    assert again == counts


def test_a_revised_file_becomes_a_new_version_and_keeps_the_old(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        v1 = _load(con, "S/2023/100", b"%PDF-1 a", 3800)
        v2 = _load(con, "S/2023/100", b"%PDF-1 b", 3900)
        rows = con.execute(
            "SELECT version, is_current FROM documents WHERE symbol = 'S/2023/100' ORDER BY version"
        ).fetchall()
        troops = con.execute("SELECT troops FROM troop_levels").fetchall()
    assert (v1.version, v2.version) == (1, 2)
    assert v2.previous_document_id == v1.document_id
    assert rows == [(1, False), (2, True)]
    assert troops == [(3900,)]  # analysts' views show the current version only


def test_every_row_carries_the_load_id_of_its_transaction(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        result = _load(con, "S/2023/100", b"%PDF-1 a", 3800)
        for table in ("documents", "paragraphs", "observations"):
            ids = con.execute(f"SELECT DISTINCT load_id FROM {table}").fetchall()
            assert ids == [(result.load_id,)], table
        assert con.execute(
            "SELECT count(*) FROM loads WHERE load_id = ?", [result.load_id]
        ).fetchone() == (1,)


def test_a_document_without_troops_is_stored_as_quarantined_with_the_reason(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        result = _load(con, "S/2023/101", b"%PDF-1 q", None)
        row = con.execute("SELECT status, reason FROM documents").fetchone()
        levels = con.execute("SELECT count(*) FROM troop_levels").fetchone()
    assert result.status == "quarantined"
    assert row == ("quarantined", "no troop figure found")
    assert levels == (0,)


def test_troop_levels_view_gives_change_from_the_previous_period(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        # loaded out of order: the view orders by period, not arrival
        _load(con, "S/2023/300", b"%PDF-3", 4500, quarter=3)
        _load(con, "S/2023/100", b"%PDF-1", 3800, quarter=1)
        _load(con, "S/2023/200", b"%PDF-2", 3800, quarter=2)
        rows = con.execute(
            "SELECT symbol, troops, change, pct_change, previous_symbol, page, paragraph FROM troop_levels"
        ).fetchall()
    assert rows == [
        ("S/2023/100", 3800, None, None, None, 3, 2),
        ("S/2023/200", 3800, 0, 0.0, "S/2023/100", 3, 2),
        ("S/2023/300", 4500, 700, 18.4, "S/2023/200", 3, 2),
    ]


def test_snapshot_is_published_and_readable_while_the_writer_works(tmp_path: Path) -> None:
    path, snap = tmp_path / "w.duckdb", tmp_path / "snapshot.duckdb"
    with open_writer(path) as con:
        first = _load(con, "S/2023/100", b"%PDF-1", 3800, quarter=1)
    assert publish(path, snap) == first.load_id
    with open_reader(snap) as reader:
        assert reader.execute("SELECT count(*) FROM documents").fetchone() == (1,)
        # the loader writes and publishes again while the analyst's connection is open
        with open_writer(path) as con:
            _load(con, "S/2023/200", b"%PDF-2", 3900, quarter=2)
        publish(path, snap)
        assert reader.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    with open_reader(snap) as fresh:
        assert fresh.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    info = snapshot_info(snap)
    assert info is not None and info["load_id"] != first.load_id


def test_a_warehouse_locked_by_another_process_is_a_transient_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_writer(path):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseLockedError) as caught:
            connect(path)
        assert caught.value.transient
        assert "locked by another process" in caught.value.one_line()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def test_duckdb_errors_never_escape_the_warehouse_package(tmp_path: Path) -> None:
    from reportwatch.errors import WarehouseError
    from warehouse.connection import transaction

    with pytest.raises(WarehouseError, match="no_such_table"):
        with open_writer(tmp_path / "w.duckdb") as con:
            con.execute("SELECT * FROM no_such_table")
    with open_writer(tmp_path / "w.duckdb") as con:
        with pytest.raises(WarehouseError):
            with transaction(con):
                con.execute("INSERT INTO mutes VALUES ('r', 'kfor', NULL, now())")
                con.execute("INSERT INTO mutes VALUES ('r', 'kfor', NULL, now())")  # duplicate key
        assert con.execute("SELECT count(*) FROM mutes").fetchone() == (0,)  # rolled back


def test_reissue_joint_symbols_and_footnotes_reach_the_warehouse(tmp_path: Path) -> None:
    from reportwatch.series import load_series
    from tasks.read.extract import extract_pdf
    from tasks.read.normalize import normalize

    pdfs = Path(__file__).resolve().parents[1] / "data" / "pdfs"
    profile = load_series("kfor").profile
    with open_writer(tmp_path / "w.duckdb") as con:
        for name in (
            "quarterly-2021-q3-reissued-with-asterisk.pdf",
            "quarterly-2020-q1-ods-layout.pdf",
        ):
            data = (pdfs / name).read_bytes()
            doc = extract_pdf(data)
            rep = normalize(doc, series="kfor", profile=profile)
            assert doc.symbol is not None
            load_document(con, fetched=fetched(doc.symbol, data), text=doc, report=rep)
        rows = con.execute(
            "SELECT symbol, reissue, symbols, job_number FROM documents ORDER BY symbol"
        ).fetchall()
        assert rows == [
            ("S/2020/604", None, ["S/2020/604"], "20-08523"),
            ("S/2021/1032", "Reissued for technical reasons on 16 December 2021",
             ["S/2021/1032"], "21-18577"),
        ]  # fmt: skip
        notes = con.execute(
            "SELECT page, text FROM paragraphs WHERE kind = 'footnote' ORDER BY document_id"
        ).fetchall()
        assert [(page, text[:26]) for page, text in notes] == [(3, "1 Coronavirus disease 2019")]
        kinds = con.execute("SELECT DISTINCT kind FROM paragraphs ORDER BY 1").fetchall()
        assert kinds == [("footnote",), ("paragraph",)]
