"""``reportwatch demo``: the whole pipeline against a loopback mirror of the real sources.

The mirror serves the bundled sample archives (``reportwatch/demo/samples/<series>/``, one per
series file that has one) over real HTTP, speaking the UN Digital Library's OAI-PMH and the
Official Document System's download-by-symbol protocol, so the demo exercises the same adapters
production uses; each series then runs its ingestion flow. A second demo finds nothing new,
downloads nothing and adds no data row.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from flows.cli.output import render_table
from reportwatch.demo import SAMPLES_ROOT, sample_archives
from reportwatch.errors import ReportwatchError
from reportwatch.series import list_series
from reportwatch.settings import load_settings

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


def run_demo(console: Console, *, data_dir: Path | None = None, port: int = 0,
             samples: Path = SAMPLES_ROOT) -> dict[str, object]:  # fmt: skip
    """Start the mirror, run each series' ingestion flow against it, print what they found.

    ``samples`` holds one archive per series (``<samples>/<series>/catalog.json``), or is one
    archive itself.
    """
    from reportwatch.demo.mirror import MirrorServer

    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    archives = sample_archives(samples)
    if (samples / "catalog.json").is_file():  # one archive: the first series file's
        archives = {list_series(settings.series_dir)[0].id: samples}
    series = [c.id for c in list_series(settings.series_dir) if c.id in archives]
    if not series:
        raise ReportwatchError(
            f"no sample archive at {samples}", hint="run `make samples` to generate it"
        )
    with MirrorServer([archives[s] for s in series], port=port) as mirror:
        console.print(f"[bold]mirror[/] serving {samples} at {mirror.base_url} (OAI-PMH + ODS)")
        env = {
            "REPORTWATCH_DATA_DIR": str(settings.data_dir),
            "REPORTWATCH_UNDL_URL": mirror.base_url,
            "REPORTWATCH_ODS_URL": mirror.base_url,
            "REPORTWATCH_ALLOWED_HOSTS": "127.0.0.1",
            "REPORTWATCH_MIN_REQUEST_INTERVAL": "0",
        }
        results: dict[str, dict[str, object]] = {}
        with _environment(env):
            from flows.ingest import ingest

            for name in series:
                before = mirror.counts().get("pdf", 0)
                results[name] = ingest(series=name, data_dir=str(settings.data_dir))
                result = results[name]
                console.print(
                    f"[bold]run {name}[/]: discovered {result['discovered']}, fetched "
                    f"{result['fetched']} (PDF downloads from the mirror: "
                    f"{mirror.counts().get('pdf', 0) - before}), loaded {result['loaded']}, "
                    f"quarantined {result['quarantined']}, unchanged {result['unchanged']}, "
                    f"alerts raised {result['alerts_raised']}"
                )
        downloads = mirror.counts().get("pdf", 0)
    print_summary(
        console,
        settings.snapshot_path if settings.snapshot_path.exists() else settings.warehouse_path,
        series,
    )
    return {"series": results, "pdf_downloads": downloads}


def print_summary(console: Console, path: Path, series: list[str]) -> None:
    from warehouse import open_reader
    from warehouse import queries as q

    for name in series:
        with open_reader(path) as con:
            docs = q.document_counts(con, name)
            figures = q.figure_table(con, name)
            alerts = q.alert_table(con, name)
        console.print(render_table(*docs, title=f"{name.upper()}: documents"))
        console.print(render_table(*figures, title=f"{name.upper()}: figures by report"))
        title = f"{name.upper()}: alerts raised (new-document notices left out)"
        console.print(render_table(*alerts, title=title))
    console.print(
        "\n[bold]Try these[/] (the snapshot is read-only; nothing you run can change it;"
        " activate the venv first with `source .venv/bin/activate`):"
    )
    for title, statement in EXAMPLE_QUERIES:
        console.print(f'  # {title}\n  reportwatch sql "{statement}"')
