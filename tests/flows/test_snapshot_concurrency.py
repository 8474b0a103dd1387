"""Analysts are never blocked by ingestion, and ingestion is never blocked by analysts.

Two readers in other processes query ``snapshot.duckdb`` every 0.1 s while the real ingestion
flow loads new reports: one holds a single connection open the whole time, the other opens a
fresh connection for every query. Neither may ever see an error; the flow must complete; the
held connection keeps answering from the snapshot it opened (consistently); a fresh reader
after the run sees the new data.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.ingest import ingest
from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from warehouse import open_reader, open_writer
from warehouse.snapshot import publish

pytestmark = pytest.mark.flow

# The reader prints one line per query: "ok <documents> <load id>" or "error <what>". When the
# stop file appears it runs one last query and exits, so its last line is after the run.
READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from warehouse import connect

    path, mode, stop = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])

    def ask(con):
        docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        load = con.execute("SELECT load_id FROM snapshot_info").fetchone()[0]
        return f"ok {docs} {load}"

    held = connect(path, read_only=True) if mode == "hold" else None
    while True:
        stopping = stop.exists()
        try:
            if held is not None:
                line = ask(held)
            else:
                con = connect(path, read_only=True)
                try:
                    line = ask(con)
                finally:
                    con.close()
        except Exception as exc:
            line = f"error {type(exc).__name__}: {exc}"
        print(line, flush=True)
        if stopping:
            break
        time.sleep(0.1)
    if held is not None:
        held.close()
    """
)


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer(SAMPLES_DIR) as server:
        yield server


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: MirrorServer) -> Path:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPORTWATCH_UNDL_URL", mirror.base_url)
    monkeypatch.setenv("REPORTWATCH_ODS_URL", mirror.base_url)
    monkeypatch.setenv("REPORTWATCH_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("REPORTWATCH_MIN_REQUEST_INTERVAL", "0")
    return tmp_path


def _start_reader(
    script: Path, snapshot: Path, mode: str, stop: Path
) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(script), str(snapshot), mode, str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()  # wait until it really has the snapshot open
    assert first.startswith("ok "), first + (proc.stderr.read() if proc.stderr else "")
    return proc, first.strip()


def _finish(proc: subprocess.Popen[str], first_line: str) -> list[str]:
    out, err = proc.communicate(timeout=120)  # a safety net, not an assertion on time
    assert proc.returncode == 0, err
    return [first_line, *out.splitlines()]


def test_readers_in_other_processes_never_block_or_fail_while_a_flow_loads(
    data_dir: Path, tmp_path: Path
) -> None:
    snapshot = data_dir / "snapshot.duckdb"
    # an empty, migrated warehouse published as the first snapshot (cheaper than a first run)
    with open_writer(data_dir / "warehouse.duckdb"):
        pass
    publish(data_dir / "warehouse.duckdb", snapshot)
    old_count = 0

    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    stop = tmp_path / "stop"
    holding, held_first = _start_reader(script, snapshot, "hold", stop)
    reopening, fresh_first = _start_reader(script, snapshot, "reopen", stop)
    try:
        after = ingest(series="kfor", since=dt.date(2020, 1, 1), as_of=dt.date(2024, 6, 30))
    finally:
        stop.touch()
        held_lines = _finish(holding, held_first)
        fresh_lines = _finish(reopening, fresh_first)

    assert after["status"] == "completed" and after["loaded"] > 0
    new_count = old_count + after["loaded"]
    errors = [line for line in held_lines + fresh_lines if not line.startswith("ok ")]
    assert errors == []

    # the held connection answered from the snapshot it opened, unchanged, throughout
    held = {tuple(line.split()[1:]) for line in held_lines}
    assert len(held) == 1 and int(next(iter(held))[0]) == old_count

    # connections opened during the run saw whole snapshots, each at least as new as the last
    counts = [int(line.split()[1]) for line in fresh_lines]
    assert counts == sorted(counts) and old_count <= counts[0] and counts[-1] <= new_count
    assert counts[-1] == new_count  # its last query came after the run

    # and a fresh reader now sees the new data, stamped with the run's last load
    with open_reader(snapshot) as con:
        docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        stamp = con.execute("SELECT load_id FROM snapshot_info").fetchone()[0]
    with open_reader(data_dir / "warehouse.duckdb") as con:
        last_load = con.execute(
            "SELECT load_id FROM loads ORDER BY loaded_at DESC, load_id DESC LIMIT 1"
        ).fetchone()[0]
    assert docs == new_count == 16 and stamp == last_load
