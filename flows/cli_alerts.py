"""``reportwatch alerts``: list, test a channel, mute a rule."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.output import print_rows
from reportwatch.errors import ReportwatchError
from reportwatch.series import load_series
from reportwatch.settings import load_settings

alerts_app = typer.Typer(
    help="Alerts: list them, test a channel, mute a rule.", no_args_is_help=True
)
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)

DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="REPORTWATCH_DATA_DIR", help="Data folder (default ./data)."),
]


@alerts_app.command("list")
def list_alerts(
    pending: Annotated[
        bool, typer.Option("--pending", help="Only alerts not yet delivered.")
    ] = False,
    series: Annotated[str | None, typer.Option("--series", "-s")] = None,
    limit: int = 50,
    data_dir: DataDirOpt = None,
) -> None:
    """List raised alerts with their delivery state per channel.

    Example: reportwatch alerts list --pending
    """
    from warehouse import open_reader
    from warehouse.alerts import list_alerts as rows_of

    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    if not settings.warehouse_path.exists():
        raise ReportwatchError(
            f"no warehouse in {settings.data_dir}", hint="run `reportwatch run` first"
        )
    with open_reader(settings.warehouse_path) as con:
        rows = rows_of(con, series=series, pending_only=pending, limit=limit)
    if not rows:
        console.print("no alerts" + (" pending" if pending else ""))
        return
    columns = [c for c in rows[0] if c != "alert_key"]
    print_rows(console, columns, [tuple(r[c] for c in columns) for r in rows], "table")


@alerts_app.command("test")
def test_channel(
    channel: Annotated[str, typer.Option("--channel", "-c", help="slack, email or console.")],
) -> None:
    """Send a clearly marked test message through one channel.

    Example: reportwatch alerts test --channel slack
    """
    from tasks.notifiers.base import build_notifier, sample_alert

    settings = load_settings()
    if channel not in ("slack", "email", "console"):
        raise ReportwatchError(f"unknown channel {channel!r}", hint="use slack, email or console")
    notifier = build_notifier(channel, settings)
    notifier.send([sample_alert()], test=True)
    console.print(f"test message sent through {channel}")


@alerts_app.command("mute")
def mute(
    rule: Annotated[str, typer.Argument(help="Rule id from the series file.")],
    series: Annotated[str, typer.Option("--series", "-s")] = "kfor",
    until: Annotated[
        dt.datetime | None,
        typer.Option(help="Last day muted (default: until unmuted).", formats=["%Y-%m-%d"]),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Mute a rule of a series: its alerts are still recorded, but not sent.

    Example: reportwatch alerts mute incident-keywords --series kfor --until 2027-01-31
    """
    from warehouse import open_writer
    from warehouse.alerts import mute as mute_rule

    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    config = load_series(series, settings.series_dir)
    if config.rule(rule) is None:
        known = ", ".join(r.id for r in config.rules)
        raise ReportwatchError(
            f"series {series} has no rule {rule!r}", hint=f"known rules: {known}"
        )
    with open_writer(settings.warehouse_path) as con:
        mute_rule(con, rule_id=rule, series=series, until=until.date() if until else None)
    console.print(f"muted {rule} for {series}" + (f" until {until:%Y-%m-%d}" if until else ""))
