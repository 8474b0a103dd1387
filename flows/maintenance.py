"""Backfill and reprocess flows (thin wrappers; the work is in tasks/)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from prefect import flow
from prefect.runtime import flow_run as runtime_flow_run
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ingest import STOPPED, cancelled_state, run_ingest
from reportwatch.series import load_series
from reportwatch.settings import load_settings
from tasks.alerts.ops import notify_ops_on_failure
from tasks.reprocess import reprocess_series


@flow(
    name="reportwatch-backfill",
    task_runner=ThreadPoolTaskRunner(max_workers=4),  # type: ignore[arg-type]
    on_failure=[notify_ops_on_failure],
    on_crashed=[notify_ops_on_failure],
)
def backfill(
    series: str = "kfor",
    date_from: dt.date = dt.date(2000, 1, 1),
    date_to: dt.date | None = None,
    data_dir: str | None = None,
) -> dict[str, Any] | State[Any]:
    """Harvest a bounded catalogue window and load what it finds.

    The window is given, never read from the clock, so running it twice gives the same result
    (the second run finds everything already loaded).
    """
    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    until = date_to or date_from
    run_id = str(runtime_flow_run.id or uuid.uuid4())
    try:
        summary = run_ingest(
            settings,
            series=series,
            since=date_from,
            until=until,
            run_id=run_id,
            flow_name="backfill",
            historical=True,
        )
    except STOPPED:
        return cancelled_state()
    return summary.as_dict()


@flow(name="reportwatch-reprocess", on_failure=[notify_ops_on_failure])
def reprocess(series: str = "kfor", data_dir: str | None = None) -> dict[str, int]:
    """Re-extract every stored document of a series from the raw archive (no network)."""
    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    run_id = str(runtime_flow_run.id or uuid.uuid4())
    result = reprocess_series(load_series(series, settings.series_dir), settings, run_id=run_id)
    return {
        "reprocessed": result.reprocessed,
        "changed": result.changed,
        "quarantined": result.quarantined,
        "missing": result.missing,
        "alerts": result.alerts,
    }
