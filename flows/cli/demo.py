"""``reportwatch demo``: the whole pipeline against a loopback mirror of the real sources.

The mirror serves the bundled sample archives (``reportwatch/demo/samples/<series>/``, one per
series file that has one) over real HTTP, speaking the UN Digital Library's OAI-PMH and the
Official Document System's download-by-symbol protocol, so the demo exercises the same adapters
production uses; each series then runs its ingestion flow. A second demo finds nothing new,
downloads nothing and adds no data row, and says so above the tables of what the first one
loaded. No code here names a series: they come from the series files.
"""

from __future__ import annotations

import errno
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from flows.cli.errors import fail
from flows.cli.flowrun import prefect_environment, run_flow
from flows.cli.output import make_console, render_table
from flows.cli.params import DataDirOpt, settings_for, whole_number
from flows.cli.runs import writable_data_dir
from reportwatch.demo import SAMPLES_ROOT, sample_archives
from reportwatch.series import list_series
from reportwatch.settings import Settings

EXAMPLE_QUERIES = [
    (
        "Troop levels with the change from the previous period",
        "SELECT period_end, troops, approximate, change, pct_change, symbol, page, paragraph "
        "FROM troop_levels ORDER BY period_end",
    ),
    (
        "Where a number came from (page, paragraph, sentence)",
        "SELECT symbol, metric, value, evidence_page, evidence_paragraph, evidence_text "
        "FROM observations WHERE metric = 'troops_total' ORDER BY period_end DESC LIMIT 3",
    ),
    (
        "Rows that joined or left a table since the report before (any series with tables)",
        "SELECT series, table_id, symbol, previous_symbol, row_label, change "
        "FROM table_membership_changes ORDER BY period_end",
    ),
    (
        "Paragraphs that mention an injury (built-in full-text search)",
        "SELECT symbol, page, paragraph, snippet FROM search_paragraphs('injur*') LIMIT 5",
    ),
]


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _mirror(archives: list[Path], port: int) -> Any:
    """The loopback mirror of ``archives`` on ``port``; a port it cannot have is one line."""
    from reportwatch.demo.mirror import MirrorServer

    try:
        return MirrorServer(archives, port=port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            fail(f"port {port} is in use", "choose another --port, or --port 0 for any free one")
        fail(f"cannot listen on port {port}: {exc.strerror or exc}",
             "choose another --port, or --port 0 for any free one")  # fmt: skip


def run_demo(console: Console, settings: Settings, *, port: int = 0,
             samples: Path = SAMPLES_ROOT) -> dict[str, Any]:  # fmt: skip
    """Start the mirror, run each series' ingestion flow against it, print what they found.

    ``samples`` holds one archive per series (``<samples>/<series>/catalog.json``), or is one
    archive itself (then it is the first series file's). Returns each series' run result under
    ``series`` and the mirror's PDF downloads.
    """
    archives = sample_archives(samples)
    if (samples / "catalog.json").is_file():
        archives = {list_series(settings.series_dir)[0].id: samples}
    series = [c.id for c in list_series(settings.series_dir) if c.id in archives]
    if not series:
        fail(f"no sample archive at {samples}", "run `make samples` to generate it")
    first = not settings.warehouse_path.exists()
    results: dict[str, dict[str, Any]] = {}
    with _mirror([archives[s] for s in series], port) as mirror:
        console.print(f"mirror serving {samples} at {mirror.base_url} (OAI-PMH + ODS)")
        env = {
            "REPORTWATCH_DATA_DIR": str(settings.data_dir),
            "REPORTWATCH_UNDL_URL": mirror.base_url,
            "REPORTWATCH_ODS_URL": mirror.base_url,
            "REPORTWATCH_ALLOWED_HOSTS": "127.0.0.1",
            "REPORTWATCH_MIN_REQUEST_INTERVAL": "0",
        }
        with _environment(env):
            from flows.ingest import ingest

            for name in series:
                before = mirror.counts().get("pdf", 0)
                result = run_flow(
                    console,
                    functools.partial(
                        ingest,
                        series=name,
                        data_dir=str(settings.data_dir),
                        lease_wait=0.0,
                        return_state=True,
                    ),
                    what=f"the {name} demo run",
                )
                results[name] = result
                counts = (
                    f"discovered {result['discovered']}, fetched {result['fetched']} "
                    f"(PDF downloads from the mirror: {mirror.counts().get('pdf', 0) - before}), "
                    f"loaded {result['loaded']}, quarantined {result['quarantined']}, "
                    f"unchanged {result['unchanged']}, alerts raised {result['alerts_raised']}"
                )
                console.print(Text.assemble((f"run {name}", "bold"), f": {counts}"))
        downloads = mirror.counts().get("pdf", 0)
    nothing_new = not any(
        r["loaded"] or r["quarantined"] or r["alerts_raised"] for r in results.values()
    )
    if nothing_new and not first:
        console.print(
            f"nothing new since the last demo in {settings.data_dir}: "
            "the tables below show what earlier runs loaded and raised"
        )
    print_summary(
        console,
        settings.snapshot_path if settings.snapshot_path.exists() else settings.warehouse_path,
        series,
    )
    return {"series": results, "pdf_downloads": downloads}


def print_summary(console: Console, path: Path, series: list[str]) -> None:
    from warehouse import open_reader
    from warehouse import queries as q

    width = console.width
    for name in series:
        with open_reader(path) as con:
            docs = q.document_counts(con, name)
            figures = q.figure_table(con, name)
            alerts = q.alert_table(con, name)
        label = name.upper()
        console.print(render_table(*docs, title=f"{label}: documents", width=width))
        console.print(render_table(*figures, title=f"{label}: figures by report", width=width))
        title = f"{label}: alerts raised so far, by every run (new-document notices left out)"
        console.print(render_table(*alerts, title=title, width=width))
    console.print(
        Text.assemble(
            "\n",
            ("Try these", "bold"),
            " (the snapshot is read-only; nothing you run can change it;"
            " activate the venv first with `source .venv/bin/activate`):",
        )
    )
    for title, statement in EXAMPLE_QUERIES:
        console.print(f'  # {title}\n  reportwatch sql "{statement}"')


def demo(
    data_dir: DataDirOpt = None,
    port: Annotated[
        int,
        typer.Option(
            "--port",
            parser=whole_number(0, 65535),
            metavar="PORT",
            help="Port of the loopback mirror (0: any free port).",
        ),
    ] = 0,
) -> None:
    """Serve the bundled sample archives on loopback and ingest every series end to end.

    Example: reportwatch demo
    """
    prefect_environment()
    settings = settings_for(data_dir)
    writable_data_dir(settings)
    run_demo(make_console(), settings, port=port)


def register(app: typer.Typer) -> None:
    app.command()(demo)
