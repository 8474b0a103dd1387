"""``reportwatch sources``: list each series' sources with their state, check each one.

A thin layer over :mod:`tasks.discover.registry`: ``describe_sources`` for ``list`` and
``check_source`` (one cheap request per source) for ``check``. Expected errors (an unknown
series, a bad series file) reach the one-line handler of :mod:`flows.cli.main`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.errors import command_group
from flows.cli.output import make_console, print_rows
from flows.cli.params import DataDirOpt, FormatOpt, settings_for
from reportwatch.errors import ReportwatchError
from reportwatch.series import SeriesConfig, list_series, load_series
from reportwatch.settings import Settings

sources_app = command_group("Sources: list them, check each one.")
console = make_console()

SeriesOption = Annotated[
    str | None, typer.Option("--series", "-s", help="One series id (default: every series).")
]
COLUMNS = ["series", "kind", "role", "configured", "detail"]


def _context(series: str | None, data_dir: Path | None) -> tuple[Settings, list[SeriesConfig]]:
    settings = settings_for(data_dir)
    if series:
        return settings, [load_series(series, settings.series_dir)]
    configs = list_series(settings.series_dir)
    if not configs:
        raise ReportwatchError(
            f"no series files in {settings.series_dir or 'the bundled series folder'}",
            hint="set REPORTWATCH_SERIES_DIR to a folder of series YAML files",
        )
    return settings, configs


@sources_app.command("list")
def list_sources(
    series: SeriesOption = None,
    fmt: FormatOpt = "table",
    data_dir: DataDirOpt = None,
) -> None:
    """Every source kind per series: the ones the series uses, then the others; what is missing.

    Example: reportwatch sources list --series kfor
    """
    from tasks.discover.registry import describe_sources

    settings, configs = _context(series, data_dir)
    rows = [
        (config.id, s.kind, s.role, "yes" if s.configured else "no", s.detail)
        for config in configs
        for s in describe_sources(config, settings)
    ]
    print_rows(console, COLUMNS, rows, fmt)


@sources_app.command("check")
def check_sources(
    series: SeriesOption = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", help="Check only this kind (also one the series does not list)."
        ),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """One cheap request to each source a series uses; ok or failed with the reason, one line each.

    Exits with 1 when a configured source failed; sources whose settings are missing are skipped.

    Example: reportwatch sources check --series kfor
    """
    from tasks.discover.checks import check_fetcher, check_source
    from tasks.discover.registry import known_kind

    settings, configs = _context(series, data_dir)
    if kind is not None:
        known_kind(kind)
    failed = 0
    width = max(len(c.id) for c in configs)
    with check_fetcher(settings) as fetcher:
        for config in configs:
            kinds = [kind] if kind else [entry.kind for entry in config.sources]
            for name in kinds:
                result = check_source(name, config, settings, fetcher)
                verdict = "skipped" if result.skipped else "ok" if result.ok else "failed"
                failed += verdict == "failed"
                typer.echo(f"{config.id:<{width}}  {name:<11}  {verdict:<7}  {result.detail}")
    if failed:
        typer.echo(f"{failed} source(s) failed", err=True)
        raise typer.Exit(code=1)
