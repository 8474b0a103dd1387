"""The Prefect API a command-line run talks to: the configured one, or a temporary one that
dies with the command.

Without ``PREFECT_API_URL`` Prefect starts a temporary API server (uvicorn) in a child process
and stops it at exit, but a CLI killed with SIGKILL (or SIGTERM, which skips ``atexit``) leaves
that server running for ever. :func:`prefect_api` starts the same server through a factory
that watches its parent: when the CLI process is gone, the server stops itself within a
second. With ``PREFECT_API_URL`` set, the configured server is used and nothing is started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PARENT_ENV = "REPORTWATCH_API_PARENT_PID"
GRACE_SECONDS = 10.0


@contextmanager
def prefect_api() -> Iterator[str | None]:
    """Yield the API URL runs in this block use: the configured one, else a temporary server's.

    The temporary server is stopped when the block ends, and by itself when this process dies.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:
        yield str(configured)
        return
    server = _watched_server()
    server.start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            try:
                yield server.api_url
            finally:
                _drain()  # send the logs and events still queued while the API listens
    finally:
        server.stop()


def _drain(timeout: float = 10.0) -> None:
    """What Prefect's own test harness does before stopping its server."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(RuntimeError):  # never started in this process
            worker.drain_all(timeout=timeout)


def _watched_server() -> Any:
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class WatchedServer(SubprocessASGIServer):  # type: ignore[misc]
        """Prefect's temporary server, started through :func:`create_app` below."""

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            env = {
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
                PARENT_ENV: str(os.getpid()),
            }
            command = [
                sys.executable, "-m", "uvicorn", "--factory", f"{__name__}:create_app",
                "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error",
                "--lifespan", "on",
            ]  # fmt: skip
            # a session of its own: the terminal's Ctrl-C goes to the CLI, which ends the run
            # and then stops this server (a server stopped first leaves the run retrying)
            return subprocess.Popen(command, env=env, start_new_session=True)

    # SubprocessASGIServer keeps one instance per port; a new port gives a new instance.
    return WatchedServer(port=None)


def create_app() -> Any:
    """The uvicorn factory of the temporary server: Prefect's app, plus a parent watch."""
    from prefect.server.api.server import create_app as prefect_app

    parent = int(os.environ.get(PARENT_ENV, "0") or 0)
    if parent:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    return prefect_app()


def _watch_parent(parent: int) -> None:
    """Stop this server once ``parent`` is gone (this process is then re-parented)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown
    time.sleep(GRACE_SECONDS)
    os._exit(1)
