"""The incident alert says what the report states, as the HTML report does: never "1 (was 0)"."""

from __future__ import annotations

import io
import re

from reportwatch.settings import Settings
from tasks.alerts.channels import build_notifier
from tasks.alerts.examples import sample_alert


def test_an_incident_alert_reads_stated_not_a_number() -> None:
    incident = sample_alert().model_copy(
        update={
            "rule_id": "security-incidents", "rule_kind": "incidents", "metric": "major_incidents",
            "headline": "KFOR report S/2023/668 states major security incidents; 2 incidents listed",
            "value": 1.0, "previous_value": 0.0, "delta": 1.0, "pct_change": None,
            "approximate": None,
        }
    )  # fmt: skip
    stream = io.StringIO()
    build_notifier("console", Settings(), stream=stream).send([incident])
    out = " ".join(re.sub("[│╭╮╰╯─]", " ", stream.getvalue()).split())  # the text, unboxed
    assert "major security incidents stated (was no major security incidents stated)" in out
    assert "1 (was 0)" not in out and "+1" not in out and "change" not in out
