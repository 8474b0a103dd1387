"""Named pause points: a test hook that holds a run at a chosen instant, so a test can kill it there.

The kill tests (tests/ops/test_kill.py) must prove *where* they killed a run, so the run stops
itself at a named point and says so, instead of the test guessing with a timer:

* ``REPORTWATCH_PAUSE_AT`` names the points, comma-separated; ``name#n`` pauses the n-th time
  the point is reached in this process (default the first).
* ``REPORTWATCH_PAUSE_DIR`` is a folder: on reaching a point the process writes
  ``<folder>/<name>.paused`` (its pid, then the point's name) and sleeps until the file is
  deleted (then carries on) or the process is killed; after ``PAUSE_LIMIT`` it carries on.

Unset, as in production, a point costs one dictionary lookup. The points a run passes, in
order: ``discover`` (before the stage), ``discover:inside`` (a harvest's candidates and cursor
written, not committed), ``fetch``, ``fetch:inside`` (a download recorded), ``read``,
``read:inside`` (a document read, nothing of it stored), ``load``, ``load:inside`` (a load's
transaction open), ``detect``, ``detect:inside`` (alerts written, not committed), ``notify``,
``notify:sent:<kind>`` (a channel, e.g. ``slack``, accepted a message, its delivery not yet
recorded), ``notify:inside:<kind>`` (a delivery recorded, more to send), ``publish``,
``publish:inside`` (the snapshot's temporary copy written, not yet renamed into place).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from pathlib import Path

PAUSE_LIMIT = 600.0  # seconds; a forgotten pause must not hold a run for ever
_reached: Counter[str] = Counter()
_lock = threading.Lock()
log = logging.getLogger("reportwatch.pause")


def _wanted(name: str, count: int) -> bool:
    for spec in os.environ.get("REPORTWATCH_PAUSE_AT", "").split(","):
        point, _, nth = spec.strip().partition("#")
        if point == name and count == (int(nth) if nth.isdigit() else 1):
            return True
    return False


def pause_point(name: str) -> None:
    """Hold here when the environment asks for ``name`` (see the module docstring)."""
    if not os.environ.get("REPORTWATCH_PAUSE_AT"):
        return
    with _lock:
        _reached[name] += 1
        count = _reached[name]
    if not _wanted(name, count):
        return
    folder = Path(os.environ.get("REPORTWATCH_PAUSE_DIR") or ".")
    marker = folder / f"{name.replace(':', '-')}.paused"
    partial = marker.with_name(f".{marker.name}.{os.getpid()}")
    partial.write_text(f"{os.getpid()}\n{name}\n", encoding="utf-8")
    partial.replace(marker)  # whoever sees the marker can read it whole
    log.warning("paused at %s (pid %d): delete %s to carry on", name, os.getpid(), marker)
    deadline = time.monotonic() + PAUSE_LIMIT
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
