"""One run per series (the lease), takeover of a dead owner, fencing, and delivery claims.

Real DuckDB files; "dead" owners are real processes that have exited, "live" ones this test.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from reportwatch.errors import LeaseHeldError, LeaseLostError
from reportwatch.models import Candidate
from tests.alerts.test_notify_ledger import INCIDENT, TROOPS
from tests.factories import QUARTERS, fetched, report, text_for
from warehouse import open_writer
from warehouse.alerts import insert_alerts, queue_deliveries
from warehouse.claims import claim, release_gone, settle
from warehouse.documents import load_document
from warehouse.leases import acquire, heartbeat
from warehouse.owners import STALE_AFTER, holder
from warehouse.runs import claim_downloads, finish_run, record_discovery


def dead_pid() -> int:
    """The pid of a process that has run and been reaped."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def status_of(con, run_id: str) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    row = con.execute("SELECT status, error FROM runs WHERE run_id = ?", [run_id]).fetchone()
    return row[0], row[1]


def discover(con, *symbols: str) -> None:  # type: ignore[no-untyped-def]
    found = [Candidate(series="kfor", symbol=s, source="undl-oai") for s in symbols]
    record_discovery(con, series="kfor", source="undl-oai", found=found, rejected=[],
                     window_until=None, run_id=None)  # fmt: skip


def test_a_second_run_is_refused_while_the_owner_lives_and_named(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        acquire(con, series="kfor", run_id="first", flow="ingest")
        with pytest.raises(LeaseHeldError) as refused:
            acquire(con, series="kfor", run_id="second", flow="ingest")
        acquire(con, series="other", run_id="third", flow="ingest")  # another series: free
        runs = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
    line = refused.value.one_line()
    assert f"run first (ingest, pid {os.getpid()} on " in line and "heartbeat 0 s ago" in line
    assert refused.value.transient
    assert runs == {"first": "running", "third": "running"}  # the refused run left no row


def test_a_dead_owner_is_taken_over_at_once_marked_crashed_and_its_claims_released(
    tmp_path: Path,
) -> None:
    gone = dead_pid()
    with open_writer(tmp_path / "w.duckdb") as con:
        acquire(con, series="kfor", run_id="killed", flow="ingest", pid=gone)
        discover(con, "S/2023/1", "S/2023/2")
        assert len(claim_downloads(con, series="kfor", run_id="killed")) == 2
        rep = report("S/2023/1", *QUARTERS[0], 3800)
        load_document(con, fetched=fetched("S/2023/1"), text=text_for(rep), report=rep,
                      run_id="killed")  # fmt: skip
        insert_alerts(con, [TROOPS, INCIDENT], series="kfor", run_id="killed")
        queue_deliveries(con, channel="slack", keys=[TROOPS.key, INCIDENT.key], series="kfor")
        assert claim(con, channel="slack", keys=[TROOPS.key], owner="killed") == {TROOPS.key}

        taken = acquire(con, series="kfor", run_id="next", flow="ingest")
        status, error = status_of(con, "killed")
        counts = con.execute(
            "SELECT loaded, alerts_raised FROM runs WHERE run_id = 'killed'"
        ).fetchone()
        claims = con.execute("SELECT count(*) FROM candidates WHERE claimed_by IS NOT NULL")
        claimed = claims.fetchone()
        slack = dict(con.execute("SELECT alert_key, status FROM deliveries").fetchall())
        note = con.execute(
            "SELECT last_error FROM deliveries WHERE alert_key = ?", [TROOPS.key]
        ).fetchone()
        owner = holder(con, "kfor")
    assert status == "crashed" and taken.crashed["killed"] == error
    assert f"its process (pid {gone} on " in error
    assert "1 download(s) not done" in error  # S/2023/2; S/2023/1 is loaded
    assert "1 loaded document(s) without their alerts" in error
    assert "1 delivery(ies) in flight (each may arrive twice)" in error
    assert counts == (1, 2)  # what it did, from the rows its loads wrote
    assert claimed == (0,)
    assert slack == {TROOPS.key: "pending", INCIDENT.key: "pending"}
    assert "the channel may have accepted it" in note[0]
    assert owner is not None and owner.run_id == "next"


def test_a_stale_heartbeat_frees_the_lease_of_another_host_a_fresh_one_does_not(
    tmp_path: Path,
) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        acquire(con, series="kfor", run_id="far", flow="ingest", host="elsewhere", pid=1)
        with pytest.raises(LeaseHeldError):  # pid 1 means nothing on another host
            acquire(con, series="kfor", run_id="near", flow="ingest")
        old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - STALE_AFTER - dt.timedelta(seconds=5)
        con.execute("UPDATE leases SET heartbeat_at = ?", [old])
        taken = acquire(con, series="kfor", run_id="near", flow="ingest")
    assert "no heartbeat for 3 min (pid 1 on elsewhere)" in taken.crashed["far"]


def test_a_run_whose_lease_was_taken_over_cannot_write(tmp_path: Path) -> None:
    gone = dead_pid()
    with open_writer(tmp_path / "w.duckdb") as con:
        acquire(con, series="kfor", run_id="frozen", flow="ingest", pid=gone)
        discover(con, "S/2023/1")
        acquire(con, series="kfor", run_id="successor", flow="ingest")
        with pytest.raises(LeaseLostError, match="taken over by run successor"):
            heartbeat(con, series="kfor", run_id="frozen")
        with pytest.raises(LeaseLostError):
            claim_downloads(con, series="kfor", run_id="frozen")
        rep = report("S/2023/1", *QUARTERS[0], 3800)
        with pytest.raises(LeaseLostError):
            load_document(con, fetched=fetched("S/2023/1"), text=text_for(rep), report=rep,
                          run_id="frozen")  # fmt: skip
        documents = con.execute("SELECT count(*) FROM documents").fetchone()
        # the frozen run records its end without touching the successor's lease
        finish_run(con, run_id="frozen", status="failed", counts={}, stage_seconds={},
                   series="kfor")  # fmt: skip
        owner = holder(con, "kfor")
    assert documents == (0,)
    assert owner is not None and owner.run_id == "successor"


def test_a_run_ends_by_recording_its_outcome_and_giving_the_lease_back(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        acquire(con, series="kfor", run_id="one", flow="ingest")
        discover(con, "S/2023/1")
        claim_downloads(con, series="kfor", run_id="one")
        finish_run(con, run_id="one", status="completed", counts={"loaded": 1},
                   stage_seconds={}, series="kfor")  # fmt: skip
        assert holder(con, "kfor") is None
        claimed = con.execute("SELECT claimed_by FROM candidates").fetchone()
        acquire(con, series="kfor", run_id="two", flow="ingest")  # free at once, nothing crashed
        statuses = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
    assert claimed == (None,)
    assert statuses == {"one": "completed", "two": "running"}


def test_two_claimers_never_both_send_one_delivery_and_a_dead_claim_comes_back(
    tmp_path: Path,
) -> None:
    with open_writer(tmp_path / "w.duckdb") as con:
        insert_alerts(con, [TROOPS, INCIDENT], series="kfor", run_id=None)
        queue_deliveries(con, channel="slack", keys=[TROOPS.key, INCIDENT.key], series="kfor")
        first = claim(con, channel="slack", keys=[TROOPS.key, INCIDENT.key], owner="a")
        second = claim(con, channel="slack", keys=[TROOPS.key, INCIDENT.key], owner="b")
        assert settle(con, channel="slack", keys=[TROOPS.key], owner="b", ok=True) == 0
        assert settle(con, channel="slack", keys=[TROOPS.key], owner="a", ok=True) == 1
        # "a" dies before recording INCIDENT: its process is gone
        con.execute("UPDATE deliveries SET claim_pid = ? WHERE claimed_by = 'a'", [dead_pid()])
        assert release_gone(con, series="kfor") == 1
        rows = dict(con.execute("SELECT alert_key, status FROM deliveries").fetchall())
    assert first == {TROOPS.key, INCIDENT.key} and second == set()
    assert rows == {TROOPS.key: "delivered", INCIDENT.key: "pending"}
