"""``reportwatch alerts``: list them, test a channel, mute and unmute a rule."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.cli.output import print_rows
from reportwatch.errors import ConfigError, ReportwatchError
from reportwatch.series import SeriesConfig, load_series
from reportwatch.settings import Settings, load_settings

alerts_app = typer.Typer(
    help="Alerts: list them, test a channel, mute or unmute a rule.", no_args_is_help=True
)
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)

CHANNELS = ("slack", "email", "console")

DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="REPORTWATCH_DATA_DIR", help="Data folder (default ./data)."),
]
SeriesOpt = Annotated[str, typer.Option("--series", "-s", help="Series id (a file in series/).")]


def _settings(data_dir: Path | None) -> Settings:
    return load_settings(**({"data_dir": data_dir} if data_dir else {}))


def _known_rule(config: SeriesConfig, rule: str) -> None:
    if config.rule(rule) is None:
        known = ", ".join(r.id for r in config.rules)
        raise ReportwatchError(
            f"series {config.id} has no rule {rule!r}", hint=f"known rules: {known}"
        )


@alerts_app.command("list")
def list_alerts(
    pending: Annotated[
        bool,
        typer.Option(
            "--pending", help="Only undelivered alerts, one line per channel, with the error."
        ),
    ] = False,
    series: Annotated[str | None, typer.Option("--series", "-s")] = None,
    limit: int = 50,
    data_dir: DataDirOpt = None,
) -> None:
    """List raised alerts with their delivery state per channel.

    With --pending: one line per alert and channel not yet delivered, with the attempts, the
    last error and when a rate-limited channel may be tried again.

    Example: reportwatch alerts list --pending
    """
    from flows.cli.readers import live_or_snapshot
    from warehouse.alerts import list_alerts as alert_rows
    from warehouse.alerts import pending_deliveries

    # the live ledger when no run holds it, else the snapshot (a run may be loading)
    with live_or_snapshot(_settings(data_dir)) as (con, _source):
        if pending:
            rows = pending_deliveries(con, series=series, limit=limit)
        else:
            rows = alert_rows(con, series=series, limit=limit)
    if not rows:
        console.print("no alerts" + (" pending" if pending else ""))
    else:
        columns = [c for c in rows[0] if c != "alert_key"]
        print_rows(console, columns, [tuple(r[c] for c in columns) for r in rows], "table")
    if pending:
        from tasks.alerts.channels import series_channel_gaps

        for series_id, kind, text in series_channel_gaps(_settings(data_dir), series):
            # escape: the text names Secret blocks in quotes and settings, never markup
            console.print(f"{series_id}: {kind}: {text}", markup=False)


@alerts_app.command("test")
def test_channel(
    channel: Annotated[str, typer.Option("--channel", "-c", help="slack, email or console.")],
) -> None:
    """Send a clearly marked test message through one channel.

    Uses the same settings as a run (the environment, else the Prefect Secret blocks
    reportwatch-slack-webhook-url and reportwatch-smtp-password).

    Example: reportwatch alerts test --channel slack
    """
    from tasks.alerts.channels import build_notifier, missing_settings
    from tasks.alerts.examples import sample_alert
    from tasks.alerts.secrets import secret_hint, with_secret_blocks

    if channel not in CHANNELS:
        raise ReportwatchError(f"unknown channel {channel!r}", hint="use slack, email or console")
    settings = with_secret_blocks(load_settings(), [channel], use_blocks=True)
    missing = missing_settings(channel, settings)
    if missing:
        blocks = secret_hint(missing)
        raise ConfigError(
            f"{channel} channel needs {' and '.join(missing)}",
            hint="set it in the environment" + (f", {blocks}" if blocks else ""),
        )
    notifier = build_notifier(channel, settings)
    notifier.send([sample_alert()], test=True)
    console.print(f"test message sent through {channel} ({notifier!r})")


@alerts_app.command("mute")
def mute(
    rule: Annotated[str, typer.Argument(help="Rule id from the series file.")],
    series: SeriesOpt = "kfor",
    until: Annotated[
        dt.datetime | None,
        typer.Option(help="Last day muted (default: until unmuted).", formats=["%Y-%m-%d"]),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Mute a rule of a series: its alerts are still recorded (status muted), never sent.

    Example: reportwatch alerts mute incident-keywords --series kfor --until 2027-01-31
    """
    from warehouse import open_writer
    from warehouse.alerts import mute as mute_rule

    settings = _settings(data_dir)
    _known_rule(load_series(series, settings.series_dir), rule)
    with open_writer(settings.warehouse_path) as con:
        mute_rule(con, rule_id=rule, series=series, until=until.date() if until else None)
    console.print(f"muted {rule} for {series}" + (f" until {until:%Y-%m-%d}" if until else ""))


@alerts_app.command("unmute")
def unmute(
    rule: Annotated[str, typer.Argument(help="Rule id from the series file.")],
    series: SeriesOpt = "kfor",
    data_dir: DataDirOpt = None,
) -> None:
    """Send a muted rule's alerts again from the next run (those raised while muted stay muted).

    Example: reportwatch alerts unmute incident-keywords --series kfor
    """
    from warehouse import open_writer
    from warehouse.alerts import list_mutes
    from warehouse.alerts import unmute as unmute_rule

    settings = _settings(data_dir)
    _known_rule(load_series(series, settings.series_dir), rule)
    with open_writer(settings.warehouse_path) as con:
        removed = unmute_rule(con, rule_id=rule, series=series)
        still = [m["rule_id"] for m in list_mutes(con, series=series)]
    if not removed:
        raise ReportwatchError(
            f"{rule} is not muted for {series}", hint=f"muted rules: {', '.join(still) or 'none'}"
        )
    console.print(f"unmuted {rule} for {series}")
