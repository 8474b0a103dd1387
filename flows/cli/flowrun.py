"""Running a Prefect flow from the command line: quiet, with progress, and a Ctrl-C that works.

* **Quiet by default.** Prefect logs every task run, a banner about its temporary server and, on
  every run without a Prefect server, a warning that the ``reportwatch-warehouse`` concurrency
  limit does not exist (it never does on the temporary server, and DuckDB's file lock serializes
  writers anyway). The CLI shows its own progress and result instead: Prefect's loggers are set
  to WARNING, that warning and Prefect's own reports of a failure (which the CLI prints as one
  line) are dropped, and tracebacks are left to ``-v``. ``reportwatch -v`` shows Prefect's logs.
* **Ctrl-C.** The terminal sends SIGINT to every process in its foreground group, and Prefect
  starts its temporary API server in ours: the server stopped at once, and the run then spent
  minutes retrying to report to it. The CLI therefore starts that server in a session of its own
  (:func:`flows.api_server.prefect_api`; it is stopped when the command exits, and stops itself
  when the command dies). The first Ctrl-C
  raises KeyboardInterrupt in the flow, which records the run as cancelled and tells the worker
  threads to stop (:mod:`reportwatch.interrupt`); nothing more is printed but one line. A second
  Ctrl-C stops at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from flows.cli.errors import say
from reportwatch import interrupt, progress

# Prefect's reports of what the CLI reports itself (a failure is one `error:` line), and the
# warning every run without a Prefect server gives (see the module docstring).
NOISE = (
    "do not exist - skipping acquisition",
    "Finished in state",
    "Task run failed with exception",
    "Crash detected",
    "Encountered exception during execution",
)


class Settings:
    """The global options of one command (``--verbose``), set by the app's callback."""

    verbose = False


def prefect_environment() -> None:
    """Environment Prefect must see before it is imported: no telemetry, patient start-up."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # two temporary servers starting at once on a busy 2-core machine can take over 20 s
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


class _Quiet(logging.Filter):
    """What the console handler may print while a command runs a flow quietly."""

    def filter(self, record: logging.LogRecord) -> bool:
        if interrupt.requested():
            return False  # the person pressed Ctrl-C: one line says so, nothing else
        message = record.getMessage()
        if any(noise in message for noise in NOISE):
            return False
        record.exc_info, record.exc_text = None, None  # tracebacks are for -v
        return True


@contextmanager
def prefect_output(verbose: bool) -> Iterator[None]:
    """Prefect's console output for one command: WARNING and no noise, or everything (-v)."""
    logger = logging.getLogger("prefect")
    level = logger.level
    # Quiet stays quiet to the end: Prefect says goodbye to its temporary server at exit.
    logger.setLevel(logging.INFO if verbose else max(level, logging.WARNING))
    _reopen_closed_consoles()
    quiet = _Quiet()
    handlers = [] if verbose else list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)
        if verbose:
            logger.setLevel(level)


def _reopen_closed_consoles() -> None:
    """Point Prefect's console handlers whose stream was closed at today's standard error.

    Prefect builds its console handlers once per process, on the standard error of the time.
    A program that runs several commands in one process (a test runner, a notebook) replaces
    and closes that stream between commands; Prefect's next warning would then print a
    "Logging error" traceback instead of the warning.
    """
    loggers = [logging.getLogger()] + [
        logging.getLogger(name)
        for name in list(logging.Logger.manager.loggerDict)
        if name == "prefect" or name.startswith("prefect.")
    ]
    for handler in {h for lg in loggers for h in lg.handlers}:
        stream = getattr(handler, "stream", None)
        if isinstance(handler, logging.StreamHandler) and getattr(stream, "closed", False):
            with handler.lock or contextlib.nullcontext():  # setStream would flush the closed one
                handler.stream = sys.stderr
            console = getattr(handler, "console", None)
            if console is not None:
                console.file = sys.stderr


def _stop_servers() -> None:
    from prefect.server.api.server import SubprocessASGIServer

    for server in list(SubprocessASGIServer._instances.values()):
        process = getattr(server, "server_process", None)
        if process is not None and process.poll() is None:
            process.terminate()


@contextmanager
def ctrl_c() -> Iterator[None]:
    """First Ctrl-C (or SIGTERM, SIGHUP): stop worker threads and interrupt the flow; second:
    exit at once. The exit code is 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum: int, frame: Any) -> None:
        if interrupt.requested():
            say("interrupted again: stopping now; the run may stay marked running")
            _stop_servers()
            os._exit(interrupt.exit_code())
        interrupt.request(signum)
        raise KeyboardInterrupt

    # A closed terminal (SIGHUP) and a stop signal (SIGTERM: `systemctl stop`, `timeout`, `kill`)
    # stop the run the same way: the temporary server is in a session of its own now, so it would
    # otherwise outlive the terminal, and the run would stay `running` until taken over.
    signals = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)
    previous = {sig: signal.signal(sig, on_interrupt) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_flow(console: Console, call: Callable[[], Any], *, what: str) -> dict[str, Any]:
    """Call a flow (``return_state=True``) with progress shown; its result, or one line and exit.

    ``what`` names the run in the line printed when it was cancelled (``kfor run``).
    """
    from flows.api_server import prefect_api
    from flows.cli.progress import StageProgress

    interrupt.clear()
    display = StageProgress(console)
    with prefect_output(Settings.verbose), ctrl_c(), prefect_api():
        with progress.listening(display), display:
            state = call()
    if state.is_cancelled():
        say(
            f"cancelled: {what} was interrupted ({interrupt.reason()}) and is recorded as "
            "cancelled; what it saved stays, the next run does the rest"
        )
        raise typer.Exit(code=interrupt.exit_code())
    result: dict[str, Any] = state.result()  # a failed run raises its error: one line
    return result
