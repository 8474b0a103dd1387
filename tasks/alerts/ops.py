"""Flow hooks: a failed or crashed run sends one message to the series' ops channels.

Prefect calls ``on_failure`` / ``on_crashed`` once, for the final state (after retries), so
this fires once per failed run. The message names the flow, the run, the stage that failed
and the error. The stage is found, in order:

1. from the exception, when the flow marked it with :func:`failing_stage` (or
   :func:`note_stage`): exact, even for work done outside tasks;
2. from the flow run's most recently failed or crashed task run (asked of the Prefect API);
3. else ``flow`` (the flow body failed outside any task).

The ops channels are the series' channels with ``ops: true``, else the console. The message
goes straight to them (not through the delivery ledger: the warehouse may be what failed).
A hook must never mask the run's own failure, so nothing raised here escapes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from reportwatch.errors import ReportwatchError
from reportwatch.models import Alert
from reportwatch.series import ChannelConfig, SeriesConfig, load_series
from reportwatch.settings import Settings, load_settings
from tasks.retry import exception_of

log = logging.getLogger("reportwatch.ops")

STAGE_NOTE_PREFIX = "reportwatch stage: "
MAX_ERROR_CHARS = 2000
MAX_HEADLINE_CHARS = 240  # a notification line and an email subject; longer errors go below
# Prefect names a task run "<task name>-<3 hex digits>" unless the task sets task_run_name.
_DEFAULT_RUN_SUFFIX = re.compile(r"-[0-9a-f]{3}$")


# -- the failed stage -----------------------------------------------------------------------------
def note_stage(exc: BaseException, stage: str) -> None:
    """Record on ``exc`` the stage it escaped from; the innermost stage wins."""
    if stage_of(exc) is None:
        exc.add_note(f"{STAGE_NOTE_PREFIX}{stage}")


def stage_of(exc: BaseException) -> str | None:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, str) and note.startswith(STAGE_NOTE_PREFIX):
            return note.removeprefix(STAGE_NOTE_PREFIX)
    return None


@contextmanager
def failing_stage(stage: str) -> Iterator[None]:
    """``with failing_stage("fetch"): ...`` marks any exception leaving the block."""
    try:
        yield
    except Exception as exc:
        note_stage(exc, stage)
        raise


def stage_from_task_run_name(name: str) -> str:
    """``detect-3fa`` → ``detect``; a custom name (``fetch-S/2023/966``) is kept whole."""
    return _DEFAULT_RUN_SUFFIX.sub("", name)


def failed_task_stage(flow_run_id: UUID) -> str | None:
    """The stage of the flow run's most recently failed or crashed task run, if any."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
        TaskRunFilterState,
        TaskRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import TaskRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
            task_run_filter=TaskRunFilter(
                state=TaskRunFilterState(
                    type=TaskRunFilterStateType(any_=[StateType.FAILED, StateType.CRASHED])
                )
            ),
            sort=TaskRunSort.END_TIME_DESC,
            limit=1,
        )
    return stage_from_task_run_name(runs[0].name) if runs else None


def error_text(exc: BaseException | None, state: Any) -> str:
    if isinstance(exc, ReportwatchError):
        text = f"{type(exc).__name__}: {exc.one_line()}"
    elif exc is not None:
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = str(getattr(state, "message", None) or "no error message")
    return " ".join(text.split())[:MAX_ERROR_CHARS]


def failed_stage(exc: BaseException | None, flow_run_id: UUID | None) -> str:
    noted = stage_of(exc) if exc is not None else None
    if noted:
        return noted
    if flow_run_id is not None:
        try:
            from_tasks = failed_task_stage(flow_run_id)
        except Exception as lookup_error:  # the API may be what failed; the message still goes
            log.warning("could not read the task runs: %s", type(lookup_error).__name__)
            from_tasks = None
        if from_tasks:
            return from_tasks
    return "flow"


# -- the message ----------------------------------------------------------------------------------
def ops_alert(
    *,
    flow_name: str,
    run_name: str,
    run_id: str,
    series: str,
    state_name: str,
    stage: str,
    error: str,
) -> Alert:
    """One critical alert saying which run failed, where and why."""
    from tasks.alerts.detect import alert_key

    state_word = state_name.lower() or "failed"
    headline = f"{flow_name} run {run_name} {state_word} in stage {stage}: {error}"
    shortened = len(headline) > MAX_HEADLINE_CHARS
    if shortened:
        headline = headline[: MAX_HEADLINE_CHARS - 1].rstrip() + "…"
    return Alert(
        key=alert_key("ops-run-failed", series, run_id),
        rule_id="ops-run-failed",
        rule_kind="ops",
        series=series,
        severity="critical",
        headline=headline,
        evidence_text=error if shortened else None,  # the whole error, when the headline is cut
        details={
            "flow": flow_name,
            "run": run_name,
            "run_id": run_id,
            "state": state_name,
            "stage": stage,
            "error": error,
        },
        raised_at=dt.datetime.now(dt.UTC),
    )


def ops_channels(config: SeriesConfig | None) -> list[ChannelConfig]:
    """Channels marked ``ops: true``; the console when none is (or the series is unreadable)."""
    marked = [c for c in config.channels if c.ops] if config is not None else []
    return marked or [ChannelConfig(kind="console")]


def send_ops_alert(alert: Alert, settings: Settings, config: SeriesConfig | None) -> int:
    """Send ``alert`` to each ops channel; returns how many took it. Failures are logged."""
    from tasks.alerts.channels import build_notifier, missing_settings
    from tasks.alerts.notify import channel_template_dir
    from tasks.alerts.secrets import with_secret_blocks

    channels = ops_channels(config)
    if config is None:
        # The series file cannot be read (a typo in it, an unknown series), so its ops channels
        # are unknown and every scheduled run fails: a Slack webhook the settings hold still
        # hears of it, or ops watching Slack would never learn ingestion has stopped.
        settings = with_secret_blocks(settings, ["slack"])
        if not missing_settings("slack", settings):
            channels = [ChannelConfig(kind="slack")]
    settings = with_secret_blocks(settings, [c.kind for c in channels])
    sent = 0
    for channel in channels:
        missing = missing_settings(channel.kind, settings)
        if missing:
            log.error("ops alert not sent to %s: needs %s", channel.kind, " and ".join(missing))
            continue
        try:
            template_dir = channel_template_dir(config, channel) if config else None
            build_notifier(channel.kind, settings, template_dir=template_dir).send([alert])
        except ReportwatchError as exc:  # notifier errors are already redacted
            log.error("ops alert not sent to %s: %s", channel.kind, exc.one_line())
            continue
        sent += 1
    if sent == 0 and all(c.kind != "console" for c in channels):
        # no ops channel could take it (not configured, or down): never lose the message
        log.error("no ops channel took the alert; printing it to the console")
        build_notifier("console", settings).send([alert])
        sent = 1
    return sent


def notify_ops_on_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect flow hook (signature: flow, flow_run, state). Never raises."""
    try:
        settings = load_settings()
        series_id = str((flow_run.parameters or {}).get("series", "kfor"))
        config: SeriesConfig | None
        try:
            config = load_series(series_id, settings.series_dir)
        except ReportwatchError as series_error:
            log.error("series %s unreadable, ops alert goes to the configured Slack webhook, "
                      "else the console: %s", series_id, series_error.one_line())  # fmt: skip
            config = None
        failure = exception_of(state)
        alert = ops_alert(
            flow_name=str(flow.name), run_name=str(flow_run.name), run_id=str(flow_run.id),
            series=series_id, state_name=str(state.name),
            stage=failed_stage(failure, flow_run.id), error=error_text(failure, state),
        )  # fmt: skip
        send_ops_alert(alert, settings, config)
    except Exception as hook_error:  # a hook must not mask the run's own failure
        log.error("could not send the ops alert: %s: %s", type(hook_error).__name__, hook_error)
