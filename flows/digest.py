"""The digest flow: one message per channel with the week's alerts of a series."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger

from flows.ingest import logical_date
from reportwatch.series import load_series
from reportwatch.settings import load_settings
from tasks.alerts.digest import send_digest
from tasks.alerts.ops import notify_ops_on_failure


@flow(name="reportwatch-digest", on_failure=[notify_ops_on_failure])
def digest(
    series: str = "kfor",
    days: int = 7,
    as_of: dt.date | None = None,
    data_dir: str | None = None,
) -> dict[str, Any]:
    """Send the alerts raised in the ``days`` days before the logical date (a half-open week)."""
    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    config = load_series(series, settings.series_dir)
    result = send_digest(config, settings, until=logical_date(as_of), days=days)
    get_run_logger().info(
        "digest %s: %d alerts, sent to %s", series, result.alerts, ", ".join(result.sent) or "none"
    )
    return {"alerts": result.alerts, "sent": result.sent, "skipped": result.skipped}
