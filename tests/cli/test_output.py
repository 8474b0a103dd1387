"""Data is shown exactly as stored: no markup, no emoji, no control codes, identifiers kept whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flows.cli.main import app

runner = CliRunner()
TRICKY = (
    "SELECT '[sic] as printed' AS quoted, ':x: and :thumbs_up:' AS colons, "
    "'closing [/bold] tag' AS tag, '[link=http://x]y[/link]' AS link"
)


def refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_brackets_and_colons_print_as_stored(data_dir: Path, fmt: str) -> None:
    result = runner.invoke(app, ["sql", TRICKY, "--format", fmt])
    assert result.exit_code == 0, result.output
    for stored in ("[sic] as printed", ":x: and :thumbs_up:", "closing [/bold] tag",
                   "[link=http://x]y[/link]"):  # fmt: skip
        assert stored in result.output
    assert "❌" not in result.output and "👍" not in result.output


def test_json_is_valid_json_with_null_for_nan_and_infinity(data_dir: Path) -> None:
    statement = (
        "SELECT 'nan'::DOUBLE AS nan, 'inf'::DOUBLE AS inf, '-inf'::DOUBLE AS minus_inf, "
        "1.25::DOUBLE AS x, 2.5::DECIMAL(4, 1) AS d, NULL AS nothing, DATE '2024-06-30' AS day, "
        "[1, 2] AS list"
    )
    result = runner.invoke(app, ["sql", statement, "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output, parse_constant=refuse_constant)
    assert row == {"nan": None, "inf": None, "minus_inf": None, "x": 1.25, "d": 2.5,
                   "nothing": None, "day": "2024-06-30", "list": [1, 2]}  # fmt: skip


def test_values_print_as_duckdb_prints_them(data_dir: Path) -> None:
    statement = (
        "SELECT 4500 AS an_integer, 4500.0::DOUBLE AS a_double, true AS yes, NULL AS nothing, "
        "'nan'::DOUBLE AS nan"
    )
    table = runner.invoke(app, ["sql", statement])
    cells = [c.strip() for c in table.output.splitlines()[3].strip("│").split("│")]
    assert cells == ["4500", "4500.0", "true", "NULL", "NaN"]
    csv_out = runner.invoke(app, ["sql", statement, "-f", "csv"])
    assert csv_out.output.splitlines()[1] == "4500,4500.0,true,,NaN"


def test_control_characters_are_shown_not_sent_to_the_terminal(data_dir: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT chr(27) || '[31mred' || chr(7) AS s"])
    assert result.exit_code == 0
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b[31mred\\x07" in result.output


def test_the_readmes_search_keeps_symbols_and_pages_whole_at_100_columns(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    result = runner.invoke(
        app,
        ["sql", "SELECT symbol, page, paragraph, snippet FROM search_paragraphs('troops') LIMIT 5"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    rows = [line for line in lines if line.startswith("│ S/")]
    assert sorted(r.split("│")[1].strip() for r in rows) == ["S/2023/179", "S/2023/668"]
    assert all(r.split("│")[2].strip() == "3" for r in rows)  # the page, whole


def test_a_terminal_too_narrow_for_a_table_gets_one_record_per_row(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    statement = (
        "SELECT symbol, period_start, period_end, value, evidence_text FROM observations "
        "WHERE metric = 'troops_total' ORDER BY period_end"
    )
    result = runner.invoke(app, ["sql", statement])
    assert result.exit_code == 0, result.output
    assert "-[ row 1 ]" in result.output and "-[ row 2 ]" in result.output
    assert any(line.split() == ["symbol", "S/2023/668"] for line in result.output.splitlines())
    assert max(len(line) for line in result.output.splitlines()) <= 50


def test_help_texts_print_as_written() -> None:
    result = runner.invoke(app, ["chart", "--help"])
    assert "pip install 'reportwatch[charts]'" in result.output
