"""``reportwatch alerts``: list them, test a channel, mute and unmute a rule."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import typer

from flows.cli.analyst import check_series
from flows.cli.errors import command_group, fail
from flows.cli.output import make_console, print_rows
from flows.cli.params import (
    AnySeriesOpt,
    DataDirOpt,
    SeriesOpt,
    Severity,
    date_option,
    settings_for,
    whole_number,
)
from flows.cli.readers import live_or_snapshot, require_warehouse
from reportwatch.errors import ConfigError, ReportwatchError
from reportwatch.models import SEVERITY_RANK
from reportwatch.series import SeriesConfig, load_series

alerts_app = command_group("Alerts: list them, test a channel, mute or unmute a rule.")
console = make_console()


def _known_rule(config: SeriesConfig, rule: str) -> None:
    if config.rule(rule) is None:
        known = ", ".join(r.id for r in config.rules)
        fail(f"series {config.id} has no rule {rule!r}", f"known rules: {known}")


def why_not_sent(severity: str, series: str, settings: Any) -> str:
    """The deliveries cell of an alert no channel took: the reason, never an empty cell."""
    try:
        channels = load_series(series, settings.series_dir).channels
    except ReportwatchError:  # a series whose file is gone: its channels are unknown
        return "none: no channel took it"
    if not channels:
        return "none: the series has no channel"
    floor = min(SEVERITY_RANK[c.min_severity] for c in channels)
    if SEVERITY_RANK.get(severity, 0) < floor:
        minimums = sorted({c.min_severity for c in channels}, key=SEVERITY_RANK.__getitem__)
        return f"none: below every channel's minimum severity ({' or '.join(minimums)})"
    return "none yet: queued when its channel is configured"


@alerts_app.command("list")
def list_alerts(
    pending: Annotated[
        bool,
        typer.Option(
            "--pending", help="Only undelivered alerts, one line per channel, with the error."
        ),
    ] = False,
    severity: Annotated[
        Severity | None,
        typer.Option(
            "--severity", help="Only alerts this severe or more: critical, warning or info."
        ),
    ] = None,
    series: AnySeriesOpt = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", parser=whole_number(1), metavar="N", help="At most this many rows."
        ),
    ] = 50,
    data_dir: DataDirOpt = None,
) -> None:
    """List raised alerts, most severe first, with their delivery state per channel.

    An alert no channel took says why (below every channel's minimum severity, or no channel).
    With --pending: one line per alert and channel not yet delivered, with the attempts, the
    last error and when a rate-limited channel may be tried again.

    Example: reportwatch alerts list --severity warning
    """
    from warehouse.alerts import pending_deliveries
    from warehouse.queries import alert_listing

    settings = settings_for(data_dir)
    floor = SEVERITY_RANK[severity] if severity else 0
    # the live ledger when no process holds it, else the snapshot (a run may be loading)
    with live_or_snapshot(settings) as (con, _source):
        check_series(con, series, data_dir)
        if pending:
            rows = [r for r in pending_deliveries(con, series=series, limit=limit)
                    if SEVERITY_RANK.get(r["severity"], 0) >= floor]  # fmt: skip
            rows.sort(key=lambda r: -SEVERITY_RANK.get(r["severity"], 0))  # stable: newest next
        else:
            rows = alert_listing(con, series=series, min_rank=floor, limit=limit)
    if not rows:
        console.print("no alerts" + (" pending" if pending else ""))
    else:
        _print_alerts(rows, settings)
    if pending:
        from tasks.alerts.channels import series_channel_gaps

        for series_id, kind, text in series_channel_gaps(settings, series):
            console.print(f"{series_id}: {kind}: {text}")


def _print_alerts(rows: list[dict[str, Any]], settings: Any) -> None:
    reasons: dict[tuple[str, str], str] = {}
    for row in rows:
        if "deliveries" in row and row["deliveries"] is None:
            key = (row["severity"], row["series"])
            if key not in reasons:
                reasons[key] = why_not_sent(*key, settings)
            row["deliveries"] = reasons[key]
        if isinstance(row.get("raised_at"), dt.datetime):
            row["raised_at"] = row["raised_at"].strftime("%Y-%m-%d %H:%M")
    columns = ["severity", *(c for c in rows[0] if c not in ("alert_key", "severity"))]
    if len({r["series"] for r in rows}) == 1:
        columns.remove("series")
    print_rows(console, columns, [tuple(r[c] for c in columns) for r in rows], "table")


@alerts_app.command("test")
def test_channel(
    channel: Annotated[
        Literal["slack", "email", "console"],
        typer.Option("--channel", "-c", help="slack, email or console."),
    ],
) -> None:
    """Send a clearly marked test message through one channel.

    Uses the same settings as a run (the environment, else the Prefect Secret blocks
    reportwatch-slack-webhook-url and reportwatch-smtp-password).

    Example: reportwatch alerts test --channel slack
    """
    from tasks.alerts.channels import build_notifier, missing_settings
    from tasks.alerts.examples import sample_alert
    from tasks.alerts.secrets import secret_hint, with_secret_blocks

    settings = with_secret_blocks(settings_for(None), [channel], use_blocks=True)
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
        dt.date | None, date_option("--until", help="Last day muted (default: until unmuted).")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Mute a rule of a series: its alerts are still recorded (status muted), never sent.

    Example: reportwatch alerts mute incident-keywords --series kfor --until 2027-01-31
    """
    from warehouse import open_writer
    from warehouse.alerts import mute as mute_rule

    settings = settings_for(data_dir)
    _known_rule(load_series(series, settings.series_dir), rule)
    today = dt.datetime.now(dt.UTC).date()
    if until is not None and until < today:
        fail(f"--until {until:%Y-%m-%d} is in the past: that mute would silence nothing",
             "give a day from today on, or leave --until out to mute until unmuted")  # fmt: skip
    with open_writer(require_warehouse(settings)) as con:
        mute_rule(con, rule_id=rule, series=series, until=until)
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

    settings = settings_for(data_dir)
    _known_rule(load_series(series, settings.series_dir), rule)
    with open_writer(require_warehouse(settings)) as con:
        removed = unmute_rule(con, rule_id=rule, series=series)
        still = [m["rule_id"] for m in list_mutes(con, series=series)]
    if not removed:
        fail(f"{rule} is not muted for {series}", f"muted rules: {', '.join(still) or 'none'}")
    console.print(f"unmuted {rule} for {series}")
