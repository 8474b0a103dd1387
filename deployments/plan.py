"""What reportwatch deploys: one plan, read by the prefect.yaml renderer and by the serve script.

Each series file (``series/<id>.yaml``) gives its ingestion schedule::

    schedule:
      cron: "0 6 * * 1"          # default: Mondays 06:00
      timezone: Europe/Brussels  # default: UTC; DST-aware
      digest_cron: "0 8 * * 1"   # optional; the weekly digest (when flows/digest.py exists)

From the series files the plan derives, for every series, an ingestion deployment (scheduled,
tagged ``skip-late``, at most one run at a time), and, once, a backfill and a reprocess
deployment (no schedule; run on demand). Every schedule has an explicit timezone and a slug:
Prefect refuses to update schedules without slugs once a deployment has some.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reportwatch.errors import ConfigError, SeriesError
from reportwatch.series import SeriesConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
WORK_POOL = "reportwatch"
# Scheduled work and on-demand maintenance sit in separate queues of the pool so that a long
# backfill never delays the weekly ingestion (give `scheduled` the higher priority).
SCHEDULED_QUEUE = "scheduled"
MAINTENANCE_QUEUE = "maintenance"
SKIP_LATE_TAG = "skip-late"
PROJECT_TAG = "reportwatch"

DEFAULT_CRON = "0 6 * * 1"
DEFAULT_DIGEST_CRON = "0 8 * * 1"
DEFAULT_TIMEZONE = "UTC"
# Backfill windows are independent runs; two may run at once (on two workers). More would
# multiply the request rate against the UN hosts, whose rate limit is kept per process.
BACKFILL_PARALLEL_RUNS = 2

INGEST_ENTRYPOINT = "flows/ingest.py:ingest"
BACKFILL_ENTRYPOINT = "flows/maintenance.py:backfill"
REPROCESS_ENTRYPOINT = "flows/maintenance.py:reprocess"
DIGEST_ENTRYPOINT = "flows/digest.py:digest"

Collision = Literal["ENQUEUE", "CANCEL_NEW"]


@dataclass(frozen=True)
class ScheduleSpec:
    cron: str
    timezone: str
    slug: str


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment: what prefect.yaml lists and what ``serve`` registers."""

    name: str
    entrypoint: str
    description: str
    work_queue: str
    tags: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    schedules: tuple[ScheduleSpec, ...] = ()
    concurrency: int = 1
    # ENQUEUE: a run that finds the slot taken waits for it (AwaitingConcurrencySlot) rather
    # than being cancelled, so an operator's manual run is never silently dropped.
    collision: Collision = "ENQUEUE"

    @property
    def module(self) -> str:
        """The entrypoint's module, ``flows.ingest`` for ``flows/ingest.py:ingest``."""
        path, _, _ = self.entrypoint.partition(":")
        return path.removesuffix(".py").replace("/", ".")

    @property
    def function(self) -> str:
        return self.entrypoint.partition(":")[2]


def series_schedule(config: SeriesConfig) -> tuple[str, str]:
    """The series' ingestion cron and timezone, defaults filled in, checked."""
    cron = str(config.schedule.get("cron") or DEFAULT_CRON)
    timezone = str(config.schedule.get("timezone") or DEFAULT_TIMEZONE)
    _check_schedule(config, cron, timezone)
    return cron, timezone


def _check_schedule(config: SeriesConfig, cron: str, timezone: str) -> None:
    # The server would reject a bad cron or zone only when it receives it; fail here instead,
    # naming the file, so `python -m deployments.render` and `serve` stop before deploying.
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as exc:
        bad = str(exc.errors()[0]["loc"][0])
        value = cron if bad == "cron" else timezone
        raise SeriesError(
            f"{config.path or config.id}: schedule.{bad} {value!r} is not valid",
            hint='write a five-field cron such as "0 6 * * 1" and an IANA zone such as UTC',
        ) from exc


def require_prefect_api() -> str:
    """The configured Prefect API URL; a ConfigError when there is none.

    Without one Prefect starts an ephemeral API in the process, which accepts deployments and
    automations and then never schedules a run nor runs the services automations need.
    """
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise ConfigError(
            "PREFECT_API_URL is not set (environment or Prefect profile)",
            hint="start `prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api",
        )
    return url


def digest_available(repo_root: Path = REPO_ROOT) -> bool:
    """The digest deployment exists once the digest flow does (flows/digest.py)."""
    return (repo_root / DIGEST_ENTRYPOINT.partition(":")[0]).is_file()


def deployment_plan(series: list[SeriesConfig], *, with_digest: bool) -> list[DeploymentSpec]:
    """Every deployment reportwatch needs, in a stable order (series by id, then maintenance)."""
    if not series:
        raise SeriesError("no series files found", hint="add series/<id>.yaml (see docs/series.md)")
    specs: list[DeploymentSpec] = []
    for config in sorted(series, key=lambda c: c.id):
        cron, timezone = series_schedule(config)
        specs.append(
            DeploymentSpec(
                name=f"{config.id}-ingest",
                entrypoint=INGEST_ENTRYPOINT,
                description=f"Scheduled ingestion of series {config.id} ({config.name}).",
                work_queue=SCHEDULED_QUEUE,
                # skip-late: a run that missed its time is cancelled, the next one catches up
                # from the harvest cursor (see deployments/automations.py).
                tags=(PROJECT_TAG, f"series:{config.id}", "ingest", SKIP_LATE_TAG),
                parameters={"series": config.id},
                schedules=(ScheduleSpec(cron, timezone, slug=f"{config.id}-ingest"),),
            )
        )
        if with_digest:
            digest_cron = str(config.schedule.get("digest_cron") or DEFAULT_DIGEST_CRON)
            _check_schedule(config, digest_cron, timezone)
            specs.append(
                DeploymentSpec(
                    name=f"{config.id}-digest",
                    entrypoint=DIGEST_ENTRYPOINT,
                    description=f"Weekly alert digest of series {config.id} ({config.name}).",
                    work_queue=SCHEDULED_QUEUE,
                    tags=(PROJECT_TAG, f"series:{config.id}", "digest", SKIP_LATE_TAG),
                    parameters={"series": config.id},
                    schedules=(ScheduleSpec(digest_cron, timezone, slug=f"{config.id}-digest"),),
                )
            )
    default_series = specs[0].parameters["series"]
    specs.append(
        DeploymentSpec(
            name="backfill",
            entrypoint=BACKFILL_ENTRYPOINT,
            description=(
                "Harvest a bounded catalogue window (parameters series, date_from, date_to) and "
                "load what it finds; the same result when run twice."
            ),
            work_queue=MAINTENANCE_QUEUE,
            tags=(PROJECT_TAG, "backfill"),
            parameters={"series": default_series},
            concurrency=BACKFILL_PARALLEL_RUNS,
        )
    )
    specs.append(
        DeploymentSpec(
            name="reprocess",
            entrypoint=REPROCESS_ENTRYPOINT,
            description="Re-extract every stored document of a series from the raw archive.",
            work_queue=MAINTENANCE_QUEUE,
            tags=(PROJECT_TAG, "reprocess"),
            parameters={"series": default_series},
        )
    )
    return specs
