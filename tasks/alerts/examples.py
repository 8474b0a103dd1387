"""Sample alerts and the rendered examples page ``docs/alerts-messages.md``.

``reportwatch alerts test`` sends :func:`sample_alert`; ``python -m tasks.alerts.examples
--examples --output docs/alerts-messages.md`` renders every bundled template with the samples,
and a test fails when the committed page differs. This module sits above the notifiers: it
imports them, they never import it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from reportwatch.models import Alert
from tasks.alerts.notifiers.console import render_console
from tasks.alerts.notifiers.email import build_email_parts
from tasks.alerts.notifiers.render import BUNDLED_TEMPLATE_NAMES, TEST_BANNER, TemplateRenderer
from tasks.alerts.notifiers.slack import MAX_BLOCKS, build_slack_payload

DOCS_EXAMPLES_PATH = Path(__file__).resolve().parents[2] / "docs" / "alerts-messages.md"

_SAMPLE_URL = "https://documents.un.org/api/symbol/access?s=S/2024/101&l=en&t=pdf"


def sample_alert() -> Alert:
    """A realistic troop-level alert.

    The figures follow KFOR's reinforcement after the September 2023 Banjska attack (about
    3,800 troops before, about 4,500 after); the document symbols are illustrative.
    """
    return Alert(
        key="kfor:troop-level-change:S/2024/101:troops_total",
        rule_id="troop-level-change",
        rule_kind="metric-change",
        series="kfor",
        severity="critical",
        headline="KFOR troop level up 18.4%",
        symbol="S/2024/101",
        document_id="S/2024/101@1",
        metric="troops_total",
        value=4500,
        previous_value=3800,
        delta=700,
        pct_change=700 / 3800 * 100,
        approximate=True,
        period_start=dt.date(2023, 10, 1),
        period_end=dt.date(2023, 12, 31),
        previous_symbol="S/2023/912",
        previous_period_end=dt.date(2023, 9, 30),
        source_url=_SAMPLE_URL,
        evidence_page=3,
        evidence_paragraph=2,
        evidence_text=(
            "As at 31 December 2023, the total number of KFOR troops in theatre was "
            "approximately 4,500, from twenty NATO and seven non-NATO troop-contributing nations."
        ),
        details={"warning_pct": 5, "critical_pct": 15, "previous_approximate": True},
        raised_at=dt.datetime(2024, 2, 19, 6, 0, tzinfo=dt.UTC),
    )


def sample_alerts() -> list[Alert]:
    """Three alerts from one report, for digest examples."""
    troops = sample_alert()
    nations = troops.model_copy(
        update={
            "key": "kfor:contributing-nations-change:S/2024/101:non_nato_nations",
            "rule_id": "contributing-nations-change",
            "severity": "info",
            "headline": "Non-NATO contributing nations down from 8 to 7",
            "metric": "non_nato_nations",
            "value": 7,
            "previous_value": 8,
            "delta": -1,
            "pct_change": -12.5,
            "approximate": False,
            "evidence_paragraph": 2,
            "details": {"previous_approximate": False},
        }
    )
    incident = troops.model_copy(
        update={
            "key": "kfor:security-incidents:S/2024/101",
            "rule_id": "security-incidents",
            "rule_kind": "incidents",
            "severity": "critical",
            "headline": "Security incident reported: attack near Banjska, northern Kosovo",
            "metric": None,
            "value": None,
            "previous_value": None,
            "delta": None,
            "pct_change": None,
            "approximate": None,
            "evidence_page": 3,
            "evidence_paragraph": 4,
            "evidence_text": (
                "Following the attack of 24 September 2023 near Banjska, KFOR reinforced its "
                "presence in northern Kosovo."
            ),
            "details": {},
        }
    )
    return [troops, incident, nations]


# -- docs/alerts-messages.md ----------------------------------------------------------------------
def examples_markdown() -> str:
    """The rendered examples page, from the bundled templates and the sample alerts."""
    alert, digest = sample_alert(), sample_alerts()
    subject, text, html = build_email_parts([alert])
    digest_subject, digest_text, _ = build_email_parts(digest, digest=True)
    # The page is built from the bundled templates only, never a series' overrides.
    return TemplateRenderer().render(
        "docs_alerts_messages.md.j2",
        test_banner=TEST_BANNER,
        slack_json=json.dumps(build_slack_payload([alert]), indent=2, ensure_ascii=False),
        subject=subject,
        text=text.rstrip("\n"),
        html=html.rstrip("\n"),
        console=render_console([alert], width=88).rstrip("\n"),
        max_blocks=MAX_BLOCKS,
        digest_count=len(digest),
        digest_blocks=len(build_slack_payload(digest, digest=True)["blocks"]),
        digest_subject=digest_subject,
        digest_text=digest_text.rstrip("\n"),
        digest_console=render_console(digest, digest=True, width=88).rstrip("\n"),
        template_names=BUNDLED_TEMPLATE_NAMES,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.alerts.examples")
    parser.add_argument("--examples", action="store_true", help="render docs/alerts-messages.md")
    parser.add_argument("--output", type=Path, help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    if not args.examples:
        parser.print_help()
        return 2
    text = examples_markdown()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
