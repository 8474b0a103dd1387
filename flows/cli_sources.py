"""``reportwatch sources``: list and check each series' sources (to be filled in)."""

from __future__ import annotations

import typer

sources_app = typer.Typer(help="Sources: list them, check each one.", no_args_is_help=True)
