"""Fixtures for the operations tests: a real Prefect server (SQLite or PostgreSQL), the mirror.

Scale tests (``@pytest.mark.scale``) run only when selected with ``-m scale`` (``make
test-scale``, ``.ci/scale.sh``): they need PostgreSQL and take minutes, so a plain ``pytest``
skips them even when its marker expression does not exclude them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from tests.ops.servers import (
    REPO_ROOT,
    PostgresCluster,
    PrefectServer,
    running_postgres,
    running_prefect_server,
)

OPS_DIR = Path(__file__).resolve().parent
# The production setting turned on in tests too: clients must present it.
AUTH_STRING = "reportwatch-ops:correct-horse-battery-staple"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    expression = config.getoption("markexpr", "") or ""
    if re.search(r"(?<!not )\bscale\b", expression):
        return
    skip = pytest.mark.skip(reason="scale test: run with `make test-scale` (pytest -m scale)")
    for item in items:
        if item.get_closest_marker("scale") and OPS_DIR in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """One `prefect server start` per module: SQLite, temp PREFECT_HOME, basic auth on."""
    with running_prefect_server(
        tmp_path_factory.mktemp("prefect"), auth_string=AUTH_STRING
    ) as server:
        yield server


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresCluster]:
    with running_postgres() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def prefect_server_on_postgres(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresCluster
) -> Iterator[PrefectServer]:
    with running_prefect_server(
        tmp_path_factory.mktemp("prefect-pg"),
        database_url=postgres.url("prefect"),
        auth_string=AUTH_STRING,
    ) as server:
        yield server


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer(SAMPLES_DIR) as server:
        yield server


def reportwatch_env(mirror: MirrorServer, data_dir: Path) -> dict[str, str]:
    """What a worker machine's /etc/reportwatch/env holds, pointed at the loopback mirror."""
    return {
        "REPORTWATCH_CODE_DIR": str(REPO_ROOT),
        "REPORTWATCH_DATA_DIR": str(data_dir),
        "REPORTWATCH_UNDL_URL": mirror.base_url,
        "REPORTWATCH_ODS_URL": mirror.base_url,
        "REPORTWATCH_ALLOWED_HOSTS": "127.0.0.1",
        "REPORTWATCH_MIN_REQUEST_INTERVAL": "0",
    }
