"""``reportwatch status``: the last runs, the latest report per series, problems, undelivered alerts.

It reads the live warehouse when no process has it open (the freshest answer), else the
analysts' snapshot, and then says why: which process holds the warehouse (DuckDB names it), or
that there is no warehouse file beside the snapshot. It never guesses that a run holds it.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.text import Text

from flows.cli.output import make_console, print_rows
from flows.cli.params import DataDirOpt, settings_for
from flows.cli.readers import live_or_snapshot
from reportwatch.series import list_series
from reportwatch.settings import Settings

console = make_console()
CHANNEL_GAPS = "Channels not configured"
COUNTS = ("discovered", "fetched", "unchanged", "loaded", "quarantined", "failed")


def _run_rows(
    columns: list[str], rows: list[tuple[Any, ...]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """One readable line of counts per run instead of nine numeric columns."""
    if "status" not in columns:
        return columns, rows
    kept = [c for c in columns if c not in (*COUNTS, "alerts_raised", "alerts_delivered", "error")]
    shaped = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        counts = ", ".join(f"{values[c]} {c}" for c in COUNTS if c in values)
        if "alerts_raised" in values:
            counts += f"; {values['alerts_raised']} alerts raised"
            counts += f", {values.get('alerts_delivered', 0)} channel deliveries"
        if values.get("error") and values["status"] != "completed":  # why it failed, crashed...
            counts += f"; {values['error']}"
        shaped.append((*(values[c] for c in kept), counts))
    return [*kept, "counts"], shaped


def _main_metrics(settings: Settings) -> dict[str, str]:
    """Each configured series' main metric (its chart's), from its series file."""
    from tasks.outputs.report_html import main_metric

    return {c.id: main_metric(c.id)[0] for c in list_series(settings.series_dir)}


def status(data_dir: DataDirOpt = None) -> None:
    """Last runs with their counts, latest report per series, problems, undelivered alerts.

    Example: reportwatch status
    """
    from warehouse import queries as q
    from warehouse.health import status_lines, truthful
    from warehouse.snapshot import snapshot_info

    settings = settings_for(data_dir)
    with live_or_snapshot(settings) as (con, source):
        sections = [
            ("Last runs", _run_rows(*truthful(con, q.recent_runs(con)))),
            ("Latest report per series", q.latest_per_series(con, _main_metrics(settings))),
            ("Quarantined or failed documents", q.problems(con)),
            ("Alerts not yet delivered", q.undelivered(con)),
        ]
        notes = status_lines(con, settings.snapshot_path, live=source.kind == "warehouse")
    from tasks.alerts.channels import series_channel_gaps

    gaps = series_channel_gaps(settings)  # their alerts stay pending until the setting is made
    sections.append((CHANNEL_GAPS, (["series", "channel", "state"], gaps)))
    for title, (columns, rows) in sections:
        if rows:
            print_rows(console, columns, rows, "table", title=title)
        else:
            console.print(Text.assemble((title, "bold"), ": none"))
    for note in notes:
        console.print(note)
    info = snapshot_info(settings.snapshot_path)
    if source.kind == "snapshot":
        console.print(f"(read from the analysts' snapshot: {source.reason})")
    if info:
        console.print(
            f"snapshot reflects load {info['load_id']} (published {info['published_at']})"
        )


def register(app: typer.Typer) -> None:
    app.command()(status)
