"""``reportwatch status`` says where it read from and why, and never guesses that a run is loading."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app

runner = CliRunner()


@pytest.fixture
def holder(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process with the warehouse open for writing (a DuckDB shell, a run)."""
    code = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(data_dir / 'warehouse.duckdb')!r})\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_with_nobody_holding_it_status_reads_the_warehouse_and_says_nothing_of_runs(
    data_dir: Path,
) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "S/2023/668" in result.output and "snapshot reflects load" in result.output
    assert "holds" not in result.output and "read from the analysts' snapshot" not in result.output


def test_a_held_warehouse_is_named_with_the_process_that_holds_it(
    data_dir: Path, holder: subprocess.Popen[str]
) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "S/2023/668" in result.output
    assert (
        f"(read from the analysts' snapshot: another process (PID {holder.pid}, " in result.output
    )
    assert "a run holds" not in result.output


def test_a_snapshot_alone_says_there_is_no_warehouse_beside_it(data_dir: Path) -> None:
    (data_dir / "warehouse.duckdb").unlink()
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "(read from the analysts' snapshot: there is no warehouse.duckdb beside it)" in (
        result.output
    )


def test_last_runs_show_their_counts_in_one_readable_cell(data_dir: Path) -> None:
    from warehouse import open_writer
    from warehouse.leases import acquire
    from warehouse.runs import finish_run

    with open_writer(data_dir / "warehouse.duckdb") as con:
        acquire(con, series="kfor", run_id="r1", flow="ingest")
        finish_run(con, run_id="r1", status="cancelled", counts={"discovered": 16, "fetched": 3},
                   stage_seconds={}, error="fetch: interrupted (Ctrl-C)", series="kfor")  # fmt: skip
    result = runner.invoke(app, ["status"])
    (line,) = [row for row in result.output.splitlines() if "cancelled" in row]
    assert "16 discovered, 3 fetched, 0 unchanged, 0 loaded" in line
    assert "fetch: interrupted" in result.output  # why it did not complete
