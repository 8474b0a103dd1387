"""The ops alert of a failed run: which stage, which error, which channel, never raising.

These call the hook's plain functions with real Prefect state objects and a real loopback
Slack webhook; the flow-level test (a real failing run under the harness) is in
tests/flows/test_alert_delivery.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from prefect import flow
from prefect.client.schemas.objects import FlowRun
from prefect.states import Crashed, Failed
from pydantic import SecretStr

from reportwatch.errors import SeriesError, TransientFetchError
from reportwatch.series import ChannelConfig, load_series
from reportwatch.settings import Settings
from tasks.alerts.ops import (
    error_text,
    exception_of,
    failed_stage,
    failing_stage,
    notify_ops_on_failure,
    ops_alert,
    ops_channels,
    send_ops_alert,
    stage_from_task_run_name,
    stage_of,
)
from tests.slack_server import WEBHOOK_PATH, LoopbackWebhook, Reply

KFOR = load_series("kfor")
TOKEN = WEBHOOK_PATH.rsplit("/", 1)[1]


@pytest.fixture
def webhook() -> Iterator[LoopbackWebhook]:
    with LoopbackWebhook() as server:
        yield server


@flow(name="reportwatch-ingest")
def ingest_like() -> None:
    """A real flow object (never run here): the hook reads its name."""


def fetch_failure() -> TransientFetchError:
    return TransientFetchError(
        "http://127.0.0.1:9/oai2d answered 503 after 4 attempts", hint="the source is down"
    )


def test_a_stage_marked_by_the_flow_travels_on_the_exception() -> None:
    with pytest.raises(TransientFetchError) as caught, failing_stage("discover"):
        with failing_stage("fetch"):
            raise fetch_failure()
    assert stage_of(caught.value) == "fetch"  # the innermost stage wins
    assert failed_stage(caught.value, None) == "fetch"
    assert failed_stage(ValueError("no note"), None) == "flow"
    assert failed_stage(None, None) == "flow"


def test_task_run_names_become_stage_names() -> None:
    assert stage_from_task_run_name("detect-3fa") == "detect"
    assert stage_from_task_run_name("read-document-0b1") == "read-document"
    assert stage_from_task_run_name("fetch-S/2023/966") == "fetch-S/2023/966"


def test_the_error_text_says_type_message_and_hint() -> None:
    failure = fetch_failure()
    state = Failed(message="Flow run encountered an exception", data=failure)
    assert exception_of(state) is failure
    assert error_text(failure, state) == (
        "TransientFetchError: http://127.0.0.1:9/oai2d answered 503 after 4 attempts "
        "(the source is down)"
    )
    crashed = Crashed(message="Flow run infrastructure exited with non-zero status code 137")
    assert error_text(exception_of(crashed), crashed) == (
        "CrashedRun: Flow run infrastructure exited with non-zero status code 137"
    )
    assert error_text(None, Failed(message="no exception kept")) == "no exception kept"


def test_ops_alert_is_critical_and_keyed_by_run() -> None:
    run_id = str(uuid.uuid4())
    alert = ops_alert(
        flow_name="reportwatch-ingest", run_name="brave-otter", run_id=run_id, series="kfor",
        state_name="Failed", stage="load", error="WarehouseLockedError: locked",
    )  # fmt: skip
    assert alert.severity == "critical" and alert.rule_id == "ops-run-failed"
    assert alert.headline == (
        "reportwatch-ingest run brave-otter failed in stage load: WarehouseLockedError: locked"
    )
    again = ops_alert(
        flow_name="reportwatch-ingest", run_name="brave-otter", run_id=run_id, series="kfor",
        state_name="Failed", stage="load", error="WarehouseLockedError: locked",
    )  # fmt: skip
    assert again.key == alert.key and alert.evidence_text is None  # nothing said twice
    long_error = "ExtractError: " + "page furniture " * 30
    cut = ops_alert(
        flow_name="reportwatch-ingest", run_name="brave-otter", run_id=run_id, series="kfor",
        state_name="Crashed", stage="read-document", error=long_error,
    )  # fmt: skip
    assert len(cut.headline) == 240 and cut.headline.endswith("…")
    assert cut.headline.startswith("reportwatch-ingest run brave-otter crashed in stage read-doc")
    assert cut.evidence_text == long_error  # the whole error goes in the message body


def test_ops_channels_are_those_marked_ops_else_the_console() -> None:
    assert [c.kind for c in ops_channels(KFOR)] == ["slack"]  # kfor marks its Slack channel
    marked = KFOR.model_copy(
        update={"channels": [ChannelConfig(kind="slack", ops=True), ChannelConfig(kind="email")]}
    )
    assert [c.kind for c in ops_channels(marked)] == ["slack"]
    assert [c.kind for c in ops_channels(None)] == ["console"]
    unmarked = KFOR.model_copy(update={"channels": [ChannelConfig(kind="email")]})
    assert [c.kind for c in ops_channels(unmarked)] == ["console"]


def test_an_ops_alert_nobody_can_take_falls_back_to_the_console(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = KFOR.model_copy(update={"channels": [ChannelConfig(kind="slack", ops=True)]})
    alert = ops_alert(
        flow_name="reportwatch-ingest", run_name="calm-heron", run_id="r2", series="kfor",
        state_name="Failed", stage="load", error="WarehouseError: disk full",
    )  # fmt: skip
    assert send_ops_alert(alert, Settings(), config) == 1  # Slack is not configured
    assert "calm-heron" in capsys.readouterr().out


def test_ops_alert_reaches_slack_once_and_a_failing_channel_only_logs(
    webhook: LoopbackWebhook, caplog: pytest.LogCaptureFixture
) -> None:
    config = KFOR.model_copy(update={"channels": [ChannelConfig(kind="slack", ops=True)]})
    settings = Settings(slack_webhook_url=SecretStr(webhook.url))
    alert = ops_alert(
        flow_name="reportwatch-ingest", run_name="brave-otter", run_id="r1", series="kfor",
        state_name="Failed", stage="discover", error="SeriesError: bad source",
    )  # fmt: skip
    assert send_ops_alert(alert, settings, config) == 1
    assert webhook.posts[0].json()["text"] == (
        ":rotating_light: [critical] reportwatch-ingest run brave-otter failed in stage "
        "discover: SeriesError: bad source"
    )
    webhook.reply_with(Reply(status=500, body="internal_error"))
    # logged (secret redacted), not raised, and the console gets it instead
    assert send_ops_alert(alert, settings, config) == 1
    assert "ops alert not sent to slack" in caplog.text and TOKEN not in caplog.text
    assert "printing it to the console" in caplog.text


def test_the_hook_prints_to_the_console_when_no_channel_is_marked_ops(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @failing_stage("discover")
    def discover() -> None:
        raise SeriesError("series kfor: unknown source kind 'x'", hint="known kinds: ods")

    with pytest.raises(SeriesError) as caught:
        discover()
    flow_run = FlowRun(name="calm-heron", flow_id=uuid.uuid4(), parameters={"series": "kfor"})
    notify_ops_on_failure(ingest_like, flow_run, Failed(message="failed", data=caught.value))
    out = " ".join(capsys.readouterr().out.split())
    assert "reportwatch-ingest run calm-heron failed in stage discover" in out
    assert "unknown source kind 'x'" in out


def test_the_hook_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    notify_ops_on_failure(object(), object(), object())  # nothing it expects is there
    assert "could not send the ops alert" in caplog.text


def test_an_unreadable_series_still_reaches_the_slack_webhook_of_the_settings(
    webhook: LoopbackWebhook, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """A typo in the series file fails every scheduled run: ops watching Slack must hear of it."""
    monkeypatch.setenv("REPORTWATCH_SERIES_DIR", str(tmp_path))  # no kfor.yaml there
    monkeypatch.setenv("REPORTWATCH_SLACK_WEBHOOK_URL", webhook.url)
    flow_run = FlowRun(name="calm-heron", flow_id=uuid.uuid4(), parameters={"series": "kfor"})
    failure = SeriesError("no series 'kfor'", hint="known series: none")
    notify_ops_on_failure(ingest_like, flow_run, Failed(message="failed", data=failure))
    assert len(webhook.posts) == 1
    assert "reportwatch-ingest run calm-heron failed" in webhook.posts[0].json()["text"]
