"""Console: a framed block per alert on a stream (stdout by default).

The console is the channel of last resort (a run's log, ``reportwatch alerts test``), so it
never raises: if the template or the stream fails, it falls back to one plain line per alert,
and if even that fails it logs a warning.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reportwatch.models import Alert
from tasks.alerts.notifiers.render import (
    TEST_BANNER,
    TemplateRenderer,
    message_context,
    most_severe,
)

log = logging.getLogger(__name__)

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}

# A template line "  label    value" (two-space indent, two or more spaces after the label)
# becomes a row of a two-column grid, so long values wrap under their own column.
_ROW = re.compile(r"^ {2}(\S+(?: \S+)*) {2,}(\S.*)$")


def _layout(text: str) -> RenderableType:
    parts: list[RenderableType] = []
    grid: Table | None = None
    for line in text.splitlines():
        row = _ROW.match(line)
        if row is None:
            grid = None
            # Text(), not markup: alert text may contain "[...]", which rich would eat as a tag.
            parts.append(Text(line, overflow="fold"))
            continue
        if grid is None:
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(overflow="fold")
            parts.append(Padding(grid, (0, 0, 0, 2)))
        grid.add_row(Text(row[1]), Text(row[2]))
    return Group(*parts)


def _panels(
    alerts: list[Alert], *, digest: bool, test: bool, renderer: TemplateRenderer
) -> list[Panel]:
    batches = [alerts] if digest else [[a] for a in alerts]
    panels = []
    for batch in batches:
        context = message_context(batch, test=test, digest=digest)
        name = "console_digest.txt.j2" if digest else "console.txt.j2"
        body = _layout(renderer.render(name, **context).rstrip("\n"))
        severity = most_severe(batch)
        title = "reportwatch digest" if digest else f"{severity.upper()} · {batch[0].series}"
        if test:
            title = f"TEST · {title}"
        panels.append(
            Panel(
                body,
                title=title,
                title_align="left",
                border_style=SEVERITY_STYLE.get(severity, "white"),
            )
        )
    return panels


def render_console(
    alerts: list[Alert],
    *,
    digest: bool = False,
    test: bool = False,
    width: int = 100,
    renderer: TemplateRenderer | None = None,
) -> str:
    """The console output as plain text (no colours), for docs and tests."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    for panel in _panels(alerts, digest=digest, test=test, renderer=renderer or TemplateRenderer()):
        console.print(panel)
    return buffer.getvalue()


class ConsoleNotifier:
    """Prints alerts; colours when the stream is a terminal."""

    channel = "console"

    def __init__(self, *, stream: TextIO | None = None, template_dir: Path | None = None) -> None:
        self._stream = stream
        self._template_dir = template_dir

    def __repr__(self) -> str:
        return f"ConsoleNotifier(stream={getattr(self._stream, 'name', 'stdout')!r})"

    def send(
        self,
        alerts: list[Alert],
        *,
        digest: bool = False,
        test: bool = False,
        occasion: str | None = None,
    ) -> None:
        if not alerts:
            return
        # Resolved per call so that a replaced sys.stdout (pytest's capsys, the CLI) is used.
        stream = self._stream if self._stream is not None else sys.stdout
        try:
            renderer = TemplateRenderer(self._template_dir)
            console = Console(file=stream, soft_wrap=False)
            for panel in _panels(alerts, digest=digest, test=test, renderer=renderer):
                console.print(panel)
        except Exception as exc:  # the console must never fail a run: fall back to plain lines
            log.warning("console notifier fell back to plain text: %s", exc)
            self._plain(stream, alerts, test=test)

    @staticmethod
    def _plain(stream: TextIO, alerts: list[Alert], *, test: bool) -> None:
        try:
            if test:
                stream.write(f"{TEST_BANNER}\n")
            for alert in alerts:
                where = f" ({alert.symbol})" if alert.symbol else ""
                stream.write(f"[{alert.severity}] {alert.headline}{where}\n")
            stream.flush()
        except Exception as exc:  # a closed or broken stream: logging is all that is left
            log.warning("console notifier could not write: %s", exc)
