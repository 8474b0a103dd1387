"""Two ingestions of one series at once (a scheduled run and an operator's manual one).

No Prefect server coordinates them: each `reportwatch run` has its own ephemeral API, so only
the warehouse stands between them: the series' lease lets one run work at a time. Meanwhile an
analyst queries the snapshot in a loop. Whichever starts first works; the other either exits at
once naming it (they overlapped) or runs after it and finds nothing left to do. Every document
is loaded once in total, two runs of the series never worked at the same time, and the analyst
never sees an error. (tests/ops/test_kill.py makes the overlap certain with a pause point.)
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from pathlib import Path

import pytest

from reportwatch.demo import BUNDLED_FACTS
from reportwatch.demo.mirror import MirrorServer
from reportwatch.demo.samples.facts import load_facts
from tests.ops.conftest import reportwatch_env
from tests.ops.servers import REPORTWATCH, clean_env, start_process, tail
from warehouse import open_reader

pytestmark = pytest.mark.scale

FACTS = load_facts(BUNDLED_FACTS)
LOADED = re.compile(r"\bloaded (\d+)")


class SnapshotReader(threading.Thread):
    """An analyst: query the snapshot again and again, as `reportwatch sql` does."""

    def __init__(self, snapshot: Path) -> None:
        super().__init__(daemon=True)
        self.snapshot = snapshot
        self.stop_event = threading.Event()
        self.queries = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop_event.is_set():
            if not self.snapshot.exists():  # nothing published yet: nothing to read
                time.sleep(0.05)
                continue
            try:
                with open_reader(self.snapshot) as con:
                    con.execute("SELECT count(*) FROM documents").fetchone()
                    con.execute("SELECT * FROM troop_levels").fetchall()
                self.queries += 1
            except Exception as exc:  # any error is what the analyst would see
                self.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.02)


def test_two_overlapping_runs_load_each_document_once_and_the_analyst_never_errors(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    reader = SnapshotReader(data_dir / "snapshot.duckdb")
    reader.start()
    runs = []
    for name in ("scheduled-run", "manual-run"):
        home = tmp_path / f"{name}-prefect-home"  # separate machines' worth of Prefect state
        env = clean_env(
            {**reportwatch_env(mirror, data_dir), "PREFECT_HOME": str(home),
             "PREFECT_LOGGING_LEVEL": "WARNING",
             # two ephemeral APIs starting at once on 2 busy cores can take longer than
             # Prefect's default 20 s (docs/runbook.md, "Timed out ... ephemeral")
             "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
        )  # fmt: skip
        command = [REPORTWATCH, "run", "--series", "kfor", "--since", "2020-01-01",
                   "--as-of", "2024-06-30"]  # fmt: skip
        runs.append(start_process(name, command, env=env, log_dir=tmp_path))
    try:
        codes = [run.popen.wait(timeout=600) for run in runs]
    finally:
        for run in runs:
            run.stop()
        reader.stop_event.set()
        reader.join(timeout=10)

    logs = "\n".join(f"--- {r.name}\n{tail(r.log, 30)}" for r in runs)
    assert sorted(codes) in ([0, 0], [0, 1]), logs
    for run, code in zip(runs, codes, strict=True):
        if code == 1:  # it found the other one working: one line naming it
            last = run.output().strip().splitlines()[-1]
            assert last.startswith("error: kfor is already being run by run "), logs
    loaded = [int(m.group(1)) for r, c in zip(runs, codes, strict=True)
              if c == 0 and (m := LOADED.search(r.output()))]  # fmt: skip
    assert sum(loaded) == len(FACTS), f"loaded per run {loaded}: a document loaded twice or never"
    with open_reader(data_dir / "warehouse.duckdb") as con:  # both runs have ended
        per_symbol = dict(
            con.execute("SELECT symbol, count(*) FROM documents GROUP BY symbol").fetchall()
        )
        spans = sorted(con.execute("SELECT started_at, finished_at FROM runs").fetchall())
    assert len(spans) == codes.count(0)
    overlapping = [(a, b) for a, b in itertools.pairwise(spans) if a[1] > b[0]]
    assert not overlapping, f"two runs worked at once: {spans}"
    assert per_symbol == {f.symbol: 1 for f in FACTS}
    assert reader.errors == [], reader.errors[:5]
    assert reader.queries > 0
