"""Analyst commands: export, chart, report (to be filled in)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the analyst commands to the main app."""
