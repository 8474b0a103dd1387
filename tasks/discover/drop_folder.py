"""A drop folder: PDFs an operator puts on disk (reports that arrive by email) are ingested.

The folder is ``<data_dir>/drop/<series>/`` unless the series' ``drop-folder`` source sets
``path`` (absolute, or relative to the data folder). Discovery lists the PDFs lying directly in
it, reads each one's symbol from its masthead (the text extraction the pipeline uses anyway) or,
failing that, from its file name (``S_2021_228.pdf``), and hands them on as candidates with
``local_path`` set. The download stage (:mod:`tasks.fetch.task`) then copies the file into the raw
archive instead of fetching a URL, and moves it aside so it is never ingested twice:

* ``done/``: archived (loaded next, or already loaded with the same bytes);
* ``failed/``: not readable as a report, with ``<file>.reason.txt`` beside it saying why. A broken
  PDF that still names its symbol goes on to be stored as a quarantined document (so it shows in
  ``reportwatch status``); a file with no symbol at all goes no further.

Files younger than ``min_age_seconds`` (default 10) are left for the next run: a file still being
copied in would otherwise look broken. The harvest window does not apply (a file is new work
whatever its date), so this source keeps no cursor.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reportwatch.errors import ExtractError, SourceError
from reportwatch.models import Candidate
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.discover.base import DiscoveryResult
from tasks.discover.selection import find_symbol
from tasks.fetch.client import Fetcher
from tasks.fetch.drop import FAILED, KIND, drop_folder_for, move_aside

log = logging.getLogger(__name__)

DEFAULT_MIN_AGE_SECONDS = 10.0


class DropFolderSource:
    """The ``drop-folder`` discovery source."""

    name = KIND

    def __init__(
        self,
        folder: Path,
        *,
        min_age_seconds: float = DEFAULT_MIN_AGE_SECONDS,
        max_pages: int = 500,
        max_bytes: int = 50_000_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = Path(folder)
        self.min_age_seconds = min_age_seconds
        self.too_young: list[Path] = []  # files the last look left for the next run
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self._clock = clock

    @classmethod
    def from_settings(
        cls, settings: Settings, options: Mapping[str, Any], series: SeriesConfig
    ) -> DropFolderSource:
        return cls(
            drop_folder_for(series, settings),
            min_age_seconds=float(options.get("min_age_seconds", DEFAULT_MIN_AGE_SECONDS)),
            max_pages=settings.max_pages,
            max_bytes=settings.max_bytes,
        )

    def waiting_files(self) -> list[Path]:
        """PDFs lying in the folder, oldest first, that have stopped changing."""
        if not self.folder.is_dir():
            return []
        now = self._clock()
        files = []
        self.too_young = []
        for path in self.folder.iterdir():
            if path.name.startswith(".") or path.suffix.lower() != ".pdf" or not path.is_file():
                continue
            if now - path.stat().st_mtime < self.min_age_seconds:
                log.info("%s is younger than %gs; next run", path, self.min_age_seconds)
                self.too_young.append(path)
                continue
            files.append(path)
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))

    def discover(
        self,
        series: SeriesConfig,
        window_from: dt.date,
        window_until: dt.date,
        *,
        fetcher: Fetcher,
    ) -> DiscoveryResult:
        """Every PDF waiting in the folder; the window is ignored (see the module docstring)."""
        # Created on first use so operators find the folder where the docs say it is.
        self.folder.mkdir(parents=True, exist_ok=True)
        result = DiscoveryResult()
        unusable: list[str] = []
        for path in self.waiting_files():
            candidate, problem = self._identify(series.id, path)
            if candidate is None:
                moved = move_aside(path, self.folder / FAILED, reason=problem)
                unusable.append(f"{path.name}: {problem} (moved to {moved})")
                continue
            if problem is not None:
                # Broken but named: archive and quarantine it like any unreadable download.
                moved = move_aside(path, self.folder / FAILED, reason=problem)
                candidate = candidate.model_copy(update={"local_path": str(moved)})
            result.candidates.append(candidate)
        result.notes += [
            f"{path.name} was written less than {self.min_age_seconds:g} s ago: left for the next "
            "run (it may still be being copied in)"
            for path in self.too_young
        ]
        if unusable:
            result.error = SourceError(
                f"{len(unusable)} file(s) in {self.folder} name no document: "
                + "; ".join(unusable),
                hint="rename each to its symbol (S_2021_228.pdf) and drop it again",
            )
        return result

    def _identify(self, series_id: str, path: Path) -> tuple[Candidate | None, str | None]:
        """The candidate a file stands for, and what is wrong with it (None if nothing)."""
        from tasks.read.extract import extract_pdf

        problem: str | None = None
        masthead_symbol = title = None
        distributed: dt.date | None = None
        try:
            text = extract_pdf(path, max_pages=self.max_pages, max_bytes=self.max_bytes)
            masthead_symbol, title, distributed = text.symbol, text.title, text.distribution_date
        except ExtractError as exc:
            problem = f"extraction failed: {exc.one_line()}"
        named_symbol = find_symbol(path.stem)
        if masthead_symbol and named_symbol and masthead_symbol != named_symbol:
            log.warning("%s is named %s but its masthead says %s; trusting the masthead",
                        path, named_symbol, masthead_symbol)  # fmt: skip
        symbol = masthead_symbol or named_symbol
        if symbol is None:
            why = problem or "the masthead shows no symbol"
            return None, f"{why}, and the file name holds none (expected like S_2021_228.pdf)"
        candidate = Candidate(
            series=series_id,
            symbol=symbol,
            source=self.name,
            title=title,
            date=distributed,
            local_path=str(path),
        )
        return candidate, problem
