"""The detect stage: raise the alerts every waiting document version is owed.

The rules are plain functions (:mod:`tasks.alerts.detect`); this module runs them over the
warehouse. What to compare comes from the warehouse, not from the run's memory: every version
whose alerts were never raised (``documents.detected_at`` NULL), whichever run loaded it. A run
killed between load and detect therefore loses nothing: the next run raises those alerts.
"""

from __future__ import annotations

import datetime as dt

from prefect import task

from reportwatch.models import Alert
from reportwatch.series import SeriesConfig
from reportwatch.settings import Settings
from tasks.alerts.detect import TODAY_DEPENDENT_KINDS, detect, facts_for_detection
from tasks.retry import retry_transient
from warehouse import alerts as wh_alerts
from warehouse import open_writer
from warehouse.documents import document_row
from warehouse.progress import record_detection, undetected, unfinished


def detect_new(
    config: SeriesConfig,
    settings: Settings,
    new_documents: list[str] | None = None,
    *,
    today: dt.date,
    run_id: str | None = None,
    historical: bool = False,
    harvest_complete: bool = True,
) -> list[Alert]:
    """Raise and record the alerts of versions whose alerts were never raised; returns the new.

    ``new_documents`` None (a run): every version of the series whose alerts were never raised,
    whichever run loaded it (the outbox: ``documents.detected_at`` is NULL); a list: those
    versions (reprocess). The alerts, and the mark that the versions were compared, are one
    transaction (:func:`warehouse.progress.record_detection`).

    History is recorded muted on every channel, never sent: a ``historical`` run (a backfill)
    compares only the versions backfills found, and a live run mutes what those raise. The
    overdue rule depends on today's date and on knowing every report that exists, so it runs
    only in a live run whose harvest completed (``harvest_complete``) while no candidate of the
    series is still on its way to ``documents``; otherwise a report still downloading would be
    announced as overdue, an alert that can never be withdrawn.
    """
    with open_writer(settings.warehouse_path) as con:
        waiting = undetected(con, config.id)
        history = {w["document_id"] for w in waiting if w["historical"]}
        if new_documents is None:
            new_documents = [w["document_id"] for w in waiting if w["historical"] or not historical]
        overdue_allowed = (
            not historical
            and harvest_complete
            and not unfinished(con, config.id).candidates_pending
        )
        all_versions = wh_alerts.report_facts(con, config.id, current_only=False)
        current, previous_versions = facts_for_detection(all_versions, new_documents)
        for facts in current:
            if facts["status"] == "quarantined" and facts["document_id"] in new_documents:
                # the quarantined alert names the raw file the runbook step opens
                row = document_row(con, facts["document_id"]) or {}
                if row.get("sha256"):
                    facts["sha256"] = row["sha256"]
                    facts["raw_file"] = str(settings.raw_dir / f"{row['sha256']}.pdf")
        alerts = detect(
            config,
            current,
            new_documents,
            today=today,
            paragraphs_for=lambda doc_id: wh_alerts.paragraph_texts(con, doc_id),
            previous_versions=previous_versions,
            rule_filter=(
                None
                if overdue_allowed
                else {r.id for r in config.rules if r.kind not in TODAY_DEPENDENT_KINDS}
            ),
        )
        channels: list[str] = [c.kind for c in config.channels]
        muted = {a.key: channels for a in alerts if historical or a.document_id in history}
        return record_detection(
            con, alerts, series=config.id, run_id=run_id, documents=new_documents,
            muted_channels=muted,
        )  # fmt: skip


@task(name="detect", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=retry_transient)
def detect_task(
    config: SeriesConfig,
    settings: Settings,
    *,
    today: dt.date,
    run_id: str | None = None,
    historical: bool = False,
    harvest_complete: bool = True,
) -> list[Alert]:
    """The run's detect stage: every version of the series still waiting for its alerts."""
    return detect_new(
        config, settings, None, today=today, run_id=run_id, historical=historical,
        harvest_complete=harvest_complete,
    )  # fmt: skip
