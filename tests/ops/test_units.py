"""The systemd unit files in deployments/ start what the runbook says, as it says."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from deployments.plan import WORK_POOL
from tests.ops.servers import REPO_ROOT

UNITS = {
    "prefect-server.service": ["prefect", "server", "start"],
    "reportwatch-worker@.service": ["prefect", "worker", "start"],
    "reportwatch-serve.service": ["python", "-m", "deployments.serve"],
}
INSTALL_DIR = "/opt/reportwatch"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(REPO_ROOT / "deployments" / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name", sorted(UNITS))
def test_each_unit_runs_its_command_unprivileged_and_restarts(name: str) -> None:
    service = _unit(name)["Service"]
    command = shlex.split(service["ExecStart"])
    assert Path(command[0]).name == UNITS[name][0]
    assert command[1 : len(UNITS[name])] == UNITS[name][1:]
    assert command[0].startswith(f"{INSTALL_DIR}/.venv/bin/")
    assert service["User"] == "reportwatch", "never run the server or flows as root"
    assert service["Restart"] in ("always", "on-failure")
    assert service["WorkingDirectory"] == INSTALL_DIR  # the pull step's REPORTWATCH_CODE_DIR


def test_workers_poll_the_pool_the_deployments_use_one_run_at_a_time() -> None:
    command = shlex.split(_unit("reportwatch-worker@.service")["Service"]["ExecStart"])
    assert command[command.index("--pool") + 1] == WORK_POOL
    assert command[command.index("--limit") + 1] == "1"
    assert command[command.index("--type") + 1] == "process"


def test_the_server_unit_keeps_the_api_on_loopback() -> None:
    text = (REPO_ROOT / "deployments" / "prefect-server.service").read_text(encoding="utf-8")
    assert "--host" not in _unit("prefect-server.service")["Service"]["ExecStart"]
    assert "PREFECT_SERVER_API_HOST=127.0.0.1" in text
    assert "0.0.0.0" not in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_unit_files(tmp_path: Path) -> None:
    # verify checks every key and that ExecStart exists; point it at this checkout's venv
    copies = []
    for name in UNITS:
        text = (REPO_ROOT / "deployments" / name).read_text(encoding="utf-8")
        copy = tmp_path / name.replace("@.", "@1.")
        copy.write_text(text.replace(INSTALL_DIR, str(REPO_ROOT)), encoding="utf-8")
        copies.append(str(copy))
    done = subprocess.run(
        ["systemd-analyze", "verify", *copies], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), (
        done.stdout + done.stderr
    )
