"""Progress of a run, stage by stage, for whoever is watching.

Stages report through a handful of calls, which cost nothing when nobody listens:

    start("fetch", total=16, unit="documents")    a stage begins (``total`` may be None)
    add_total("discover", 80)                      more work became known (harvest windows)
    advance("fetch", "S/2021/228")                 one item is done (``n=`` several)
    finish("fetch", "16 fetched, 0 failed")        the stage's outcome, in one line

Nobody listens in a scheduled run, which writes one log line per stage instead
(``flows/ingest.py``). The CLI listens for the length of one command (``flows/cli/progress.py``)
and draws one progress display per stage. Calls come from Prefect's worker threads: a listener
must be thread-safe. A listener that raises is a bug in the display, never a reason to fail a
run, so its errors are logged and swallowed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Listener(Protocol):
    def started(self, stage: str, total: int | None, unit: str) -> None: ...

    def added(self, stage: str, count: int) -> None: ...

    def advanced(self, stage: str, item: str | None, n: int) -> None: ...

    def finished(self, stage: str, line: str) -> None: ...


_listeners: list[Listener] = []
_guard = threading.Lock()


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    """Send every progress call made in this process to ``listener`` until the block ends."""
    with _guard:
        _listeners.append(listener)
    try:
        yield listener
    finally:
        with _guard:
            _listeners.remove(listener)


def _tell(call: Callable[[Listener], None]) -> None:
    with _guard:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            call(listener)
        except Exception:  # a broken display must never fail the run it shows
            log.exception("progress listener %r failed", listener)


def start(stage: str, total: int | None = None, unit: str = "items") -> None:
    _tell(lambda listener: listener.started(stage, total, unit))


def add_total(stage: str, count: int) -> None:
    if count:
        _tell(lambda listener: listener.added(stage, count))


def advance(stage: str, item: str | None = None, n: int = 1) -> None:
    _tell(lambda listener: listener.advanced(stage, item, n))


def finish(stage: str, line: str) -> None:
    _tell(lambda listener: listener.finished(stage, line))


def track(stage: str, items: Iterable[T], label: Callable[[T], str] = str) -> Iterator[T]:
    """Yield ``items``, counting each one done when the caller asks for the next.

    ``for window in track("discover", windows, label=...)``: the total grows by the number of
    items; a loop that stops early (``break``, an exception) leaves the rest uncounted.
    """
    pending = list(items)
    add_total(stage, len(pending))
    for item in pending:
        yield item
        advance(stage, label(item))
