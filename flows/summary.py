"""The run summary: counts per stage, seconds per stage, alerts; published as a Prefect artifact.

A run that finishes is ``completed`` only when nothing went wrong on the way; otherwise it is
``completed-degraded`` and says why (:meth:`RunSummary.degraded`):

* a discovery source failed or stopped early (its cursor stays before the failed window);
* a catalogue record was skipped as unreadable (named in the notes);
* a document failed (download, read or load; retried by the next run);
* a channel failed, or alerts wait on a channel that is not configured.

A channel or source the series lists but the settings cannot serve is named on every run
("slack: not configured: set REPORTWATCH_SLACK_WEBHOOK_URL"), degraded or not. The CLI exits
with :data:`EXIT_DEGRADED` for a degraded run, 0 for a completed one (docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.events import emit_event

from reportwatch.models import Alert

if TYPE_CHECKING:
    from tasks.alerts.notify import DeliverySummary
    from tasks.discover.task import DiscoverOutcome

_SKIPPED = re.compile(r"skipped record (\S+(?: \([^)]*\))?)")
EXIT_DEGRADED = 3  # `reportwatch run`/`backfill`: completed, but degraded (see the docstring)
COMPLETED, DEGRADED = "completed", "completed-degraded"
COUNTS = ("discovered", "fetched", "unchanged", "loaded", "quarantined", "rejected", "failed",
          "alerts_raised", "alerts_delivered")  # fmt: skip


@dataclass
class RunSummary:
    run_id: str
    series: str
    flow: str
    window_until: dt.date | None = None
    status: str = "running"
    discovered: int = 0
    fetched: int = 0
    unchanged: int = 0
    loaded: int = 0
    quarantined: int = 0
    rejected: int = 0
    rejected_at_discovery: int = 0  # of ``rejected``: by their catalogue record, never fetched
    failed: int = 0
    alerts_raised: int = 0
    alerts_delivered: int = 0
    error: str | None = None
    documents_read: int = 0  # the extract stage's count (not stored: loaded + quarantined are)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    loaded_documents: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    delivery_errors: dict[str, str] = field(default_factory=dict)
    source_errors: dict[str, str] = field(default_factory=dict)
    channel_errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # channels and sources the series lists that the settings cannot serve
    not_configured: dict[str, str] = field(default_factory=dict)
    snapshot_error: str | None = None  # the analysts' snapshot could not be published
    record_error: str | None = None  # the run's own row could not be written (a full disk)

    def counts(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in COUNTS}

    def note_discovery(self, discovered: DiscoverOutcome) -> None:
        self.source_errors.update(discovered.errors)
        self.notes += discovered.notes
        self.not_configured.update(discovered.not_configured)

    def note_delivery(self, delivery: DeliverySummary) -> None:
        self.channel_errors.update(delivery.errors)
        self.not_configured.update(delivery.skipped_channels)

    def degraded(self) -> list[str]:
        """Why the run is degraded, one phrase each; empty when it is not."""
        reasons = [f"{source}: {error}" for source, error in self.source_errors.items()]
        skipped = self.skipped_records()
        if skipped:
            shown = ", ".join(skipped[:3]) + (
                f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
            )
            reasons.append(f"{len(skipped)} catalogue record(s) skipped as unreadable ({shown})")
        if self.failed:
            reasons.append(f"{self.failed} document(s) failed")
        reasons += [
            error if f"{kind}:" in error else f"{kind}: {error}"
            for kind, error in self.channel_errors.items()
        ]
        if self.snapshot_error:
            reasons.append(f"snapshot not published: {self.snapshot_error}")
        if self.record_error:
            reasons.append(f"the run could not be recorded in the warehouse: {self.record_error}")
        return reasons

    def skipped_records(self) -> list[str]:
        """The catalogue records skipped as unreadable, each once (a record can be met again
        in a later window), as ``identifier (symbol)``."""
        found: dict[str, None] = {}
        for note in self.notes:
            match = _SKIPPED.search(note)
            if match:
                found.setdefault(match.group(1), None)
        return list(found)

    def complete(self) -> None:
        """The run got to the end: ``completed``, or ``completed-degraded`` with its reasons."""
        reasons = self.degraded()
        self.status = DEGRADED if reasons else COMPLETED
        self.error = f"degraded: {'; '.join(reasons)}" if reasons else None

    def unnamed_gaps(self) -> list[str]:
        """Not-configured channels and sources that :meth:`degraded` does not already name."""
        named = " ".join(self.degraded())
        return [
            f"{kind}: {text}"
            for kind, text in self.not_configured.items()
            if f"{kind}: {text}" not in named
        ]

    def one_line(self) -> str:
        parts = ", ".join(
            f"{'channel deliveries' if k == 'alerts_delivered' else k.replace('_', ' ')} {v}"
            for k, v in self.counts().items()
        )
        line = f"{self.flow} {self.series}: {self.status}: {parts}"
        if self.status == DEGRADED:
            line += f"; degraded by: {'; '.join(self.degraded())}"
        gaps = self.unnamed_gaps()
        return line + (f"; {'; '.join(gaps)}" if gaps else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "series": self.series,
            "status": self.status,
            **self.counts(),
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "failures": self.failures,
            "alerts": [a.headline for a in self.alerts],
            "delivery_errors": self.delivery_errors,
            "degraded": self.degraded() if self.status == DEGRADED else [],
            "not_configured": self.not_configured,
            "notes": self.notes,
            "summary": self.one_line(),
        }

    def markdown(self) -> str:
        lines = [f"# reportwatch {self.flow}: {self.series} ({self.status})", ""]
        lines += ["| stage | count |", "|---|---|"]
        lines += [f"| {k.replace('_', ' ')} | {v} |" for k, v in self.counts().items()]
        lines += ["", "| stage | seconds |", "|---|---|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in self.stage_seconds.items()]
        if self.alerts:
            lines += ["", "## Alerts raised", ""]
            lines += [f"- **{a.severity}** {a.headline}" for a in self.alerts]
        if self.failures:
            lines += ["", "## Failed or quarantined items", ""]
            lines += [f"- `{f['symbol']}`: {f['reason']}" for f in self.failures]
        if self.delivery_errors:
            lines += ["", "## Delivery problems (will be retried)", ""]
            lines += [f"- {ch}: {err}" for ch, err in self.delivery_errors.items()]
        if self.status == DEGRADED:
            lines += ["", "## Why the run is degraded", ""]
            lines += [f"- {reason}" for reason in self.degraded()]
        if self.notes:
            lines += ["", "## Notes", ""]
            lines += [f"- {note}" for note in self.notes]
        if self.not_configured:
            lines += ["", "## Not configured", ""]
            lines += [f"- {kind}: {text}" for kind, text in self.not_configured.items()]
        return "\n".join(lines)


def publish_run_artifact(summary: RunSummary, analyst_summary: str | None = None) -> None:
    """A markdown summary and a table of counts, under stable keys per series.

    ``analyst_summary`` (latest figures, changes, alerts; the same as ``reportwatch report``)
    is appended when the warehouse could give it.
    """
    key = f"reportwatch-{summary.series}-run".lower()
    markdown = summary.markdown()
    if analyst_summary:
        markdown += "\n\n" + analyst_summary
    create_markdown_artifact(key=key, markdown=markdown, description=summary.one_line())
    create_table_artifact(
        key=f"{key}-counts",
        table=[{"stage": k, "count": v} for k, v in summary.counts().items()]
        + [
            {"stage": f"{k} seconds", "count": round(v, 2)}
            for k, v in summary.stage_seconds.items()
        ],
    )


def emit_events(summary: RunSummary) -> None:
    """Custom events other automations can react to."""
    for doc in summary.loaded_documents:
        emit_event(
            event="reportwatch.document.loaded",
            resource={"prefect.resource.id": f"reportwatch.document.{doc['document_id']}"},
            payload={**doc, "series": summary.series, "run_id": summary.run_id},
        )
    for alert in summary.alerts:
        emit_event(
            event="reportwatch.alert.raised",
            resource={"prefect.resource.id": f"reportwatch.alert.{alert.key}"},
            payload={
                "series": alert.series,
                "rule": alert.rule_id,
                "severity": alert.severity,
                "headline": alert.headline,
                "symbol": alert.symbol,
            },
        )


# -- one line per finished stage: the log of a scheduled run, the CLI's progress display --------
_STAGE_UNITS = {"discover": "windows", "fetch": "documents", "extract": "documents",
                "load": "documents", "notify": "alerts"}  # fmt: skip


def stage_unit(stage: str) -> str:
    """What a stage counts in its progress display."""
    return _STAGE_UNITS.get(stage, "items")


def stage_line(summary: RunSummary, stage: str) -> str:
    """The one line a finished stage reports: ``fetch: 16 fetched, 0 unchanged, 0 failed in 3.1 s``."""
    seconds = summary.stage_seconds.get(stage)
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    if stage == "discover":
        text = f"{summary.discovered} new document(s), {summary.rejected} rejected"
        stopped = [f["symbol"] for f in summary.failures if f["symbol"].startswith("(")]
        if stopped:
            text += f"; stopped early: {', '.join(stopped)}"
    elif stage == "fetch":
        text = f"{summary.fetched} fetched, {summary.unchanged} unchanged, {summary.failed} failed"
    elif stage == "extract":
        text = f"{summary.documents_read} document(s) read"
    elif stage == "load":
        text = (
            f"{summary.loaded} loaded, {summary.quarantined} quarantined, "
            f"{summary.rejected - summary.rejected_at_discovery} rejected"
        )
    elif stage == "detect":
        text = f"{summary.alerts_raised} alert(s) raised"
    elif stage == "notify":
        text = f"{summary.alerts_delivered} channel delivery(ies)"
        if summary.delivery_errors:
            text += f"; not delivered on {', '.join(sorted(summary.delivery_errors))}"
    else:
        text = "done"
    return f"{stage}: {text}{took}"
