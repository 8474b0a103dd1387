"""The CLI: every command has help and a documented example; errors are one line, exit 1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from tests.factories import QUARTERS, fetched, report, text_for
from warehouse import open_writer
from warehouse.documents import load_document
from warehouse.snapshot import publish

runner = CliRunner()
GROUPS = {"alerts", "sources"}
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    with open_writer(tmp_path / "warehouse.duckdb") as con:
        for i, (troops, symbol) in enumerate([(3800, "S/2023/179"), (4500, "S/2023/668")]):
            rep = report(symbol, *QUARTERS[i + 2], troops)
            load_document(
                con, fetched=fetched(symbol, symbol.encode()), text=text_for(rep), report=rep
            )
    publish(tmp_path / "warehouse.duckdb", tmp_path / "snapshot.duckdb")
    return tmp_path


def _commands() -> list[str]:
    result = runner.invoke(app, ["--help"])
    names = re.findall(r"│ (\w[\w-]*)\s", result.output)
    return [n for n in names if n not in ("help",)]


def test_every_command_has_help_and_appears_in_the_readme() -> None:
    commands = _commands()
    assert {"run", "demo", "extract", "sql", "status", "reprocess", "add", "alerts"} <= set(
        commands
    )
    readme = README.read_text(encoding="utf-8")
    for name in commands:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output or name in GROUPS, name
        assert f"reportwatch {name}" in readme, f"{name} is not documented in the README"


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
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path / "empty"))
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert "reportwatch demo" in result.output and result.output.count("\n") == 1


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
