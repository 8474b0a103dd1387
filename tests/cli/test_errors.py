"""Every command with bad input: one line ``error: what (what to do)``, exit 1 (2 for usage).

Never a traceback, never Click's usage block. The cases are the ones people hit: empty SQL, an
output path in a missing or unwritable place, a negative limit, a busy or impossible port, a
data folder that is mistyped or cannot be created, an impossible date, an unknown series.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app

runner = CliRunner()

# (arguments, exit code, what the one line must say); {tmp}, {file} and {busy} are filled in
BAD_INPUT: list[tuple[list[str], int, str]] = [
    (["sql", ""], 1, "no SQL statement given"),
    (["sql", " ; "], 1, "no SQL statement given"),
    (["sql", "SELECT 1", "--out", "{tmp}/no/such/dir/x.csv"], 1, "does not exist"),
    (["sql", "SELECT 1", "--out", "{file}/x.csv"], 1, "is not a folder"),
    (["sql", "SELECT 1", "--format", "xml"], 2, "'xml' is not one of 'table', 'csv', 'json'"),
    (["sql", "SELEC 1"], 1, 'syntax error at or near "SELEC"'),
    (["sql", "SELECT * FROM nowhere"], 1, 'reportwatch sql "SHOW TABLES" lists the tables'),
    (["sql"], 2, "missing argument"),
    (["export", "--out", "{file}"], 1, "is a file"),
    (["export", "--out", "{file}/sub"], 1, "cannot write the export to"),
    (
        ["export", "--series", "nope", "--out", "{tmp}/e"],
        1,
        "no series 'nope' (known series: kfor, minurso)",
    ),
    (["export", "--format", "xlsx", "--out", "{tmp}/e"], 2, "'xlsx' is not one of"),
    (["chart", "budget"], 1, "no chart called 'budget' for kfor"),
    (["chart", "troops", "--out", "{file}/t.png"], 1, "{file} is not a folder"),
    (["chart", "troops", "--out", "{file}/sub/t.png"], 1, "cannot create the folder"),
    (["report", "--out", "{file}/r.html"], 1, "{file} is not a folder"),
    (["report", "--series", "nato", "--out", "{tmp}/r.html"], 1, "no loaded reports for series"),
    (["alerts", "list", "--limit", "-5"], 2, "-5 is out of range (it must be at least 1)"),
    (["alerts", "list", "--limit", "many"], 2, "'many' is not a whole number"),
    (["alerts", "list", "--series", "nope"], 1, "no series 'nope' (known series: kfor, minurso)"),
    (["alerts", "list", "--severity", "urgent"], 2, "'urgent' is not one of"),
    (["alerts", "mute", "nope"], 1, "series kfor has no rule 'nope'"),
    (["alerts", "mute", "incident-keywords", "--until", "2027-02-30"], 2, "is not a date"),
    (["alerts", "mute", "incident-keywords", "--until", "2020-01-01"], 1, "is in the past"),
    (["alerts", "unmute", "incident-keywords"], 1, "incident-keywords is not muted for kfor"),
    (["alerts", "test", "--channel", "pigeon"], 2, "'pigeon' is not one of"),
    (["run", "--since", "2024-13-01"], 2, "'2024-13-01' is not a date (use YYYY-MM-DD"),
    (["run", "--as-of", "yesterday"], 2, "'yesterday' is not a date"),
    (["run", "--series", "nato"], 1, "no series 'nato'"),
    (["run", "--data-dir", "{file}/data"], 1, "cannot create the data folder"),
    (["run", "--frobnicate"], 2, "no such option"),
    (["backfill", "--from", "2024-01-02", "--to", "2024-01-01"], 1, "is before --from"),
    (["backfill", "--from", "01/02/2024"], 2, "'01/02/2024' is not a date"),
    (["demo", "--port", "70000"], 2, "70000 is out of range (it must be from 0 to 65535)"),
    (["demo", "--port", "{busy}"], 1, "is in use (choose another --port"),
    (["demo", "--data-dir", "{file}/data"], 1, "cannot create the data folder"),
    (["add", "A/RES/1"], 1, "'A/RES/1' is not a Security Council symbol"),
    (["add", "S/2021/228", "--data-dir", "{tmp}/typo"], 1, "no warehouse in {tmp}/typo"),
    (["reprocess", "--data-dir", "{tmp}/typo"], 1, "no warehouse in {tmp}/typo"),
    (["status", "--data-dir", "{tmp}/typo"], 1, "no warehouse in {tmp}/typo"),
    (["sql", "SELECT 1", "--data-dir", "{tmp}/typo"], 1, "no warehouse in {tmp}/typo"),
    (["alerts", "list", "--data-dir", "{tmp}/typo"], 1, "no warehouse in {tmp}/typo"),
    (["alerts", "mute", "restatement", "--data-dir", "{tmp}/typo"], 1, "no warehouse in"),
    (["export", "--out", "{tmp}/e", "--data-dir", "{tmp}/typo"], 1, "no warehouse in"),
    (["extract", "{tmp}/nope.pdf"], 1, "no file at {tmp}/nope.pdf"),
    (["extract", "{file}"], 1, "cannot read {file}: {file} looks like plain text, not a PDF"),
    (["sources", "check", "--kind", "rss"], 1, "unknown source kind 'rss'"),
    (["sources", "list", "--series", "nope"], 1, "no series 'nope'"),
    (["frobnicate"], 2, "no such command 'frobnicate'"),
]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "code", "says"), BAD_INPUT, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_bad_input_is_one_line_saying_what_to_do(
    args: list[str], code: int, says: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory,
    busy_port: int,
) -> None:  # fmt: skip
    tmp = tmp_path_factory.mktemp("elsewhere")
    a_file = tmp / "a-file"
    a_file.write_text("not a folder, not a PDF")
    fill = {"tmp": str(tmp), "file": str(a_file), "busy": str(busy_port)}
    result = runner.invoke(app, [arg.format(**fill) for arg in args])
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and says.format(**fill) in lines[0], lines[0]
    if code == 2:  # where to read how it is used
        assert lines[0].endswith("--help`)") and "(see `reportwatch " in lines[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only folder")
@pytest.mark.parametrize("command", [["run"], ["demo"], ["add", "S/2021/228"], ["reprocess"]])
def test_a_read_only_data_folder_is_one_line(command: list[str], data_dir: Path) -> None:
    data_dir.chmod(0o555)
    try:
        result = runner.invoke(app, [*command, "--data-dir", str(data_dir)])
    finally:
        data_dir.chmod(0o755)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "REPORTWATCH_DATA_DIR" in result.output


def test_a_bad_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTWATCH_MAX_PAGES", "lots")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith("error: REPORTWATCH_MAX_PAGES='lots' is invalid")


def test_no_arguments_prints_the_help_and_version_prints_the_version() -> None:
    bare = runner.invoke(app, [])
    assert (
        bare.exit_code == 0 and "Usage: reportwatch" in bare.output and "error" not in bare.output
    )
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("reportwatch 0.")


@pytest.mark.parametrize("command", [["run"], ["backfill", "--from", "2024-01-01"]])
def test_a_mistyped_source_kind_is_one_line_naming_the_file_before_any_run(
    command: list[str], data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from reportwatch.series import BUNDLED_SERIES_DIR

    series_dir = tmp_path / "series"
    shutil.copytree(BUNDLED_SERIES_DIR, series_dir)
    path = series_dir / "kfor.yaml"
    path.write_text(path.read_text().replace("kind: undl-oai", "kind: undl-oia"))
    monkeypatch.setenv("REPORTWATCH_SERIES_DIR", str(series_dir))
    result = CliRunner().invoke(app, [*command, "--series", "kfor"])
    assert result.exit_code == 1
    assert result.output == (
        f"error: {path}: series kfor: unknown source kind 'undl-oia' (known kinds: "
        "drop-folder, ods, reliefweb, symbol-list, undl-api, undl-oai)\n"
    )  # no failed run, no ops message box: a person at the terminal gets the one line
