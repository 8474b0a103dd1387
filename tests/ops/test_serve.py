"""`python -m deployments.serve` against a real server: a run completes, SIGTERM keeps schedules.

The single-machine setup of docs/runbook.md: the Prefect server plus one serve process (its
own process group, as under systemd), REPORTWATCH_* pointing at the loopback mirror.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reportwatch.demo import BUNDLED_FACTS
from reportwatch.demo.mirror import MirrorServer
from reportwatch.demo.samples.facts import load_facts
from tests.ops.conftest import reportwatch_env
from tests.ops.servers import PrefectServer, tail, wait_for_runs
from warehouse import open_reader

FACTS = load_facts(BUNDLED_FACTS)


def _wait_for_deployment(client: Any, name: str, serve_log: Path, timeout: float = 120) -> Any:
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return client.read_deployment_by_name(name)
        except ObjectNotFound:
            time.sleep(0.5)
    raise AssertionError(f"serve registered no {name}:\n{tail(serve_log)}")


@pytest.mark.scale
def test_a_served_run_loads_the_mirror_and_sigterm_leaves_schedules_active(
    prefect_server: PrefectServer, mirror: MirrorServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    serve = prefect_server.start(
        "serve",
        [sys.executable, "-m", "deployments.serve"],
        extra={**reportwatch_env(mirror, data_dir), "PREFECT_RUNNER_POLL_FREQUENCY": "2"},
    )
    try:
        with prefect_server.client() as client:
            deployment = _wait_for_deployment(
                client, "reportwatch-ingest/kfor-ingest-local", serve.log
            )
            assert [
                (s.schedule.cron, s.schedule.timezone, s.slug) for s in deployment.schedules
            ] == [("0 6 * * 1", "Europe/Brussels", "kfor-ingest")]
            run = client.create_flow_run_from_deployment(
                deployment.id, parameters={"since": "2020-01-01", "as_of": "2024-06-30"}
            )
            final = wait_for_runs(client, [run.id], timeout=300)[run.id]
            assert final.state.is_completed(), f"{final.state}\n{tail(serve.log)}"
    finally:
        code = serve.stop(signal.SIGTERM)
    assert code == 0, tail(serve.log)

    with prefect_server.client() as client:
        after = client.read_deployment_by_name("reportwatch-ingest/kfor-ingest-local")
    assert after.paused is False, "serve paused the schedule on SIGTERM"
    assert [s.active for s in after.schedules] == [True]

    with open_reader(data_dir / "snapshot.duckdb") as con:
        symbols = {r[0] for r in con.execute("SELECT symbol FROM documents").fetchall()}
        runs = con.execute("SELECT status FROM runs").fetchall()
    assert symbols == {f.symbol for f in FACTS}
    assert runs == [("completed",)]
