"""``--help`` is written for people: every option explained, dates as YYYY-MM-DD, no type jargon."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from tests.cli.test_main import commands

runner = CliRunner()
COMMANDS = sorted(commands())


@pytest.mark.parametrize("path", COMMANDS)
def test_every_option_and_argument_has_help(path: str) -> None:
    command = commands()[path]
    assert command.help, f"{path} has no help"
    for param in command.params:
        assert getattr(param, "help", None), f"{path}: {param.name} has no help"


@pytest.mark.parametrize("path", ["", *COMMANDS])
def test_help_shows_no_format_codes_types_or_times(path: str) -> None:
    result = runner.invoke(app, [*path.split(), "--help"])
    assert result.exit_code == 0
    for jargon in ("%Y", "<bool>", "<%", "00:00:00", "DATETIME", "int range", "[default: ("):
        assert jargon not in result.output, f"{path or 'reportwatch'} --help shows {jargon!r}"


def test_dates_are_shown_and_defaulted_as_days() -> None:
    result = runner.invoke(app, ["backfill", "--help"])
    assert "--from YYYY-MM-DD" in result.output and "[default: 2000-01-01]" in result.output
    assert "--since YYYY-MM-DD" in runner.invoke(app, ["run", "--help"]).output
