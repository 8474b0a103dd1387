"""One Prefect test harness for every flow test (starting one takes several seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.testing.utilities import prefect_test_harness

from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from tests.slack_server import LoopbackWebhook


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=90):
        # heartbeats cost ~1 s per flow run in tests; production keeps them on
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    """The bundled sample archive over OAI-PMH + ODS on 127.0.0.1 (one per test module)."""
    with MirrorServer(SAMPLES_DIR) as server:
        yield server


@pytest.fixture(scope="module")
def webhook() -> Iterator[LoopbackWebhook]:
    """A Slack-style incoming webhook on 127.0.0.1 that records what it receives."""
    with LoopbackWebhook() as server:
        yield server


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder per module: the flow tests of a module tell one story in order."""
    return tmp_path_factory.mktemp("flow-data")


def point_at_mirror(monkeypatch: pytest.MonkeyPatch, base_url: str, data_dir: Path) -> None:
    """Settings for a run against a loopback mirror: its URLs, no politeness delay, private data."""
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REPORTWATCH_UNDL_URL", base_url)
    monkeypatch.setenv("REPORTWATCH_ODS_URL", base_url)
    monkeypatch.setenv("REPORTWATCH_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("REPORTWATCH_MIN_REQUEST_INTERVAL", "0")
