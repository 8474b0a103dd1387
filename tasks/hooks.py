"""Flow hooks: a failed or crashed run sends one message to the ops channels.

Prefect calls ``on_failure`` / ``on_crashed`` once, for the final state (after retries), so
this fires once per failed run. The message names the run, the stage that failed and the error.
"""

from __future__ import annotations

import logging
from typing import Any

from reportwatch.errors import ReportwatchError
from reportwatch.models import Alert
from reportwatch.series import load_series
from reportwatch.settings import load_settings

log = logging.getLogger("reportwatch.ops")


def ops_alert(
    *, flow_name: str, run_name: str, series: str, state_name: str, message: str
) -> Alert:
    from tasks.detect import alert_key

    return Alert(
        key=alert_key("ops-run-failed", series, run_name),
        rule_id="ops-run-failed",
        rule_kind="ops",
        series=series,
        severity="critical",
        headline=f"reportwatch run {flow_name}/{run_name} {state_name.lower()}: {message}"[:500],
        details={"run": run_name, "state": state_name, "error": message},
    )


def notify_ops_on_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect flow hook (signature: flow, flow_run, state). Never raises."""
    from tasks.notifiers.base import build_notifier, is_configured

    try:
        settings = load_settings()
        series_id = str((flow_run.parameters or {}).get("series", "kfor"))
        config = load_series(series_id, settings.series_dir)
        alert = ops_alert(
            flow_name=flow.name, run_name=flow_run.name, series=series_id,
            state_name=state.name, message=str(state.message or "no message"),
        )  # fmt: skip
        channels = [c for c in config.channels if c.ops] or [
            c for c in config.channels if c.kind == "console"
        ]
        for channel in channels:
            if is_configured(channel.kind, settings):
                build_notifier(channel.kind, settings).send([alert])
    except (ReportwatchError, OSError) as exc:  # a hook must not mask the run's own failure
        log.error("could not send the ops alert: %s", exc)
