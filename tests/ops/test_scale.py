"""Scale-out: a Prefect server on PostgreSQL, two process workers, a backfill split into windows.

What docs/scaling.md describes, on one machine: PostgreSQL from the system packages, `prefect
server start` on it, the runbook's commands to create the pool, queues and warehouse limit,
`prefect deploy`, two `prefect worker start --limit 1` (so work must spread), one backfill run
per catalogue year over the loopback mirror. The result must equal a single-process backfill
of the whole range, with every document loaded exactly once. Figures are printed for
docs/scaling.md.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from deployments.plan import MAINTENANCE_QUEUE, SCHEDULED_QUEUE, WORK_POOL
from reportwatch.demo import BUNDLED_FACTS
from reportwatch.demo.mirror import MirrorServer
from reportwatch.demo.samples.facts import load_facts
from tests.ops.conftest import reportwatch_env
from tests.ops.servers import PREFECT, REPORTWATCH, PrefectServer, tail, wait_for_runs
from warehouse import open_reader

pytestmark = pytest.mark.scale

FACTS = load_facts(BUNDLED_FACTS)
YEARS = range(2020, 2025)  # the sample catalogue's years (catalogued_at)
STARTED = re.compile(r"Flow run '([^']+)' submitted to infrastructure")
ABORTED = re.compile(r"Aborted submission of flow run")
TROOP_LEVELS = "SELECT * EXCLUDE (document_id) FROM troop_levels ORDER BY period_end, symbol"


def _runs_started_by(worker_log: str) -> list[str]:
    """Names of the flow runs a worker won and started. Both workers may try to claim a run
    ("submitting flow run"); the server lets one move it to Pending and the other logs
    "Aborted submission", so only "submitted to infrastructure" proves who ran it."""
    return STARTED.findall(worker_log)


def _warehouse_rows(data_dir: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with open_reader(data_dir / "snapshot.duckdb") as con:
        per_symbol = con.execute(
            "SELECT symbol, count(*) FROM documents GROUP BY symbol ORDER BY symbol"
        ).fetchall()
        levels = con.execute(TROOP_LEVELS).fetchall()
    return per_symbol, levels


def test_backfill_windows_spread_over_two_workers_and_load_each_document_once(
    prefect_server_on_postgres: PrefectServer, mirror: MirrorServer, tmp_path: Path
) -> None:
    server = prefect_server_on_postgres
    figures: dict[str, float] = {}
    t0 = time.perf_counter()
    # docs/runbook.md, "First install", as written
    server.prefect("work-pool", "create", WORK_POOL, "--type", "process")
    server.prefect("work-queue", "create", SCHEDULED_QUEUE, "--pool", WORK_POOL,
                   "--priority", "1")  # fmt: skip
    server.prefect("work-queue", "create", MAINTENANCE_QUEUE, "--pool", WORK_POOL,
                   "--priority", "10")  # fmt: skip
    server.prefect("gcl", "create", "reportwatch-warehouse", "--limit", "1")
    server.prefect("--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml")
    figures["setup (pool, queues, limit, deploy) s"] = time.perf_counter() - t0

    shared = tmp_path / "shared-data"  # both workers: one data dir, as on a shared volume
    env = {**reportwatch_env(mirror, shared), "PREFECT_WORKER_QUERY_SECONDS": "2"}
    command = [PREFECT, "worker", "start", "--pool", WORK_POOL, "--limit", "1", "--name"]
    workers = [server.start(name, [*command, name], extra=env) for name in ("worker-a", "worker-b")]
    try:
        with server.client() as client:
            backfill = client.read_deployment_by_name("reportwatch-backfill/backfill")
            t0 = time.perf_counter()
            windows = [
                {"series": "kfor", "date_from": f"{y}-01-01", "date_to": f"{y}-12-31"}
                for y in YEARS
            ]
            runs = [
                client.create_flow_run_from_deployment(
                    backfill.id, parameters=window, idempotency_key=f"backfill/{window}"
                )
                for window in windows
            ]
            final = wait_for_runs(client, [r.id for r in runs], timeout=900)
            figures["backfill, 5 windows on 2 workers, wall s"] = time.perf_counter() - t0
            failed = {str(k): r.state.name for k, r in final.items() if not r.state.is_completed()}
            logs = "\n".join(tail(w.log, 40) for w in workers)
            assert not failed, f"{failed}\n{logs}"
            seconds = [r.total_run_time.total_seconds() for r in final.values()]
            waits = [(r.start_time - r.expected_start_time).total_seconds() for r in final.values()]
            figures["flow run s, longest"] = max(seconds)
            figures["flow run s, sum"] = sum(seconds)
            figures["wait for a worker s, mean"] = sum(waits) / len(waits)
    finally:
        for worker in workers:
            worker.stop()
    started = {w.name: _runs_started_by(w.output()) for w in workers}
    all_started = [name for names in started.values() for name in names]
    assert sorted(all_started) == sorted(r.name for r in final.values()), started
    assert all(started.values()), f"work did not spread over both workers: {started}"
    figures["contested claims (aborted by the server)"] = sum(
        len(ABORTED.findall(w.output())) for w in workers
    )

    # the same range in one process, for reference
    single = tmp_path / "single-data"
    t0 = time.perf_counter()
    done = server.run(
        [REPORTWATCH, "backfill", "--series", "kfor", "--from", f"{YEARS[0]}-01-01",
         "--to", f"{YEARS[-1]}-12-31"],
        extra=reportwatch_env(mirror, single),
    )  # fmt: skip
    figures["backfill, 1 window in 1 process, wall s"] = time.perf_counter() - t0
    assert done.returncode == 0, done.stdout + done.stderr

    per_symbol, levels = _warehouse_rows(shared)
    assert [count for _, count in per_symbol] == [1] * len(FACTS), "a document loaded twice"
    assert {symbol for symbol, _ in per_symbol} == {f.symbol for f in FACTS}
    assert levels == _warehouse_rows(single)[1]

    print("\nscale figures:", ", ".join(f"{k} = {v:.1f}" for k, v in figures.items()))
    print("runs per worker:", {name: len(runs) for name, runs in started.items()})
