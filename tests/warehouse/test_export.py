"""``reportwatch export``: every table and view to Parquet or CSV, with a manifest that is true."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from tests.warehouse.test_analyst_views import build_small_warehouse
from warehouse import connect, open_reader
from warehouse.export import export_all
from warehouse.migrate import MIGRATIONS_DIR, migrate
from warehouse.snapshot import publish

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    build_small_warehouse(tmp_path)
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    return tmp_path


def _relations(snapshot: Path) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    with open_reader(snapshot) as con:
        kinds = con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        found = {}
        for name, kind in kinds:
            cols = con.execute(
                """SELECT column_name, data_type FROM information_schema.columns
                   WHERE table_name = ? ORDER BY ordinal_position""",
                [name],
            ).fetchall()
            found[name] = ("view" if kind == "VIEW" else "table", cols)
    return found


def _count(con, name: str) -> int:  # type: ignore[no-untyped-def]
    row = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
    return int(row[0])


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_table_and_view_and_a_true_manifest(data_dir: Path, fmt: str) -> None:
    out = data_dir / "export"
    result = runner.invoke(app, ["export", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    snapshot = data_dir / "snapshot.duckdb"
    expected = _relations(snapshot)
    assert {r["name"] for r in manifest["relations"]} == set(expected)
    assert {"troop_levels", "report_changes", "contributing_nations", "documents"} <= set(expected)
    with open_reader(snapshot) as con:
        stamp = con.execute("SELECT load_id FROM snapshot_info").fetchone()
        counts = {name: _count(con, name) for name in expected}
    assert manifest["load_id"] == stamp[0] and manifest["format"] == fmt
    assert manifest["exported_at"].endswith("+00:00")

    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    memory = connect(":memory:")
    try:
        for entry in manifest["relations"]:
            path = out / entry["file"]
            kind, columns = expected[entry["name"]]
            assert entry["kind"] == kind
            assert [(c["name"], c["type"]) for c in entry["columns"]] == columns
            assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
            assert entry["rows"] == counts[entry["name"]]
            read_back = memory.execute(f"SELECT count(*) FROM {reader}(?)", [str(path)]).fetchone()
            assert read_back == (entry["rows"],), entry["name"]
        # the facts survive the round trip, not only the row counts
        troops = memory.execute(
            f"SELECT symbol, troops FROM {reader}(?) ORDER BY period_end",
            [str(out / f"troop_levels.{fmt}")],
        ).fetchall()
    finally:
        memory.close()
    assert troops[-1] == ("S/2023/966", 4500)
    assert f"{len(manifest['relations'])} files" in result.output


def test_series_filter_keeps_that_series_and_says_so(data_dir: Path) -> None:
    with open_reader(data_dir / "snapshot.duckdb") as con:
        kfor = export_all(con, data_dir / "kfor", fmt="parquet", series="kfor")
        other = export_all(con, data_dir / "other", fmt="parquet", series="nato")
    by_name = {r.name: r for r in kfor.relations}
    empty = {r.name: r for r in other.relations}
    # 4 reports × 4 facts, less the one report silent on incidents
    assert by_name["observations"].rows == 15 and empty["observations"].rows == 0
    assert by_name["paragraphs"].filter == "document_id LIKE 'kfor:%'"
    assert empty["paragraphs"].rows == 0 and empty["deliveries"].rows == 0
    # relations without a series are exported whole, unfiltered
    assert empty["schema_migrations"].filter is None and empty["schema_migrations"].rows > 0


def test_a_second_export_replaces_the_manifest_and_files(data_dir: Path) -> None:
    out = data_dir / "again"
    with open_reader(data_dir / "snapshot.duckdb") as con:
        first = export_all(con, out, fmt="csv")
        second = export_all(con, out, fmt="csv")
    assert [r.sha256 for r in first.relations] == [r.sha256 for r in second.relations]
    assert json.loads((out / "manifest.json").read_text())["exported_at"] == second.exported_at
    assert not list(out.glob(".*tmp"))


def test_bad_format_and_a_file_for_a_folder_are_one_line_errors(data_dir: Path) -> None:
    bad = runner.invoke(app, ["export", "--format", "xlsx", "--out", str(data_dir / "x")])
    assert bad.exit_code == 2  # a usage error, named with the formats there are
    assert bad.output.startswith("error: invalid value for '--format' / '-f': 'xlsx' is not one")
    assert "'parquet', 'csv'" in bad.output and bad.output.count("\n") == 1
    (data_dir / "a-file").write_text("x")
    clash = runner.invoke(app, ["export", "--out", str(data_dir / "a-file")])
    assert clash.exit_code == 1 and "is a file" in clash.output
    assert clash.output.count("\n") == 1


def test_a_snapshot_older_than_the_code_is_refused_with_the_remedy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old-migrations"
    old.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql"))[:2]:
        shutil.copy(path, old / path.name)
    con = connect(tmp_path / "warehouse.duckdb")
    try:
        migrate(con, old)
    finally:
        con.close()
    publish(tmp_path / "warehouse.duckdb", tmp_path / "snapshot.duckdb")
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["export", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "predates migration" in result.output and "reportwatch run" in result.output
