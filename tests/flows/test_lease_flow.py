"""The ingestion flow and the series' lease: a live holder makes a run stop at once, naming it;
a dead holder is taken over and recorded as crashed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from flows.ingest import ingest, raise_if_skipped
from reportwatch.demo.mirror import MirrorServer
from reportwatch.errors import LeaseHeldError
from reportwatch.settings import load_settings
from tests.flows.conftest import point_at_mirror
from warehouse import open_reader, open_writer
from warehouse.leases import acquire

pytestmark = pytest.mark.flow
AS_OF = dt.date(2024, 6, 30)


@pytest.fixture(autouse=True)
def _point_at_mirror(monkeypatch: pytest.MonkeyPatch, mirror: MirrorServer, data_dir: Path) -> None:
    point_at_mirror(monkeypatch, mirror.base_url, data_dir)


def runs(data_dir: Path) -> dict[str, str]:
    with open_reader(data_dir / "warehouse.duckdb") as con:
        return dict(con.execute("SELECT run_id, status FROM runs").fetchall())


def test_a_run_finding_a_live_holder_stops_at_once_and_names_it(
    mirror: MirrorServer, data_dir: Path
) -> None:
    with open_writer(load_settings().warehouse_path) as con:  # this process: alive
        acquire(con, series="kfor", run_id="holder", flow="ingest")
    mirror.reset_counts()
    result = ingest(series="kfor", since=dt.date(2020, 1, 1), as_of=AS_OF, lease_wait=0)
    assert result["status"] == "skipped" and result["loaded"] == 0
    assert mirror.counts() == {}  # the catalogue was not harvested a second time
    with pytest.raises(LeaseHeldError, match=rf"run holder \(ingest, pid {os.getpid()} on "):
        raise_if_skipped(result)
    assert runs(data_dir) == {"holder": "running"}  # the skipped run left no row

    cli = CliRunner().invoke(app, ["run", "--series", "kfor", "--as-of", "2024-06-30"])
    assert cli.exit_code == 1
    assert cli.output.startswith("error: kfor is already being run by run holder (ingest, pid ")
    assert len(cli.output.strip().splitlines()) == 1


def test_a_dead_holder_is_taken_over_and_recorded_crashed(
    mirror: MirrorServer, data_dir: Path
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    with open_writer(load_settings().warehouse_path) as con:
        con.execute("UPDATE leases SET pid = ?", [gone.pid])
        con.execute("UPDATE runs SET pid = ?", [gone.pid])
    result = ingest(series="kfor", since=dt.date(2020, 1, 1), as_of=AS_OF)
    assert result["status"] == "completed" and result["loaded"] == 16
    statuses = runs(data_dir)
    assert statuses.pop("holder") == "crashed" and set(statuses.values()) == {"completed"}
    with open_reader(data_dir / "warehouse.duckdb") as con:
        error = con.execute("SELECT error FROM runs WHERE run_id = 'holder'").fetchone()[0]
        leases = con.execute("SELECT count(*) FROM leases").fetchone()
    assert error.startswith(f"crashed: its process (pid {gone.pid} on ")
    assert leases == (0,)  # the run that took over gave the lease back when it ended


def test_a_backfill_says_it_waits_for_the_lease_and_names_the_holder_if_it_never_frees(
    mirror: MirrorServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("flows.ingest.BACKFILL_LEASE_WAIT", 0.5)
    with open_writer(load_settings().warehouse_path) as con:  # this process: alive
        acquire(con, series="kfor", run_id="holder", flow="ingest")
    cli = CliRunner().invoke(
        app, ["backfill", "--series", "kfor", "--from", "2020-01-01", "--to", "2020-12-31"]
    )
    lines = cli.output.strip().splitlines()
    assert lines[0].startswith("waiting: kfor is already being run by run holder (ingest, pid ")
    assert lines[0].endswith(
        "the backfill starts when it ends (at most 0.5 s; Ctrl-C stops waiting)"
    )
    assert cli.exit_code == 1 and lines[-1].startswith("error: kfor is already being run by")
    assert "WARNING" not in cli.output  # no Prefect log line beside the CLI's own
    with open_reader(data_dir / "warehouse.duckdb") as con:
        assert con.execute("SELECT count(*) FROM runs WHERE flow = 'backfill'").fetchone() == (0,)


def test_a_scheduled_run_waits_for_the_lease_then_fails_naming_the_holder(
    mirror: MirrorServer, data_dir: Path
) -> None:
    """A deployment's run meeting a backfill window: never a green run that did nothing."""
    with open_writer(load_settings().warehouse_path) as con:
        con.execute("DELETE FROM leases")
        acquire(con, series="kfor", run_id="window", flow="backfill")
    mirror.reset_counts()
    state = ingest(series="kfor", as_of=AS_OF, lease_wait=0.5, return_state=True)
    assert state.is_failed()
    with pytest.raises(LeaseHeldError, match=r"kfor is already being run by run window \(backfill"):
        state.result()
    assert mirror.counts() == {}
