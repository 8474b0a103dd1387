"""``reportwatch demo``: the whole pipeline against a loopback mirror of the real sources.

The mirror serves the bundled sample archive (``reportwatch/demo/samples/kfor``) over real HTTP, speaking the
UN Digital Library's OAI-PMH and the Official Document System's download-by-symbol protocol,
so the demo exercises the same adapters production uses. A second demo finds nothing new,
downloads nothing and adds no data row.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from flows.cli.output import render_table
from reportwatch.demo import SAMPLES_DIR
from reportwatch.errors import ReportwatchError
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
             samples: Path = SAMPLES_DIR) -> dict[str, object]:  # fmt: skip
    """Start the mirror, run one ingestion flow against it, print what it found."""
    from reportwatch.demo.mirror import MirrorServer

    if not (samples / "catalog.json").is_file():
        raise ReportwatchError(
            f"no sample archive at {samples}", hint="run `make samples` to generate it"
        )
    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    with MirrorServer(samples, port=port) as mirror:
        console.print(f"[bold]mirror[/] serving {samples} at {mirror.base_url} (OAI-PMH + ODS)")
        env = {
            "REPORTWATCH_DATA_DIR": str(settings.data_dir),
            "REPORTWATCH_UNDL_URL": mirror.base_url,
            "REPORTWATCH_ODS_URL": mirror.base_url,
            "REPORTWATCH_ALLOWED_HOSTS": "127.0.0.1",
            "REPORTWATCH_MIN_REQUEST_INTERVAL": "0",
        }
        with _environment(env):
            from flows.ingest import ingest

            result = ingest(series="kfor", data_dir=str(settings.data_dir))
        downloads = mirror.counts().get("pdf", 0)
    console.print(
        f"[bold]run[/]: discovered {result['discovered']}, fetched {result['fetched']} "
        f"(PDF downloads from the mirror: {downloads}), loaded {result['loaded']}, "
        f"quarantined {result['quarantined']}, unchanged {result['unchanged']}, "
        f"alerts raised {result['alerts_raised']}"
    )
    print_summary(
        console,
        settings.snapshot_path if settings.snapshot_path.exists() else settings.warehouse_path,
    )
    return {**result, "pdf_downloads": downloads}


def print_summary(console: Console, path: Path) -> None:
    from warehouse import open_reader
    from warehouse import queries as q

    with open_reader(path) as con:
        docs = q.document_counts(con, "kfor")
        troops = q.troop_table(con, "kfor")
        alerts = q.alert_table(con, "kfor")
    console.print(render_table(*docs, title="Documents"))
    console.print(render_table(*troops, title="Troop levels by period"))
    console.print(render_table(*alerts, title="Alerts raised (new-document notices left out)"))
    console.print(
        "\n[bold]Try these[/] (the snapshot is read-only; nothing you run can change it;"
        " activate the venv first with `source .venv/bin/activate`):"
    )
    for title, statement in EXAMPLE_QUERIES:
        console.print(f'  # {title}\n  reportwatch sql "{statement}"')
