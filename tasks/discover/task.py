"""Discover: ask each of the series' discovery sources for candidate documents.

Each source harvests from where it stopped last time (its cursor in the warehouse), or from
``since`` when given, or from the source option ``start``. Candidates, rejections and the new
cursor are stored in one transaction. A candidate already rejected on its content is held back
while its catalogue record is unchanged (:mod:`warehouse.rejections`). A source that fails part-way keeps the windows it
finished; the failure is reported and the run goes on with what was found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from prefect import task

from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.discover.registry import discovery_sources, unconfigured_sources
from tasks.fetch.client import Fetcher
from tasks.retry import retry_transient
from warehouse import open_writer
from warehouse.rejections import hold_back
from warehouse.runs import cursor, record_discovery

DEFAULT_START = dt.date(2000, 1, 1)


@dataclass
class DiscoverOutcome:
    found: int = 0
    new: list[str] = field(default_factory=list)
    rejected: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    # What the run summary should say although the harvest went on: "undl-oai: skipped ...".
    notes: list[str] = field(default_factory=list)
    # Sources the series lists that the settings cannot serve: kind → "not configured: set ...".
    not_configured: dict[str, str] = field(default_factory=dict)


def extends_cursor(cursor: dt.date | None, start: dt.date) -> bool:
    """Whether a harvest from ``start`` may move a source's cursor (the last day of the
    unbroken harvested stretch): only when it starts no later than the day after it. The first
    harvest of a source sets it wherever it starts; later windows past a gap leave it where it
    is, so the next scheduled run harvests the gap instead of jumping it (the overdue rule
    would otherwise alert on reports the catalogue has)."""
    return cursor is None or start <= cursor + dt.timedelta(days=1)


def discover_series(
    config: SeriesConfig,
    settings: Settings,
    *,
    since: dt.date | None,
    until: dt.date,
    run_id: str | None = None,
    fetcher: Fetcher | None = None,
) -> DiscoverOutcome:
    outcome = DiscoverOutcome()
    own = fetcher is None
    client = fetcher or Fetcher.from_settings(settings)
    try:
        sources = discovery_sources(config, settings)
        outcome.not_configured = unconfigured_sources(config, settings)
        # One short read for every cursor: each open of the warehouse costs tens of ms.
        with open_writer(settings.warehouse_path) as con:
            cursors = {s.name: cursor(con, source=s.name, series=config.id) for s in sources}
        for source in sources:
            start = since if since is not None else cursors[source.name]
            if start is None:
                configured = config.source_options(source.name).get("start")
                start = dt.date.fromisoformat(str(configured)) if configured else DEFAULT_START
            if start > until:
                continue
            result = source.discover(config, start, until, fetcher=client)
            outcome.notes += [f"{source.name}: {note}" for note in result.notes]
            previous, reached = cursors[source.name], result.harvested_until
            if reached is not None and not extends_cursor(previous, start):
                # a window past a gap (a backfill of 2017 after one of 2013-2015): what it
                # found is kept, but the cursor stays, so the next run harvests the gap
                outcome.notes.append(
                    f"{source.name}: harvested {start:%Y-%m-%d} to {reached:%Y-%m-%d}; the "
                    f"harvest cursor stays at {previous:%Y-%m-%d} because the days between "
                    "were never harvested (the next run harvests them)"
                )
                reached = None
            moved = reached is not None and (previous is None or reached > previous)
            if not (result.candidates or result.rejected or moved):
                # Nothing found and the cursor stays: nothing to write (the usual quiet run).
                if result.error is not None:
                    outcome.errors[source.name] = result.error.one_line()
                continue
            with open_writer(settings.warehouse_path) as con:
                # A document already rejected on its content stays rejected until its
                # catalogue record changes: found again, it is not downloaded again.
                found, held = hold_back(con, series=config.id, candidates=result.candidates)
                new = record_discovery(
                    con, series=config.id, source=source.name, found=found,
                    rejected=result.rejected + held, window_until=reached,
                    run_id=run_id,
                )  # fmt: skip
            outcome.found += len(result.candidates)
            outcome.new += new
            outcome.rejected += len(result.rejected)
            if result.error is not None:
                outcome.errors[source.name] = result.error.one_line()
    finally:
        if own:
            client.close()
    return outcome


@task(name="discover", retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_transient)
def discover_task(
    config: SeriesConfig,
    settings: Settings,
    *,
    since: dt.date | None,
    until: dt.date,
    run_id: str | None = None,
) -> DiscoverOutcome:
    return discover_series(config, settings, since=since, until=until, run_id=run_id)
