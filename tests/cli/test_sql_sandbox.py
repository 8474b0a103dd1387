"""``reportwatch sql`` gives the warehouse and nothing else of the machine: one test per escape.

Each statement below works in a plain read-only DuckDB connection (the first test proves it for
the file ones), and each is refused by ``reportwatch sql`` in one line saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from warehouse import open_reader

runner = CliRunner()
SECRET = "root:x:0:0:secret-line"


@pytest.fixture
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("private") / "passwd.csv"
    path.write_text(f"line\n{SECRET}\n")
    return path


def refused(statement: str) -> str:
    result = runner.invoke(app, ["sql", statement])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: refused: ")
    return result.output


def test_a_plain_read_only_connection_would_have_let_these_through(
    data_dir: Path, secret: Path, tmp_path: Path
) -> None:
    with open_reader(data_dir / "snapshot.duckdb") as con:
        assert SECRET in str(con.execute(f"SELECT * FROM read_csv('{secret}')").fetchall())
        con.execute(f"COPY (SELECT 1) TO '{tmp_path / 'leak.csv'}'")
    assert (tmp_path / "leak.csv").exists()


def test_copy_to_a_file_is_refused_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "leak.csv"
    target.parent.mkdir()
    line = refused(f"COPY (SELECT * FROM documents) TO '{target}'")
    assert "file system operations are disabled" in line and "reportwatch export" in line
    assert not target.exists()


def test_export_database_is_refused(data_dir: Path, tmp_path: Path) -> None:
    refused(f"EXPORT DATABASE '{tmp_path / 'dump'}'")
    assert not (tmp_path / "dump").exists() or not any((tmp_path / "dump").iterdir())


@pytest.mark.parametrize("reader", ["read_csv('{path}')", "read_text('{path}')", "glob('{dir}/*')"])
def test_local_files_cannot_be_read(data_dir: Path, secret: Path, reader: str) -> None:
    line = refused("SELECT * FROM " + reader.format(path=secret, dir=secret.parent))
    assert SECRET not in line and "no files" in line


def test_the_network_cannot_be_reached(data_dir: Path) -> None:
    refused("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')")


@pytest.mark.parametrize("statement", ["INSTALL httpfs", "LOAD httpfs", "INSTALL spatial"])
def test_extensions_cannot_be_installed_or_loaded(data_dir: Path, statement: str) -> None:
    refused(statement)


def test_other_databases_cannot_be_attached(data_dir: Path, tmp_path: Path) -> None:
    refused(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other")
    assert not (tmp_path / "other.duckdb").exists()


@pytest.mark.parametrize(
    "statement",
    [
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "RESET enable_external_access",
        "PRAGMA enable_external_access = true",
        "SET autoinstall_known_extensions = true",
        "SET memory_limit = '100GB'",
    ],
)
def test_locked_settings_cannot_be_changed(data_dir: Path, statement: str) -> None:
    line = refused(statement)
    assert "configuration has been locked" in line


def test_writes_to_the_data_are_refused_in_plain_words(data_dir: Path) -> None:
    result = runner.invoke(app, ["sql", "DELETE FROM documents"])
    assert result.exit_code == 1
    assert result.output == (
        "error: the warehouse is read-only here: DELETE statements are refused "
        "(reportwatch sql only reads; the data changes through runs)\n"
    )


def test_queries_views_and_search_still_work(data_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "sql",
            "SELECT count(*) AS hits FROM search_paragraphs('troops') JOIN troop_levels "
            "USING (symbol)",
            "-f",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["hits", "2"]


def test_the_spill_folder_beside_the_snapshot_is_no_way_out(data_dir: Path) -> None:
    spill = data_dir / "snapshot.duckdb.tmp"  # DuckDB allows its temp folder even when locked
    spill.mkdir()
    line = refused(f"COPY (SELECT * FROM paragraphs) TO '{spill / 'p.csv'}'")
    assert "file system operations are disabled" in line
    assert list(spill.iterdir()) == []


def test_one_statement_at_a_time(data_dir: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1 AS one; SELECT count(*) FROM documents"])
    assert result.exit_code == 1
    assert result.output == (
        "error: more than one SQL statement given "
        "(reportwatch sql runs one statement at a time; run each on its own)\n"
    )
    assert runner.invoke(app, ["sql", "SELECT 1 AS one;"]).exit_code == 0  # a trailing ';' is fine


def test_a_damaged_snapshot_says_how_it_is_repaired_not_to_check_the_sql(data_dir: Path) -> None:
    snapshot = data_dir / "snapshot.duckdb"
    snapshot.write_bytes(snapshot.read_bytes()[: snapshot.stat().st_size // 2])
    result = runner.invoke(app, ["sql", "SELECT * FROM paragraphs"])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "check the SQL" not in result.output and "Traceback" not in result.output
    assert "the next `reportwatch run` republishes" in result.output
