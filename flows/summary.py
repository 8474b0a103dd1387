"""The run summary: counts per stage, seconds per stage, alerts; published as a Prefect artifact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.events import emit_event

from reportwatch.models import Alert

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

    def counts(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in COUNTS}

    def one_line(self) -> str:
        parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.counts().items())
        return f"{self.flow} {self.series}: {self.status}: {parts}"

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
            f"{summary.rejected} rejected"
        )
    elif stage == "detect":
        text = f"{summary.alerts_raised} alert(s) raised"
    elif stage == "notify":
        text = f"{summary.alerts_delivered} alert(s) delivered"
        if summary.delivery_errors:
            text += f"; not delivered on {', '.join(sorted(summary.delivery_errors))}"
    else:
        text = "done"
    return f"{stage}: {text}{took}"
