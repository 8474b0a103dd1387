"""The CLI: every command has help and a documented example; each does what it says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from flows.cli.main import app
from warehouse import open_writer

runner = CliRunner()
README = Path(__file__).resolve().parents[2] / "README.md"


def commands() -> dict[str, Any]:
    """Every command of the app by its path (``alerts list``), read from the app itself."""
    found: dict[str, Any] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            if hasattr(command, "commands"):
                walk(command, path)
            else:
                found[path] = command

    walk(typer.main.get_command(app), "")
    return found


def test_every_command_has_help_an_example_and_a_line_in_the_readme() -> None:
    found = commands()
    assert {"run", "demo", "extract", "sql", "status", "reprocess", "add", "alerts list"} <= set(
        found
    )
    readme = README.read_text(encoding="utf-8")
    for path in found:
        result = runner.invoke(app, [*path.split(), "--help"])
        assert result.exit_code == 0, path
        assert f"Example: reportwatch {path}" in result.output, path
        assert f"reportwatch {path}" in readme, f"{path} is not documented in the README"


def test_sql_prints_a_table_csv_and_json(data_dir: Path) -> None:
    statement = "SELECT symbol, troops, change FROM troop_levels ORDER BY period_end"
    table = runner.invoke(app, ["sql", statement])
    assert table.exit_code == 0, table.output
    assert "S/2023/668" in table.output and "4,500" not in table.output  # integers printed plainly
    csv_out = runner.invoke(app, ["sql", statement, "--format", "csv"])
    assert csv_out.output.splitlines() == [
        "symbol,troops,change",
        "S/2023/179,3800,",
        "S/2023/668,4500,700",
    ]
    as_json = json.loads(runner.invoke(app, ["sql", statement, "--format", "json"]).output)
    assert as_json[1] == {"symbol": "S/2023/668", "troops": 4500, "change": 700}


def test_sql_writes_to_a_file(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "levels.csv"
    result = runner.invoke(
        app, ["sql", "SELECT troops FROM troop_levels", "-f", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0
    assert out.read_text().splitlines() == ["troops", "3800", "4500"]


def test_sql_errors_are_one_line_and_writes_are_refused(data_dir: Path) -> None:
    bad = runner.invoke(app, ["sql", "SELEC nonsense"])
    assert bad.exit_code == 1
    assert bad.output.count("\n") == 1 and bad.output.startswith("error:")
    assert "Traceback" not in bad.output
    write = runner.invoke(app, ["sql", "DELETE FROM documents"])
    assert write.exit_code == 1 and "read-only" in write.output.lower()
    again = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM documents", "-f", "csv"])
    assert again.output.splitlines() == ["n", "2"]


def test_status_without_a_warehouse_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", "empty")  # relative, as people type it
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert f"error: no warehouse in {tmp_path / 'empty'} " in result.output  # absolute
    assert "REPORTWATCH_DATA_DIR" in result.output and "reportwatch demo" in result.output


def test_status_shows_latest_report(data_dir: Path) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "S/2023/668" in result.output and "snapshot reflects load" in result.output


def test_add_queues_a_symbol_once_and_refuses_a_bad_one(data_dir: Path) -> None:
    first = runner.invoke(app, ["add", "S/2021/228"])
    second = runner.invoke(app, ["add", "S/2021/0228"])  # the same document, spelt otherwise
    assert first.output.strip() == "S/2021/228: queued for kfor"
    assert second.output.strip() == "S/2021/228: already queued for kfor"
    bad = runner.invoke(app, ["add", "A/RES/1"])
    assert bad.exit_code == 1 and "not a Security Council symbol" in bad.output


def test_add_requeues_a_rejected_symbol(data_dir: Path) -> None:
    from reportwatch.models import Candidate
    from warehouse.runs import record_discovery

    with open_writer(data_dir / "warehouse.duckdb") as con:
        record_discovery(con, series="kfor", source="undl-oai", found=[], run_id=None,
                         rejected=[(Candidate(series="kfor", symbol="S/2024/9", source="undl-oai"),
                                    "title does not match")], window_until=None)  # fmt: skip
    result = runner.invoke(app, ["add", "S/2024/9"])
    assert result.output.strip() == "S/2024/9: requeued for kfor"
    with open_writer(data_dir / "warehouse.duckdb") as con:
        row = con.execute(
            "SELECT status, reason FROM candidates WHERE symbol = 'S/2024/9'"
        ).fetchone()
    assert row == ("candidate", None)


def test_mute_checks_the_rule_and_records_it(data_dir: Path) -> None:
    unknown = runner.invoke(app, ["alerts", "mute", "nope", "--series", "kfor"])
    assert unknown.exit_code == 1 and "troop-level-change" in unknown.output
    ok = runner.invoke(app, ["alerts", "mute", "incident-keywords", "--until", "2027-01-31"])
    assert ok.exit_code == 0 and "until 2027-01-31" in ok.output


def test_unknown_series_names_the_known_ones(data_dir: Path) -> None:
    result = runner.invoke(app, ["add", "S/2021/228", "--series", "nato"])
    assert result.exit_code == 1 and "known series: kfor" in result.output


def test_the_real_entry_point_prints_one_line_and_exits_1(data_dir: Path) -> None:
    exe = Path(sys.executable).parent / "reportwatch"
    proc = subprocess.run(
        [str(exe), "sql", "SELECT * FROM no_such_table"],
        capture_output=True, text=True, env={**os.environ, "REPORTWATCH_DATA_DIR": str(data_dir)},
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no_such_table" in lines[0]
