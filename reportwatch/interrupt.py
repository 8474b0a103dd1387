"""Stopping a run early (Ctrl-C, SIGTERM): one process-wide flag that worker threads check.

Python delivers Ctrl-C (``KeyboardInterrupt``) to the main thread only. A download running in
one of Prefect's worker threads would carry on through its rate-limit pause, its request and
its retries: with the default five seconds between requests to a host and four threads
queueing for it, twenty seconds and more before the run could end. So the process that is
interrupted calls :func:`request`, and the fetch client's waits (:func:`pause`, :func:`check`)
raise :class:`RunInterrupted` in every thread from then on.

``RunInterrupted`` derives from ``BaseException``, as ``KeyboardInterrupt`` does, and is kept
out of the error tree of ``reportwatch/errors.py`` on purpose: it is no failure of the document
being fetched. The per-document guards catch ``Exception`` and record what they catch on the
candidate; an interrupted download must leave the candidate as it was, for the next run.
"""

from __future__ import annotations

import threading

_requested = threading.Event()
_reason = ["Ctrl-C"]

# What stopped the run, as the runs row and the CLI name it, and the exit code a shell expects
# (128 + the signal's number).
SIGNALS = {2: ("Ctrl-C", 130), 1: ("SIGHUP: the terminal closed", 129),
           15: ("SIGTERM: a stop signal", 143)}  # fmt: skip


class RunInterrupted(BaseException):
    """The run was interrupted; unwind this worker thread without recording anything."""


def request(signum: int = 2) -> None:
    """Ask every waiting worker thread of this process to stop; ``signum`` says what asked."""
    if not _requested.is_set():
        _reason[0] = SIGNALS.get(signum, SIGNALS[2])[0]
    _requested.set()


def reason() -> str:
    """What interrupted the run: "Ctrl-C", "SIGTERM: a stop signal", ..."""
    return _reason[0]


def exit_code() -> int:
    """The exit code for the interruption: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return next((code for why, code in SIGNALS.values() if why == _reason[0]), 130)


def clear() -> None:
    """Forget an earlier interruption (a new run starts)."""
    _requested.clear()
    _reason[0] = SIGNALS[2][0]


def requested() -> bool:
    return _requested.is_set()


def check() -> None:
    """Raise :class:`RunInterrupted` when the run was interrupted."""
    if _requested.is_set():
        raise RunInterrupted("the run was interrupted")


def pause(seconds: float) -> None:
    """``time.sleep(seconds)`` that ends early, raising :class:`RunInterrupted`, on an interrupt."""
    if _requested.wait(max(seconds, 0.0)):
        raise RunInterrupted("the run was interrupted")
