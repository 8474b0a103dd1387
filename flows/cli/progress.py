"""What a person sees while a run works: one progress display per stage.

The stages report through :mod:`reportwatch.progress`; :class:`StageProgress` listens for the
length of one command. On a terminal the stage at work shows a bar (harvest windows, documents
fetched, read and loaded, alerts delivered) with the item it just finished, and each finished
stage leaves its one-line outcome above. Not on a terminal (a pipe, a log file) only those lines
are printed, one per stage.
"""

from __future__ import annotations

import threading
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from reportwatch import interrupt


class StageProgress:
    """A :class:`reportwatch.progress.Listener` drawing with rich (thread-safe)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = console.is_terminal
        self._lock = threading.Lock()
        self._tasks: dict[str, TaskID] = {}
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.fields[stage]:<8}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[item]}", markup=False),
            console=console,
            transient=True,
        )

    def __enter__(self) -> StageProgress:
        if self.live:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.live:
            self._progress.stop()

    # reportwatch.progress.Listener -------------------------------------------------------------
    def started(self, stage: str, total: int | None, unit: str) -> None:
        with self._lock:
            self._tasks[stage] = self._progress.add_task(
                stage, total=total, stage=stage, unit=unit, item=""
            )

    def added(self, stage: str, count: int) -> None:
        with self._lock:
            task = self._task(stage)
            known = self._progress.tasks[self._index(task)].total
            self._progress.update(task, total=(known or 0) + count)

    def advanced(self, stage: str, item: str | None, n: int) -> None:
        if interrupt.requested():  # threads unwinding after Ctrl-C are not progress
            return
        with self._lock:
            self._progress.update(self._task(stage), advance=n, item=item or "")

    def finished(self, stage: str, line: str) -> None:
        with self._lock:
            task = self._tasks.pop(stage, None)
            if task is not None:
                self._progress.remove_task(task)
        self.console.print(Text(line))

    # ---------------------------------------------------------------------------------------------
    def _task(self, stage: str) -> TaskID:
        if stage not in self._tasks:  # a stage that reports without having started
            self._tasks[stage] = self._progress.add_task(
                stage, total=None, stage=stage, unit="", item=""
            )
        return self._tasks[stage]

    def _index(self, task: TaskID) -> int:
        return next(i for i, t in enumerate(self._progress.tasks) if t.id == task)
