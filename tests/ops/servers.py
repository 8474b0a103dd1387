"""Real servers for the operations tests: `prefect server start`, PostgreSQL, Prefect processes.

Everything binds 127.0.0.1 on a free port and lives in a temporary folder. Processes get a
clean environment (no PREFECT_* or REPORTWATCH_* from the developer's shell) plus what the
test passes, and their output goes to a log file that failure messages quote.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
PREFECT = str(BIN_DIR / "prefect")
REPORTWATCH = str(BIN_DIR / "reportwatch")
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test process' environment minus Prefect and reportwatch settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "REPORTWATCH_"))}
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


def tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"(no {path})"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@dataclass
class Process:
    """A background process whose output goes to ``log``."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Signal the process group (it and its children, as systemd does), then wait."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        # children that outlived the leader (a flow run subprocess) go too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        return int(self.popen.returncode)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def start_process(
    name: str, args: Sequence[str], *, env: dict[str, str], log_dir: Path, cwd: Path = REPO_ROOT
) -> Process:
    log = log_dir / f"{name}.log"
    handle = log.open("ab")
    try:
        popen = subprocess.Popen(
            list(args), cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,  # our own process group: a stop never reaches pytest
        )  # fmt: skip
    finally:
        handle.close()
    return Process(name, popen, log)


@dataclass
class PrefectServer:
    """A running ``prefect server start`` and how to talk to it."""

    port: int
    root: Path
    process: Process
    auth_string: str | None = None
    client_home: Path = field(init=False)

    def __post_init__(self) -> None:
        self.client_home = self.root / "client-home"
        self.client_home.mkdir(exist_ok=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Environment of a client process (CLI, worker, serve) pointed at this server."""
        values = {"PREFECT_API_URL": self.api_url, "PREFECT_HOME": str(self.client_home)}
        if self.auth_string:
            values["PREFECT_API_AUTH_STRING"] = self.auth_string
        return clean_env({**values, **(extra or {})})

    def client(self) -> Any:
        from prefect.client.orchestration import SyncPrefectClient

        return SyncPrefectClient(self.api_url, auth_string=self.auth_string)

    def prefect(
        self, *args: str, extra: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run the ``prefect`` CLI against this server from the repository root; must succeed."""
        done = self.run([PREFECT, *args], extra=extra, timeout=timeout)
        assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def run(
        self, args: Sequence[str], *, extra: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run any command as a client of this server, from the repository root."""
        return subprocess.run(
            list(args), cwd=REPO_ROOT, env=self.env(extra), capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip

    def start(self, name: str, args: Sequence[str], extra: dict[str, str] | None = None) -> Process:
        return start_process(name, args, env=self.env(extra), log_dir=self.root)


def _wait_healthy(url: str, process: Process, headers: dict[str, str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{tail(process.log)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, headers=headers, timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"{process.name} not healthy after {timeout} s:\n{tail(process.log)}")


def basic_auth_header(auth_string: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(auth_string.encode()).decode()}


@contextlib.contextmanager
def running_prefect_server(
    root: Path,
    *,
    database_url: str | None = None,
    auth_string: str | None = None,
    startup_timeout: float = 120,
) -> Iterator[PrefectServer]:
    """``prefect server start`` on 127.0.0.1 (Prefect's default host: no ``--host`` given)."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    extra = {
        "PREFECT_HOME": str(root / "server-home"),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    }
    if database_url:
        extra["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    if auth_string:
        extra["PREFECT_SERVER_API_AUTH_STRING"] = auth_string
    process = start_process(
        "prefect-server", [PREFECT, "server", "start", "--port", str(port)],
        env=clean_env(extra), log_dir=root,
    )  # fmt: skip
    server = PrefectServer(port=port, root=root, process=process, auth_string=auth_string)
    try:
        headers = basic_auth_header(auth_string) if auth_string else {}
        _wait_healthy(f"{server.api_url}/health", process, headers, startup_timeout)
        yield server
    finally:
        process.stop(signal.SIGTERM)


def wait_for_runs(client: Any, run_ids: Sequence[Any], *, timeout: float = 300) -> dict[Any, Any]:
    """Poll until every run is final; returns {run id: flow run}. A guard, not a timing check."""
    deadline = time.monotonic() + timeout
    runs: dict[Any, Any] = {}
    while time.monotonic() < deadline:
        runs = {run_id: client.read_flow_run(run_id) for run_id in run_ids}
        if all(r.state is not None and r.state.type.value in FINAL_STATES for r in runs.values()):
            return runs
        time.sleep(1)
    states = {str(k): (r.state.name if r.state else None) for k, r in runs.items()}
    raise AssertionError(f"runs not final after {timeout} s: {states}")


def listening_addresses(port: int) -> set[str]:
    """Local IPv4/IPv6 addresses with a socket listening on ``port`` (Linux /proc/net/tcp*)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, port_hex = local.partition(":")
                if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                    found.add(_decode_address(address))
    return found


def _decode_address(hex_address: str) -> str:
    import ipaddress

    raw = bytes.fromhex(hex_address)
    # the kernel prints each 32-bit word in host (little-endian) order
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


# PostgreSQL ---------------------------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """Where initdb/pg_ctl live: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


@dataclass
class PostgresCluster:
    port: int
    data_dir: Path
    bin_dir: Path
    run_as: list[str]

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.run_as, str(self.bin_dir / tool), *args],
            capture_output=True, text=True, timeout=120, cwd="/",
        )  # fmt: skip
        assert done.returncode == 0, f"{tool} {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresCluster]:
    """A throwaway cluster: ``initdb -A trust`` into a temp dir, ``pg_ctl start`` on 127.0.0.1.

    PostgreSQL refuses to run as root, so as root the tools run as the ``postgres`` user
    (Debian's package creates it) and the folder is handed to that user.
    """
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL is not installed (no pg_ctl): run `bash .ci/scale.sh`, which installs it"
        )
    data_root = Path(tempfile.mkdtemp(prefix="reportwatch-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(data_root, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = PostgresCluster(free_port(), data_root / "data", bin_dir, run_as)
    try:
        cluster.run("initdb", "-A", "trust", "-U", "postgres", "--no-sync", "-D",
                    str(cluster.data_dir))  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {data_root}"
        cluster.run("pg_ctl", "-D", str(cluster.data_dir), "-o", options, "-l",
                    str(data_root / "postgres.log"), "-w", "-t", "60", "start")  # fmt: skip
        try:
            cluster.run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                        "prefect")  # fmt: skip
            yield cluster
        finally:
            cluster.run("pg_ctl", "-D", str(cluster.data_dir), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(data_root, ignore_errors=True)
