"""The small interface every source adapter implements.

A *discovery source* answers one question: which documents of this series did the index catalogue
between two dates? ::

    result = source.discover(series, window_from, window_until, fetcher=fetcher)

``series`` is the :class:`~reportwatch.series.SeriesConfig`; the adapter reads its own options from
the entry of ``series.sources`` whose ``kind`` equals its ``name`` (:meth:`~reportwatch.series.SeriesConfig.source_options`). The
:class:`DiscoveryResult` it returns holds

* ``candidates``: documents worth downloading (:class:`~reportwatch.models.Candidate`), some marked
  ``needs_confirmation`` when the metadata fits but does not name the topic;
* ``rejected``: documents that looked close (right family of symbols) but failed a test, each with
  the reason, so an operator can see why something was skipped;
* ``windows_done``: the date windows fully harvested, in order: the harvest cursor. A window that
  fails stops the harvest; ``error`` holds why, and the windows before it still count, so the next
  run resumes after the last completed one instead of starting over;
* ``notes``: what the operator should know although the harvest went on (a malformed record
  skipped, named by its identifier); the run summary lists them.

A *download source* turns a symbol into a URL the fetcher can download: ``file_url(symbol,
language)``. Adapters never touch httpx: all network access goes through the
:class:`~tasks.fetch.client.Fetcher` they are handed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from reportwatch import progress
from reportwatch.errors import ConfigError, ReportwatchError
from reportwatch.models import Candidate
from reportwatch.series import SeriesConfig

if TYPE_CHECKING:
    from tasks.fetch.client import Fetcher

Window = tuple[dt.date, dt.date]


@dataclass
class DiscoveryResult:
    """What one discovery call found; see the module docstring."""

    candidates: list[Candidate] = field(default_factory=list)
    rejected: list[tuple[Candidate, str]] = field(default_factory=list)
    windows_done: list[Window] = field(default_factory=list)
    error: ReportwatchError | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.error is None

    @property
    def harvested_until(self) -> dt.date | None:
        """Last day of the last completed window: where the next harvest starts (exclusive)."""
        return self.windows_done[-1][1] if self.windows_done else None

    def raise_error(self) -> None:
        """Raise the error that stopped the harvest, if any (for callers that want all or none)."""
        if self.error is not None:
            raise self.error


@runtime_checkable
class DiscoverySource(Protocol):
    name: str

    def discover(
        self,
        series: SeriesConfig,
        window_from: dt.date,
        window_until: dt.date,
        *,
        fetcher: Fetcher,
    ) -> DiscoveryResult: ...


@runtime_checkable
class DownloadSource(Protocol):
    name: str

    def file_url(self, symbol: str, language: str = "en") -> str: ...


def harvest_windows(source: str, start: dt.date, end: dt.date, days: int) -> Iterator[Window]:
    """:func:`date_windows`, each counted in the discover stage's progress once harvested."""
    return progress.track(
        "discover", date_windows(start, end, days), label=lambda w: f"{source} {w[0]}..{w[1]}"
    )


def date_windows(start: dt.date, end: dt.date, days: int) -> list[Window]:
    """Split ``start..end`` (both inclusive) into consecutive windows of at most ``days`` days."""
    if days < 1:
        raise ConfigError(
            f"a harvest window of {days} days", hint="set REPORTWATCH_OAI_WINDOW_DAYS >= 1"
        )
    windows: list[Window] = []
    cursor = start
    while cursor <= end:
        last = min(end, cursor + dt.timedelta(days=days - 1))
        windows.append((cursor, last))
        cursor = last + dt.timedelta(days=1)
    return windows
