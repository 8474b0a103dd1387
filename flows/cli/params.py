"""Options shared by the commands, and the parameter types they need.

Every option has a help text (``tests/cli/test_help.py``). Dates are typed ``YYYY-MM-DD`` and
shown so in ``--help`` (a datetime parameter would show ``%Y-%m-%d`` and a time of day); a bad
date is a usage error: one line, exit code 2.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from reportwatch.settings import Settings, load_settings

Severity = Literal["critical", "warning", "info"]
TableFormat = Literal["table", "csv", "json"]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: str | dt.date) -> dt.date:
    """``YYYY-MM-DD`` → a date; anything else is a usage error naming the form."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (use YYYY-MM-DD, e.g. 2024-06-30)"
        ) from None


def whole_number(low: int, high: int | None = None) -> Callable[[str | int], int]:
    """A parser for an integer option in ``low..high``; anything else is a usage error."""

    def parse(value: str | int) -> int:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a whole number") from None
        if number < low or (high is not None and number > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise typer.BadParameter(f"{number} is out of range (it must be {bounds})")
        return number

    return parse


def date_option(*names: str, help: str, **kwargs: Any) -> Any:
    return typer.Option(*names, parser=parse_date, metavar="YYYY-MM-DD", help=help, **kwargs)


SeriesOpt = Annotated[
    str, typer.Option("--series", "-s", metavar="ID", help="Series id (a file in series/).")
]
AnySeriesOpt = Annotated[
    str | None,
    typer.Option("--series", "-s", metavar="ID", help="Only this series (default: all)."),
]
FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="REPORTWATCH_DATA_DIR",
        metavar="DIR",
        help="Data folder (default ./data).",
    ),
]


def settings_for(data_dir: Path | None) -> Settings:
    """Settings from the environment, with ``--data-dir`` over ``REPORTWATCH_DATA_DIR``."""
    return load_settings(**({"data_dir": data_dir} if data_dir else {}))
