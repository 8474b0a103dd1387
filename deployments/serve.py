"""Serve reportwatch's deployments from one process (a single machine, no work pool).

    python -m deployments.serve

Schedules come from each series file (``schedule: {cron, timezone}``). ``pause_on_shutdown``
is off so a restart under systemd does not leave the schedules paused.
"""

from __future__ import annotations

import os

from prefect import serve
from prefect.schedules import Cron

from flows.ingest import ingest
from flows.maintenance import backfill, reprocess
from reportwatch.series import list_series
from reportwatch.settings import load_settings


def build_deployments() -> list[object]:
    settings = load_settings()
    deployments: list[object] = []
    for config in list_series(settings.series_dir):
        cron = str(config.schedule.get("cron", "0 6 * * 1"))
        timezone = str(config.schedule.get("timezone", "UTC"))
        deployments.append(
            ingest.to_deployment(
                name=f"{config.id}-ingest-local",
                parameters={"series": config.id},
                schedules=[Cron(cron, timezone=timezone, slug=f"{config.id}-weekly-local")],
                tags=["reportwatch", config.id],
            )
        )
    deployments.append(backfill.to_deployment(name="backfill-local", tags=["reportwatch"]))
    deployments.append(reprocess.to_deployment(name="reprocess-local", tags=["reportwatch"]))
    return deployments


def main() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    serve(*build_deployments(), limit=2, pause_on_shutdown=False)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
