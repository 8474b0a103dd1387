"""``reportwatch demo`` and ``run`` as a person sees them: a line per stage, then what it means.

Output into a pipe (as here) gets one line per finished stage instead of progress bars; the
terminal's bars are driven in tests/cli/test_terminal.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.demo.mirror import MirrorServer
from tests.flows.conftest import point_at_mirror

pytestmark = pytest.mark.flow
runner = CliRunner()
STAGES = ("discover:", "fetch:", "extract:", "load:", "detect:", "notify:")


def stage_lines(output: str) -> dict[str, str]:
    return {line.split(":")[0]: line for line in output.splitlines() if line.startswith(STAGES)}


def test_the_second_demo_says_it_found_nothing_new_above_the_first_ones_alerts(
    tmp_path: Path,
) -> None:
    data = tmp_path / "demo"
    first = runner.invoke(app, ["demo", "--data-dir", str(data)])
    assert first.exit_code == 0, first.output
    # every series with a sample archive runs in turn: KFOR (16 reports), then MINURSO (5)
    kfor, minurso = first.output.split("run kfor: ")
    assert list(stage_lines(kfor)) == ["discover", "fetch", "extract", "load", "detect", "notify"]
    assert stage_lines(kfor)["fetch"].startswith("fetch: 16 fetched, 0 unchanged, 0 failed in ")
    assert stage_lines(kfor)["load"].startswith("load: 16 loaded, 0 quarantined, 0 rejected in ")
    assert stage_lines(minurso)["load"].startswith("load: 5 loaded, 0 quarantined, 0 rejected in ")
    assert "nothing new" not in first.output
    assert "KFOR: alerts raised so far, by every run" in first.output

    second = runner.invoke(app, ["demo", "--data-dir", str(data)])
    assert second.exit_code == 0, second.output
    assert "alerts raised 0" in second.output
    said = second.output.index(f"nothing new since the last demo in {data}")
    table = second.output.index("KFOR: alerts raised so far, by every run")
    assert said < table  # said before the table of what earlier runs raised
    assert "S/2023/966" in second.output[table:]  # that table still lists the first run's alerts
    for noise in ("prefect.io", "Task run", "do not exist", "Traceback"):
        assert noise not in first.output + second.output


def test_run_prints_a_line_per_stage_and_the_result(
    tmp_path: Path, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at_mirror(monkeypatch, mirror.base_url, tmp_path)
    result = runner.invoke(app, ["run", "--since", "2023-01-01", "--as-of", "2024-06-30"])
    assert result.exit_code == 0, result.output
    lines = stage_lines(result.output)
    assert lines["discover"].startswith("discover: 5 new document(s), 0 rejected in ")
    assert any(
        line.startswith("kfor: completed: discovered 5, fetched 5")
        for line in result.output.splitlines()
    )
