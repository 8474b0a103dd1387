"""Runs that survive ``kill -9``: a real ``reportwatch run`` killed at every stage boundary and
inside every stage, then run again, loses nothing and repeats nothing.

Each kill lands at a named pause point (tests/ops/killing.py) and is checked against what the
warehouse must hold at that instant. One story, in pipeline order, on one data folder: each run
resumes what the one before it left, and is killed further on. At the end every document is
loaded once, every alert raised once and delivered once per channel (Slack and SMTP sinks on
127.0.0.1), except the one message a channel accepted while its sender died before recording
it (runbook: "What a kill can and cannot do"), which arrives twice with the same Message-ID.
A reference run, never killed, says what "once" is. Also: two runs started together, and a
publish on a full tmpfs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from tests.ops.killing import WAIT, Operator, Sinks, process_group, wait_gone
from tests.ops.servers import PrefectServer, running_prefect_server, tail
from tests.slack_server import LoopbackWebhook
from tests.smtp_server import LoopbackSMTP

pytestmark = pytest.mark.slow
LAST_LOAD = "SELECT load_id FROM loads ORDER BY loaded_at DESC, load_id DESC LIMIT 1"


@dataclass(frozen=True)
class Reference:
    """What one uninterrupted run gives: the bar every killed story must meet exactly."""

    documents: set[str]
    alerts: set[str]
    slack: Counter[str]
    email_keys: Counter[str]
    oai_requests: int
    pdf_requests: int


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer(SAMPLES_DIR) as server:
        yield server


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """One Prefect API for the runs that do not test the temporary one (it costs seconds)."""
    with running_prefect_server(tmp_path_factory.mktemp("kill-prefect")) as server:
        yield server


@pytest.fixture
def sinks() -> Iterator[Sinks]:
    with LoopbackWebhook() as webhook, LoopbackSMTP() as smtp:
        yield Sinks(webhook, smtp)


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory, mirror: MirrorServer, prefect_api: PrefectServer
) -> Reference:
    with LoopbackWebhook() as webhook, LoopbackSMTP() as smtp:
        sinks = Sinks(webhook, smtp)
        operator = Operator(tmp_path_factory.mktemp("reference"), mirror, sinks,
                            prefect_api.api_url)  # fmt: skip
        mirror.reset_counts()
        operator.run()
        counts = mirror.counts()
        return Reference(
            documents={r[0] for r in operator.query("SELECT symbol FROM documents")},
            alerts={r[0] for r in operator.query("SELECT alert_key FROM alerts")},
            slack=sinks.slack(),
            email_keys=sinks.email_keys(),
            oai_requests=counts.get("oai", 0),
            pdf_requests=counts.get("pdf", 0),
        )


def test_the_reference_run_alerts_on_every_channel(reference: Reference) -> None:
    """The bar is not trivially met: documents, alerts and messages on both channels."""
    assert len(reference.documents) == 16 and reference.pdf_requests == 16
    assert len(reference.alerts) > 10
    assert reference.slack and set(reference.slack.values()) == {1}
    assert reference.email_keys and set(reference.email_keys.values()) == {1}


def crashed_line(status: str, pid: int) -> bool:
    """Status shows the killed run crashed, and why, before any run recorded it."""
    table = re.search(r"│ ing\w* +│ kfo\w* +│ crashed +│", status)
    why = re.search(rf"kfor run started [-0-9: ]+ crashed: its process \(pid {pid} on ", status)
    return table is not None and why is not None


def test_killed_at_every_boundary_and_inside_every_stage_nothing_is_lost_or_repeated(
    tmp_path: Path,
    mirror: MirrorServer,
    prefect_api: PrefectServer,
    sinks: Sinks,
    reference: Reference,
) -> None:
    op = Operator(tmp_path, mirror, sinks, prefect_api.api_url)
    killed: list[int] = []

    def kill(point: str, *, ephemeral: bool = False) -> None:
        killed.append(op.kill_at(point, ephemeral=ephemeral))
        status = op.status()  # before any run takes over: status must tell the truth
        assert crashed_line(status, killed[-1]) or point.startswith("publish"), status
        assert "running" not in status.replace("crashed", ""), status

    # discover: before it (with the temporary Prefect API: it must die with the CLI), inside it
    kill("discover", ephemeral=True)
    assert op.one("SELECT count(*) FROM candidates") == 0
    kill("discover:inside")  # its candidates and cursor were written, not committed
    assert op.one("SELECT count(*) FROM candidates") == 0
    assert op.one("SELECT count(*) FROM harvest_cursors") == 0

    # fetch
    kill("fetch")
    assert op.query("SELECT stage, count(*) FROM candidates GROUP BY ALL") == [("discovered", 16)]
    kill("fetch:inside")
    fetched = op.one("SELECT count(*) FROM candidates WHERE stage = 'fetched'")
    assert fetched >= 1
    mirror.reset_counts()
    kill("read")  # the rest is downloaded: exactly what was not recorded, nothing twice
    assert mirror.counts().get("pdf") == 16 - fetched
    assert op.query("SELECT stage, count(*) FROM candidates GROUP BY ALL") == [("fetched", 16)]

    # read, load
    kill("read:inside")
    mirror.reset_counts()
    kill("load")
    assert not mirror.counts().get("pdf")  # read again from the raw archive, no network
    assert op.one("SELECT count(*) FROM documents") == 0
    kill("load:inside#2")  # the first document committed, the second's transaction open
    assert op.one("SELECT count(*) FROM documents") == 1

    # detect
    kill("detect")
    assert op.one("SELECT count(*) FROM documents WHERE detected_at IS NULL") == 16
    assert op.one("SELECT count(*) FROM alerts") == 0
    # the run killed inside load was recorded crashed by this one, with what it left
    crash = op.one("SELECT error FROM runs WHERE pid = ?", [killed[-2]])
    assert crash.startswith(f"crashed: its process (pid {killed[-2]} on ")
    assert "15 downloaded file(s) not yet loaded, 1 loaded document(s) without" in crash
    kill("detect:inside")
    assert op.one("SELECT count(*) FROM alerts") == 0
    assert op.one("SELECT count(*) FROM documents WHERE detected_at IS NULL") == 16

    # notify
    kill("notify")
    assert op.one("SELECT count(*) FROM alerts WHERE queued_at IS NULL") == len(reference.alerts)
    assert op.one("SELECT count(*) FROM deliveries") == 0
    kill("notify:inside:slack")  # one Slack message sent and recorded, more to send
    assert len(sinks.webhook.posts) == 1
    assert op.one("SELECT count(*) FROM deliveries WHERE status = 'delivered' AND "
                  "channel = 'slack'") == 1  # fmt: skip
    kill("notify:sent:email")  # the mail server accepted the digest; its record never written
    assert len(sinks.smtp.mail) == 1
    in_flight = op.one("SELECT count(*) FROM deliveries WHERE status = 'sending'")
    assert in_flight == sum(reference.email_keys.values())
    status = op.status()  # the mail in flight is shown as such, beside what was handed over
    assert "alert(s) not yet handed to every channel" in status and "in flight" in status
    assert "Alerts not yet delivered: none" not in status and "sending" in status

    # publish: the runs completed (their end is recorded before the snapshot is published)
    kill("publish")
    assert "snapshot is behind" in op.status()
    kill("publish:inside")
    assert list(op.data_dir.glob(".snapshot.duckdb.*.tmp"))  # what a killed publish leaves
    assert not (op.data_dir / "snapshot.duckdb").exists()

    final = op.run()
    assert "completed" in final

    # -- what the whole story must add up to ----------------------------------------------
    assert {r[0] for r in op.query("SELECT symbol FROM documents")} == reference.documents
    assert op.query("SELECT count(*), count(DISTINCT symbol) FROM documents") == [(16, 16)]
    assert op.one("SELECT count(*) FROM loads WHERE kind = 'ingest'") == 16  # each loaded once
    assert {r[0] for r in op.query("SELECT alert_key FROM alerts")} == reference.alerts
    assert sinks.slack() == reference.slack  # each Slack message exactly once
    # email: every alert once, but the digest accepted while its sender died came twice,
    # with the same Message-ID so a mail client can fold it (the documented window)
    assert sinks.email_keys() == reference.email_keys + reference.email_keys
    assert len(sinks.smtp.mail) == 2 and len(set(sinks.message_ids())) == 1
    assert op.query("SELECT DISTINCT status FROM deliveries") == [("delivered",)]
    assert not op.query("SELECT 1 FROM alerts WHERE rule_kind = 'overdue'")  # no false overdue
    runs = Counter(r[0] for r in op.query("SELECT status FROM runs"))
    assert runs == {"crashed": 13, "completed": 3}
    for pid in killed[:13]:
        error = op.one("SELECT error FROM runs WHERE pid = ?", [pid])
        assert error.startswith(f"crashed: its process (pid {pid} on ")

    status = op.status()
    for stale in ("running", "unfinished", "stale", "snapshot is behind"):
        assert stale not in status, status
    assert not [p for p in op.data_dir.rglob("*") if p.name.endswith((".tmp", ".wal"))]

    # and the next run has nothing left to do
    mirror.reset_counts()
    posts, mails = len(sinks.webhook.posts), len(sinks.smtp.mail)
    idle = op.run()
    assert "loaded 0" in idle and "alerts raised 0" in idle and "channel deliveries 0" in idle
    assert not mirror.counts().get("pdf")
    assert (len(sinks.webhook.posts), len(sinks.smtp.mail)) == (posts, mails)


def test_two_runs_started_together_one_works_the_other_exits_at_once_naming_it(
    tmp_path: Path,
    mirror: MirrorServer,
    prefect_api: PrefectServer,
    sinks: Sinks,
    reference: Reference,
) -> None:
    op = Operator(tmp_path, mirror, sinks, prefect_api.api_url)
    mirror.reset_counts()
    runs = [op.start("fetch"), op.start("fetch")]
    deadline = time.monotonic() + WAIT
    while all(r.popen.poll() is None for r in runs):  # the loser stops, the winner pauses
        assert time.monotonic() < deadline, [tail(r.log) for r in runs]
        time.sleep(0.05)
    loser = next(r for r in runs if r.popen.poll() is not None)
    winner = next(r for r in runs if r is not loser)
    winner_pid = op.wait_paused(winner, "fetch")

    assert loser.popen.returncode == 1, loser.output()
    last = loser.output().strip().splitlines()[-1]
    assert last.startswith("error: kfor is already being run by run ")
    assert f"pid {winner_pid} on " in last and "heartbeat" in last
    assert not wait_gone(process_group(loser.popen.pid)), "the loser left processes"

    op.marker("fetch").unlink()  # let the winner carry on
    op.finish(winner)
    counts = mirror.counts()
    assert counts.get("oai") == reference.oai_requests  # the catalogue was harvested once
    assert counts.get("pdf") == reference.pdf_requests
    assert op.query("SELECT count(*), count(DISTINCT symbol) FROM documents") == [(16, 16)]
    assert sinks.slack() == reference.slack and sinks.email_keys() == reference.email_keys
    assert op.query("SELECT status, pid FROM runs") == [("completed", winner_pid)]


def test_a_stop_signal_ends_a_run_as_ctrl_c_does_and_the_next_run_finishes_it(
    tmp_path: Path, mirror: MirrorServer, sinks: Sinks, reference: Reference
) -> None:
    """`systemctl stop`, `timeout` and `kill` send SIGTERM: the run is recorded cancelled (not
    left `running` until someone takes it over), its temporary Prefect API goes with it."""
    op = Operator(tmp_path, mirror, sinks, api_url=None)
    run = op.start("fetch", ephemeral=True)
    op.wait_paused(run, "fetch")
    group = process_group(run.popen.pid)
    os.kill(run.popen.pid, signal.SIGTERM)
    assert run.popen.wait(timeout=WAIT) == 143, tail(run.log)
    last = run.output().strip().splitlines()[-1]
    assert last.startswith("cancelled: the kfor run was interrupted (SIGTERM: a stop signal)")
    assert "Traceback" not in run.output()
    assert not wait_gone(group - {run.popen.pid}), "the temporary Prefect API outlived the run"
    ((status, error),) = op.query("SELECT status, error FROM runs")
    assert status == "cancelled" and error.endswith("interrupted (SIGTERM: a stop signal)")
    assert op.query("SELECT count(*) FROM leases") == [(0,)]
    op.run()
    assert {r[0] for r in op.query("SELECT symbol FROM documents")} == reference.documents
    assert sinks.slack() == reference.slack and sinks.email_keys() == reference.email_keys


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 40 MB tmpfs (needs root or CAP_SYS_ADMIN: skipped, with the reason, without)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_publish_on_a_full_disk_is_reported_and_repaired_by_the_next_run(
    small_disk: Path, mirror: MirrorServer, prefect_api: PrefectServer, sinks: Sinks
) -> None:
    op = Operator(small_disk, mirror, sinks, prefect_api.api_url)
    op.run(as_of="2021-12-31")  # the reports catalogued by then; published on a roomy disk
    published = op.one(LAST_LOAD)

    run = op.start("publish")  # the rest of the reports: a snapshot to publish
    op.wait_paused(run, "publish")
    ballast = fill(small_disk, leave=2 * 1024 * 1024)  # less than one copy of the warehouse
    op.marker("publish").unlink()
    output = op.finish(run, expect=3)  # completed, degraded: analysts read stale data
    assert "(snapshot): not published: could not publish the snapshot" in output
    assert "degraded by: snapshot not published" in output
    assert "No space left on device" in output and "the next run publishes it again" in output
    assert not list(op.data_dir.glob(".snapshot.duckdb.*"))  # the failed copy was removed
    status = op.status()
    assert "snapshot is behind" in status and "No space left on device" in status
    assert f"reflects load {published}" in status  # analysts keep the previous snapshot

    ballast.unlink()
    quiet = op.run()  # changes nothing itself, but finds the snapshot behind and publishes
    assert "loaded 0" in quiet and "(snapshot)" not in quiet
    status = op.status()
    assert "snapshot is behind" not in status
    assert f"reflects load {op.one(LAST_LOAD)}" in status


def fill(folder: Path, *, leave: int) -> Path:
    """A ballast file that leaves ``leave`` bytes free on ``folder``'s filesystem."""
    stats = shutil.disk_usage(folder)
    ballast = folder / "ballast"
    with ballast.open("wb") as handle:
        handle.truncate(0)
        remaining = max(stats.free - leave, 0)
        chunk = b"\0" * (1 << 20)
        while remaining > 0:
            remaining -= handle.write(chunk[: min(len(chunk), remaining)])
    return ballast
