"""Serve reportwatch's deployments from one process (one machine, no work pool, no worker).

    python -m deployments.serve            # needs PREFECT_API_URL: a `prefect server start`

The deployments are those of ``deployments/prefect.yaml`` (same plan, same schedules, same
concurrency limits), named ``<name>-local`` so they never collide with work-pool deployments of
the same server. ``pause_on_shutdown=False``: Prefect's default pauses every schedule when the
process gets SIGTERM, so a restart under systemd would silently stop all scheduled runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import TYPE_CHECKING

from deployments.plan import (
    DeploymentSpec,
    deployment_plan,
    digest_available,
    require_prefect_api,
)
from reportwatch.errors import ReportwatchError
from reportwatch.series import list_series
from reportwatch.settings import load_settings

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

LOCAL_SUFFIX = "-local"
# Runs at once in this process; loads are serialized anyway (warehouse concurrency limit).
SERVE_LIMIT = 2


def to_runner_deployment(spec: DeploymentSpec) -> RunnerDeployment:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    flow = getattr(importlib.import_module(spec.module), spec.function)
    return flow.to_deployment(  # type: ignore[no-any-return]
        name=spec.name + LOCAL_SUFFIX,
        description=spec.description,
        parameters=dict(spec.parameters),
        schedules=[Cron(s.cron, timezone=s.timezone, slug=s.slug) for s in spec.schedules],
        tags=list(spec.tags),
        concurrency_limit=ConcurrencyLimitConfig(
            limit=spec.concurrency, collision_strategy=ConcurrencyLimitStrategy(spec.collision)
        ),
    )


def build_deployments() -> list[RunnerDeployment]:
    settings = load_settings()
    specs = deployment_plan(list_series(settings.series_dir), with_digest=digest_available())
    return [to_runner_deployment(spec) for spec in specs]


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m deployments.serve", description=__doc__.split("\n\n")[0]
    ).parse_args(argv)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    try:
        require_prefect_api()
        deployments = build_deployments()
    except ReportwatchError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 1
    from prefect import serve

    serve(*deployments, limit=SERVE_LIMIT, pause_on_shutdown=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
