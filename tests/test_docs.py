"""The docs agree with the code: every command line they show exists, with its options, and
every setting they name is one (after sqlite-utils' tests/test_docs.py).

A command line is a line of code (a fenced block or an inline code span) that starts with
``reportwatch`` or ``$ reportwatch``. Every command the app has must appear in the README
(tests/cli/test_main.py); this file checks the other direction, in README.md and docs/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from flows.cli.main import app
from reportwatch.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)
# Named in the docs but not settings of reportwatch itself, with why.
NOT_SETTINGS = {
    "REPORTWATCH_CODE_DIR": "the deployments' pull step: where the code is checked out",
    "REPORTWATCH_REALPDF_DIR": "tests: where the real ODS PDFs are (default ../shared/realpdf)",
}


def command_lines() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for match in CODE.finditer(doc.read_text(encoding="utf-8")):
            for line in (match.group(1) or match.group(2)).splitlines():
                line = line.strip().removeprefix("$ ")
                if line.startswith("reportwatch "):
                    found.append((doc.name, line))
    return found


def _root() -> Any:
    return typer.main.get_command(app)


def _options(command: Any) -> set[str]:
    return {name for param in command.params for name in getattr(param, "opts", [])}


def resolve(line: str) -> tuple[Any, list[str]] | None:
    """The command a line runs and its words after the command; None if it runs none."""
    words = line.split()[1:]
    command = _root()
    while words and words[0].startswith("-"):  # global options: -v, --version
        assert words[0] in _options(command) | {"--help"}, f"no global option {words[0]}"
        words = words[1:]
    if not words or not re.fullmatch(r"[a-z][a-z-]*", words[0]):
        return None  # a message that starts with the name ("reportwatch · 3 alerts ...")
    while hasattr(command, "commands"):
        assert words and words[0] in command.commands, f"{line!r}: no command {words[:1]}"
        command, words = command.commands[words[0]], words[1:]
    return command, words


LINES = command_lines()


def test_the_docs_show_command_lines() -> None:
    assert len(LINES) > 50  # the scan finds them (a test that cannot fail proves nothing)
    assert any(line.startswith("reportwatch alerts list") for _, line in LINES)


def check(doc: str, line: str) -> None:
    resolved = resolve(line)
    if resolved is None:
        return
    command, words = resolved
    known = _options(command) | {"--help"}
    for word in re.findall(r"(?<![\w-])--?[a-z][\w-]*", " ".join(words)):
        if word.startswith("--") or len(word) == 2:
            assert word in known, f"{doc}: {line!r}: {word} is not an option of that command"


@pytest.mark.parametrize(("doc", "line"), LINES, ids=[f"{d}: {x[:60]}" for d, x in LINES])
def test_each_documented_command_and_option_exists(doc: str, line: str) -> None:
    check(doc, line)


def test_each_setting_the_docs_name_exists() -> None:
    named = {
        name
        for doc in DOCS
        for name in re.findall(r"REPORTWATCH_[A-Z_]+[A-Z]", doc.read_text(encoding="utf-8"))
    }
    settings = {f"REPORTWATCH_{field.upper()}" for field in Settings.model_fields}
    assert "REPORTWATCH_DATA_DIR" in named
    assert named - settings - set(NOT_SETTINGS) == set()


def test_a_wrong_command_or_option_would_be_caught() -> None:
    with pytest.raises(AssertionError, match="no command"):
        resolve("reportwatch alerts silence RULE")
    check("README.md", "reportwatch run --since 2024-01-01")
    with pytest.raises(AssertionError, match="--until is not an option"):
        check("README.md", "reportwatch run --until 2024-01-01")
