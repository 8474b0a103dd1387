"""The ``reportwatch`` command line: a thin layer over the library.

One file per group of commands (typer's ``docs_src/one_file_per_command``): ``runs.py`` (run,
backfill, reprocess, add), ``demo.py``, ``analyst.py`` (sql, export, chart, report), ``status.py``,
``alerts.py`` and ``sources.py``; this module holds the app, its global options and ``extract``.
Expected failures are one line on stderr (:mod:`flows.cli.errors`); help texts and data are
printed as they are, never read as markup.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from flows.cli.errors import command_group, fail
from flows.cli.flowrun import Settings as Globals
from flows.cli.output import make_console
from flows.cli.params import SeriesOpt, settings_for
from reportwatch.errors import ExtractError
from reportwatch.series import load_series

HELP = "reportwatch: periodic official reports turned into trustworthy data and timely alerts."


app = command_group(HELP, name="reportwatch")
console = make_console()


def _version() -> str:
    try:
        return version("reportwatch")
    except PackageNotFoundError:  # running from a checkout that was never installed
        from reportwatch import __version__

        return __version__


def _print_version(asked: bool) -> None:
    if asked:
        sys.stdout.write(f"reportwatch {_version()}\n")
        raise typer.Exit()


@app.callback()
def options(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show Prefect's logs while a flow runs.")
    ] = False,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """reportwatch: periodic official reports turned into trustworthy data and timely alerts."""
    Globals.verbose = verbose


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="A PDF file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract.")] = False,
    series: SeriesOpt = "kfor",
) -> None:
    """Extract and normalize one PDF (no network, no warehouse).

    Says whether the document is one of the series (its confirm terms) and whether a run
    would quarantine it, with the reason.

    Example: reportwatch extract S_2020_350.pdf --json
    """
    from tasks.read.extract import extract_pdf
    from tasks.read.normalize import normalize
    from tasks.read.task import series_mismatch

    settings = settings_for(None)
    if not file.is_file():
        fail(f"no file at {file.absolute()}", "give the path of a PDF")
    config = load_series(series, settings.series_dir)
    try:
        text = extract_pdf(file, max_pages=settings.max_pages, max_bytes=settings.max_bytes)
    except ExtractError as exc:  # its hint speaks of downloads; this file is the user's own
        fail(f"cannot read {file}: {exc.message}", "give the path of a report PDF")
    report = normalize(text, series=config.id, profile=config.profile)
    mismatch = series_mismatch(text, config.confirm_terms)
    report.series_match = mismatch is None
    if mismatch:
        report.warnings.insert(
            0,
            f"not a {config.id} document ({mismatch}): a run would reject it, and any "
            f"{config.id} facts below were read from sentences about something else",
        )
    contract = report.to_contract()
    if as_json:
        sys.stdout.write(json.dumps(contract, ensure_ascii=False, indent=2) + "\n")
        return
    if mismatch:
        console.print(Text.assemble((f"not a {config.id} document", "bold red"), f": {mismatch}"))
    elif report.quarantine_reason:
        console.print(
            Text.assemble(("would be quarantined", "bold red"), f": {report.quarantine_reason}")
        )
    for key, value in contract.items():
        if key not in ("paragraphs", "evidence"):
            console.print(Text.assemble((key, "bold"), f": {value}"))
    footnotes = sum(1 for p in report.paragraphs if p.kind == "footnote")
    console.print(
        Text.assemble(
            ("paragraphs", "bold"),
            f": {len(report.paragraphs) - footnotes}"
            + (f" (and {footnotes} footnotes)" if footnotes else ""),
        )
    )


def _register_subcommands() -> None:
    from flows.cli import analyst, demo, runs, status
    from flows.cli.alerts import alerts_app
    from flows.cli.sources import sources_app

    runs.register(app)
    demo.register(app)
    analyst.register(app)
    status.register(app)
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(sources_app, name="sources")


_register_subcommands()


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
