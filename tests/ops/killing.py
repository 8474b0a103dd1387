"""An operator with ``kill -9``: runs the real ``reportwatch`` CLI and kills it at named points.

The run stops itself at a named pause point (``REPORTWATCH_PAUSE_AT``, see
``reportwatch/pausepoints.py``) and writes a marker; only then is it sent SIGKILL, so every kill
lands exactly where the test says. After a kill the operator checks that nothing the CLI
started outlives it (its process group empties: no orphaned Prefect server).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.demo.mirror import MirrorServer
from tests.ops.servers import REPORTWATCH, Process, clean_env, start_process, tail
from tests.slack_server import LoopbackWebhook
from tests.smtp_server import LoopbackSMTP
from warehouse import open_reader

RUN = [REPORTWATCH, "run", "--series", "kfor", "--since", "2020-01-01", "--as-of"]
AS_OF = "2024-06-30"
WAIT = 300.0  # seconds: a run on a busy 2-core machine, with a temporary Prefect API to start


@dataclass
class Sinks:
    """Where alerts land: a Slack webhook and an SMTP server, both on 127.0.0.1."""

    webhook: LoopbackWebhook
    smtp: LoopbackSMTP

    def slack(self) -> Counter[str]:
        """Each Slack message by its first line (the alert's headline)."""
        return Counter(p.json()["blocks"][0]["text"]["text"] for p in self.webhook.posts)

    def email_keys(self) -> Counter[str]:
        """Each alert key the mails carried, once per mail that carried it."""
        keys: Counter[str] = Counter()
        for mail in self.smtp.mail:
            keys.update(mail.message.get_all("X-Reportwatch-Alert-Key") or [])
        return keys

    def message_ids(self) -> list[str]:
        return [str(m.message["Message-ID"]) for m in self.smtp.mail]


@dataclass
class Operator:
    """Runs ``reportwatch`` against one data folder, as a cron job and an operator would."""

    root: Path
    mirror: MirrorServer
    sinks: Sinks
    api_url: str | None
    runs: int = 0
    logs: list[Path] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def pause_dir(self) -> Path:
        return self.root / "pause"

    def env(self, pause_at: str | None, *, ephemeral: bool = False) -> dict[str, str]:
        self.pause_dir.mkdir(parents=True, exist_ok=True)
        values = {
            "REPORTWATCH_DATA_DIR": str(self.data_dir),
            "REPORTWATCH_UNDL_URL": self.mirror.base_url,
            "REPORTWATCH_ODS_URL": self.mirror.base_url,
            "REPORTWATCH_ALLOWED_HOSTS": "127.0.0.1",
            "REPORTWATCH_MIN_REQUEST_INTERVAL": "0",
            "REPORTWATCH_SLACK_WEBHOOK_URL": self.sinks.webhook.url,
            "REPORTWATCH_SMTP_HOST": "127.0.0.1",
            "REPORTWATCH_SMTP_PORT": str(self.sinks.smtp.port),
            "REPORTWATCH_SMTP_STARTTLS": "false",
            "REPORTWATCH_EMAIL_FROM": "reportwatch@example.org",
            "REPORTWATCH_EMAIL_TO": "duty-officer@example.org",
            "REPORTWATCH_PAUSE_DIR": str(self.pause_dir),
            # each run its own Prefect home: two temporary APIs never share one SQLite file
            "PREFECT_HOME": str(self.root / f"prefect-home-{self.runs}"),
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        }
        if pause_at:
            values["REPORTWATCH_PAUSE_AT"] = pause_at
        if self.api_url and not ephemeral:
            values["PREFECT_API_URL"] = self.api_url
        return clean_env(values)

    def start(
        self, pause_at: str | None = None, *, ephemeral: bool = False, as_of: str = AS_OF
    ) -> Process:
        self.runs += 1
        name = f"run-{self.runs}" + (f"-{pause_at.replace(':', '-')}" if pause_at else "")
        process = start_process(name, [*RUN, as_of], env=self.env(pause_at, ephemeral=ephemeral),
                                log_dir=self.root)  # fmt: skip
        self.logs.append(process.log)
        return process

    def marker(self, point: str) -> Path:
        return self.pause_dir / f"{point.partition('#')[0].replace(':', '-')}.paused"

    def wait_paused(self, process: Process, point: str) -> int:
        """Wait until ``process`` holds at ``point``; returns its pid (from the marker)."""
        marker = self.marker(point)
        deadline = time.monotonic() + WAIT
        while not marker.exists():
            if process.popen.poll() is not None:
                raise AssertionError(
                    f"{process.name} ended ({process.popen.returncode}) before reaching {point}:"
                    f"\n{tail(process.log)}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"{process.name} never reached {point}:\n{tail(process.log)}")
            time.sleep(0.05)
        pid, name = marker.read_text(encoding="utf-8").split()[:2]
        assert int(pid) == process.popen.pid and name == point.partition("#")[0]
        return int(pid)

    def kill_at(self, point: str, *, ephemeral: bool = False) -> int:
        """Start a run, let it reach ``point``, SIGKILL it; returns the pid killed."""
        process = self.start(point, ephemeral=ephemeral)
        pid = self.wait_paused(process, point)
        self.kill(process)
        self.marker(point).unlink()
        return pid

    def kill(self, process: Process) -> None:
        """SIGKILL the CLI itself (not its group, as ``kill -9 PID`` does), then make sure
        everything it started goes too."""
        group = process_group(process.popen.pid)
        os.kill(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=30)
        left = wait_gone(group - {process.popen.pid})
        assert not left, f"orphans of {process.name}: {left}"

    def finish(self, process: Process, *, expect: int = 0) -> str:
        """Wait for ``process`` to end by itself with exit code ``expect`` (0: completed, 3:
        completed-degraded). Returns its output."""
        code = process.popen.wait(timeout=WAIT)
        output = process.output()
        assert code == expect, f"{process.name} exited {code}:\n{tail(process.log)}"
        assert not wait_gone(process_group(process.popen.pid)), f"{process.name} left orphans"
        return output

    def run(self, *, as_of: str = AS_OF) -> str:
        return self.finish(self.start(as_of=as_of))

    def status(self) -> str:
        result = CliRunner().invoke(app, ["status", "--data-dir", str(self.data_dir)])
        assert result.exit_code == 0, result.output
        return result.output

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with open_reader(self.data_dir / "warehouse.duckdb") as con:
            return con.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list[Any] | None = None) -> Any:
        return self.query(sql, params)[0][0]


def process_group(pgid: int) -> set[int]:
    """Live processes of process group ``pgid`` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            found.add(int(entry.name))
    return found


def wait_gone(pids: set[int], timeout: float = 30.0) -> dict[int, str]:
    """Wait for ``pids`` to exit; returns those still alive (pid → command line)."""
    deadline = time.monotonic() + timeout
    alive = dict.fromkeys(pids, "")
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                state, cmd = "X", ""
            if state in ("Z", "X"):
                del alive[pid]
            else:
                alive[pid] = cmd[:200]
        if alive:
            time.sleep(0.1)
    return alive
