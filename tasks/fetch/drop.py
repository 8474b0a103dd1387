"""Where a series' drop folder is and how files leave it (``done/``, ``failed/``).

Shared by discovery (:mod:`tasks.discover.drop_folder` lists the PDFs waiting here and moves
unreadable ones to ``failed/``) and the fetch stage (:mod:`tasks.fetch.task` copies a waiting
file into the raw archive, then moves it to ``done/``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings

KIND = "drop-folder"
DONE = "done"
FAILED = "failed"
REASON_SUFFIX = ".reason.txt"


def drop_folder_for(series: SeriesConfig, settings: Settings) -> Path:
    """Where this series' drop folder is (whether or not the series lists the source)."""
    configured = series.source_options(KIND).get("path")
    if not configured:
        return settings.drop_dir / series.id
    path = Path(str(configured)).expanduser()
    return path if path.is_absolute() else settings.data_dir / path


def move_aside(path: Path, destination: Path, *, reason: str | None = None) -> Path:
    """Move ``path`` into ``destination`` (never overwriting); write the reason beside it."""
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / path.name
    counter = 1
    while target.exists():
        counter += 1
        target = destination / f"{path.stem}-{counter}{path.suffix}"
    path.replace(target)
    if reason is not None:
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        target.with_name(target.name + REASON_SUFFIX).write_text(
            f"{reason}\n\nmoved here {stamp} from {path}\n", encoding="utf-8"
        )
    return target


def is_waiting(path: Path, folder: Path) -> bool:
    """True when ``path`` still lies in the drop folder itself (not in done/ or failed/)."""
    return path.parent.resolve() == folder.resolve()
