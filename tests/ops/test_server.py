"""Deploying reportwatch to a real `prefect server start`: deployments, automations, security.

One server for the module (SQLite, temp PREFECT_HOME, basic auth on, as in production). The
deployments are made with `prefect deploy` from the repository root, as docs/runbook.md says.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from deployments.automations import LATE_AUTOMATION, OPS_AUTOMATION, ZOMBIE_AUTOMATION
from deployments.plan import (
    MAINTENANCE_QUEUE,
    SCHEDULED_QUEUE,
    WORK_POOL,
    deployment_plan,
    digest_available,
)
from deployments.render import PREFECT_YAML
from reportwatch.series import BUNDLED_SERIES_DIR, list_series
from tests.ops.servers import (
    PREFECT,
    PrefectServer,
    basic_auth_header,
    listening_addresses,
    wait_for_runs,
)
from tests.slack_server import LoopbackWebhook

FLOW_NAMES = {
    "flows/ingest.py:ingest": "reportwatch-ingest",
    "flows/maintenance.py:backfill": "reportwatch-backfill",
    "flows/maintenance.py:reprocess": "reportwatch-reprocess",
    "flows/digest.py:digest": "reportwatch-digest",
}
PLAN = deployment_plan(list_series(BUNDLED_SERIES_DIR), with_digest=digest_available())


@pytest.fixture(scope="module")
def deployed(prefect_server: PrefectServer) -> PrefectServer:
    """Pool, queues and warehouse limit made through the API (the scale test uses the
    runbook's CLI commands for these); the deployments with `prefect deploy`, as written."""
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate

    with prefect_server.client() as c:
        c.create_work_pool(WorkPoolCreate(name=WORK_POOL, type="process"))
        c.create_work_queue(SCHEDULED_QUEUE, work_pool_name=WORK_POOL, priority=1)
        c.create_work_queue(MAINTENANCE_QUEUE, work_pool_name=WORK_POOL, priority=10)
        c.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(name="reportwatch-warehouse", limit=1)
        )
    prefect_server.prefect(
        "--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml"
    )
    return prefect_server


@pytest.fixture
def client(prefect_server: PrefectServer) -> Iterator[Any]:
    with prefect_server.client() as c:
        yield c


def test_the_server_listens_on_loopback_only_unless_told_otherwise(
    prefect_server: PrefectServer,
) -> None:
    # started without --host: Prefect's default must keep the API off the network
    addresses = listening_addresses(prefect_server.port)
    assert addresses, "no listening socket found for the server's port"
    assert addresses <= {"127.0.0.1", "::1"}


def test_a_client_without_the_auth_string_is_refused(prefect_server: PrefectServer) -> None:
    url = f"{prefect_server.api_url}/work_pools/filter"
    assert httpx.post(url, json={}).status_code == 401
    wrong = basic_auth_header("reportwatch-ops:guess")
    assert httpx.post(url, json={}, headers=wrong).status_code == 401
    assert prefect_server.auth_string is not None
    right = basic_auth_header(prefect_server.auth_string)
    assert httpx.post(url, json={}, headers=right).status_code == 200
    # health stays open for probes (systemd, load balancers) and says nothing else
    assert httpx.get(f"{prefect_server.api_url}/health").status_code == 200

    env = prefect_server.env()
    env.pop("PREFECT_API_AUTH_STRING")
    refused = subprocess.run(
        [PREFECT, "work-pool", "ls"], env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0
    assert "401" in refused.stdout + refused.stderr


def test_deploy_registers_every_deployment_with_its_schedule_parameters_and_limit(
    deployed: PrefectServer, client: Any
) -> None:
    for spec in PLAN:
        deployment = client.read_deployment_by_name(f"{FLOW_NAMES[spec.entrypoint]}/{spec.name}")
        schedules = [
            (s.schedule.cron, s.schedule.timezone, s.slug, s.active)
            for s in deployment.schedules
        ]  # fmt: skip
        assert schedules == [(s.cron, s.timezone, s.slug, True) for s in spec.schedules]
        assert deployment.parameters == spec.parameters
        assert set(deployment.tags) == set(spec.tags)
        assert deployment.paused is False
        assert deployment.work_pool_name == WORK_POOL
        assert deployment.work_queue_name == spec.work_queue
        assert deployment.global_concurrency_limit.limit == spec.concurrency
        assert deployment.concurrency_options.collision_strategy.value == spec.collision
        # the worker's environment decides where the code is, not the deploying machine
        assert deployment.pull_steps == [
            {
                "prefect.deployments.steps.set_working_directory": {
                    "directory": "{{ $REPORTWATCH_CODE_DIR }}"
                }
            }
        ]
    backfill = client.read_deployment_by_name("reportwatch-backfill/backfill")
    properties = backfill.parameter_openapi_schema["properties"]
    assert {"series", "date_from", "date_to"} <= set(properties)


def test_kfor_ingestion_is_scheduled_on_mondays_at_six_in_brussels(
    deployed: PrefectServer, client: Any
) -> None:
    # the scheduler (a real server's service) fills the calendar from the cron and zone
    deployment = client.read_deployment_by_name("reportwatch-ingest/kfor-ingest")
    kfor = yaml.safe_load((BUNDLED_SERIES_DIR / "kfor.yaml").read_text(encoding="utf-8"))
    assert (kfor["schedule"]["cron"], kfor["schedule"]["timezone"]) == (
        "0 6 * * 1",
        "Europe/Brussels",
    )
    from zoneinfo import ZoneInfo

    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    runs: list[Any] = []
    deadline = time.monotonic() + 90
    while not runs and time.monotonic() < deadline:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        )
        time.sleep(1)
    assert runs, "the scheduler created no run for kfor-ingest"
    brussels = ZoneInfo("Europe/Brussels")
    for run in runs:
        local = run.expected_start_time.astimezone(brussels)
        assert (local.weekday(), local.hour, local.minute) == (0, 6, 0)
        assert run.parameters == {"series": "kfor"}


def test_deploying_twice_changes_nothing(deployed: PrefectServer, client: Any) -> None:
    before = {
        d.name: (d.id, [(s.slug, s.schedule.cron) for s in d.schedules])
        for d in client.read_deployments()
    }
    deployed.prefect("--no-prompt", "deploy", "--all", "--prefect-file", str(PREFECT_YAML))
    after = {
        d.name: (d.id, [(s.slug, s.schedule.cron) for s in d.schedules])
        for d in client.read_deployments()
    }
    assert after == before


def test_automations_are_created_once_and_a_rerun_leaves_them_alone(
    deployed: PrefectServer, client: Any
) -> None:
    hook = "http://127.0.0.1:9/services/T0/B0/secret-token"
    run = _automations(deployed, {"REPORTWATCH_SLACK_WEBHOOK_URL": hook})
    assert run.count("created:") == 3
    ids = {a.name: a.id for a in client.read_automations()}
    assert {LATE_AUTOMATION, ZOMBIE_AUTOMATION, OPS_AUTOMATION} <= set(ids)

    again = _automations(deployed, {"REPORTWATCH_SLACK_WEBHOOK_URL": hook})
    assert again.count("unchanged:") == 3
    assert {a.name: a.id for a in client.read_automations()} == ids

    # the webhook URL is a secret of the block: not readable through the API
    block = client.read_block_document_by_name(
        "reportwatch-ops-webhook", "custom-webhook", include_secrets=False
    )
    assert "secret-token" not in str(block.data)

    without_slack = _automations(deployed, {})
    assert f"deleted: {OPS_AUTOMATION}" in without_slack
    assert OPS_AUTOMATION not in {a.name for a in client.read_automations()}


def _automations(server: PrefectServer, extra: dict[str, str], *args: str) -> str:
    """``python -m deployments.automations`` against the server (in-process: imports are slow)."""
    import contextlib
    import io
    import os

    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    from deployments.automations import main

    saved = {k: os.environ.get(k) for k in ("REPORTWATCH_SLACK_WEBHOOK_URL", *extra)}
    os.environ.pop("REPORTWATCH_SLACK_WEBHOOK_URL", None)
    os.environ.update(extra)
    out = io.StringIO()
    try:
        with (
            temporary_settings(
                updates={
                    PREFECT_API_URL: server.api_url,
                    PREFECT_API_AUTH_STRING: server.auth_string,
                }
            ),
            contextlib.redirect_stdout(out),
        ):
            code = main(list(args))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.mark.scale
def test_a_late_ingestion_is_cancelled_and_a_late_backfill_is_kept(
    deployed: PrefectServer, client: Any
) -> None:
    from prefect.states import Scheduled

    _automations(deployed, {}, "--late-grace", "10")
    missed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # no worker polls this pool
    ingest = client.read_deployment_by_name("reportwatch-ingest/kfor-ingest")
    backfill = client.read_deployment_by_name("reportwatch-backfill/backfill")
    late_ingest = client.create_flow_run_from_deployment(
        ingest.id, state=Scheduled(scheduled_time=missed)
    )
    late_backfill = client.create_flow_run_from_deployment(
        backfill.id, state=Scheduled(scheduled_time=missed)
    )
    final = wait_for_runs(client, [late_ingest.id], timeout=180)
    assert final[late_ingest.id].state.type.value == "CANCELLED"
    # a backfill someone asked for is not skip-late: it waits for a worker, Late
    assert client.read_flow_run(late_backfill.id).state.name == "Late"
    client.delete_flow_run(late_backfill.id)


@pytest.mark.scale
def test_a_crashed_run_reaches_the_ops_webhook(deployed: PrefectServer, client: Any) -> None:
    from prefect.states import Crashed, Running

    with LoopbackWebhook() as webhook:
        _automations(deployed, {"REPORTWATCH_SLACK_WEBHOOK_URL": webhook.url})
        ingest = client.read_deployment_by_name("reportwatch-ingest/kfor-ingest")
        run = client.create_flow_run_from_deployment(ingest.id)
        client.set_flow_run_state(run.id, Running(), force=True)
        client.set_flow_run_state(run.id, Crashed(message="worker host lost power"), force=True)
        deadline = time.monotonic() + 120
        while not webhook.posts and time.monotonic() < deadline:
            time.sleep(0.5)
        assert webhook.posts, "the ops automation posted nothing"
        text = webhook.posts[0].json()["text"]
        assert run.name in text and "crashed" in text and "worker host lost power" in text
    _automations(deployed, {})
