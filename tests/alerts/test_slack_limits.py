"""Slack's limits on the text as sent (escapes included), against a loopback webhook that
refuses what Slack refuses (``invalid_blocks``, ``msg_too_long``; tests/slack_server.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from reportwatch.errors import TerminalNotifyError
from reportwatch.models import Alert
from reportwatch.settings import Settings
from tasks.alerts.channels import build_notifier
from tasks.alerts.examples import sample_alert
from tasks.alerts.notifiers.render import TemplateRenderer, message_context
from tasks.alerts.notifiers.slack_limits import truncation_marker
from tests.slack_server import LoopbackWebhook, Reply, slack_refusal

# 2,800 characters before escaping, about 3,700 after: "&" is sent as "&amp;", "<" as "&lt;".
AMPERSANDS = ("KFOR & EULEX <joint patrol> " * 100)[:2800]
PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


@pytest.fixture
def webhook() -> Iterator[LoopbackWebhook]:
    with LoopbackWebhook() as server:
        yield server


def slack(url: str, template_dir: Path | None = None) -> Any:
    settings = Settings(slack_webhook_url=SecretStr(url))
    return build_notifier("slack", settings, template_dir=template_dir)


def long_alert(number: int = 0, **changes: Any) -> Alert:
    return sample_alert().model_copy(
        update={"key": f"kfor:long:{number}", "evidence_text": AMPERSANDS, **changes}
    )


def test_the_unfitted_message_is_what_slack_refuses() -> None:
    # The bundled template cuts the quote at 2,900 characters *before* escaping: too long as sent.
    rendered = TemplateRenderer().render_json(
        "slack.json.j2", **message_context([long_alert()], test=False, digest=False)
    )
    assert slack_refusal(json.dumps(rendered).encode()) == "invalid_blocks"


def test_a_quote_over_3000_once_escaped_is_cut_with_a_marker_and_a_link(
    webhook: LoopbackWebhook,
) -> None:
    alert = long_alert()
    slack(webhook.url).send([alert])

    assert webhook.refused == []
    blocks = webhook.posts[0].json()["blocks"]
    quote = next(b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "")[:1] == ">")
    marker = truncation_marker(alert.source_url)
    assert len(quote) <= 3000 and quote.endswith(marker)
    assert marker.endswith("|read the rest in the report>")
    assert "&amp;l=en&amp;t=pdf|" in marker  # the link itself escaped as Slack wants it
    kept = quote[: -len(marker)]
    assert PARTIAL_ENTITY.search(kept) is None and kept.count("<") == 0
    assert kept.startswith(">KFOR &amp; EULEX &lt;joint patrol&gt; KFOR")


def test_a_long_headline_fits_the_header(webhook: LoopbackWebhook) -> None:
    alert = long_alert(headline="Troops & equipment <moved> " * 20)
    slack(webhook.url).send([alert])
    assert webhook.refused == []
    header = webhook.posts[0].json()["blocks"][0]
    assert header["type"] == "header" and len(header["text"]["text"]) <= 150
    assert header["text"]["text"].endswith("…")


def test_a_custom_template_with_too_many_and_too_long_fields_is_fitted(
    tmp_path: Path, webhook: LoopbackWebhook
) -> None:
    fields = ", ".join(
        '{"type": "mrkdwn", "text": ' + '"' + "&lt;" * 600 + f'field {n}"' + "}" for n in range(12)
    )
    (tmp_path / "slack.json.j2").write_text(
        '{"text": "x", "blocks": [{"type": "section", "fields": [' + fields + "]},"
        ' {"type": "context", "elements": ['
        + ", ".join('{"type": "mrkdwn", "text": "e"}' for _ in range(14))
        + "]}]}"
    )
    slack(webhook.url, template_dir=tmp_path).send([sample_alert()])

    assert webhook.refused == []
    section, context = webhook.posts[0].json()["blocks"]
    assert len(section["fields"]) == 10 and len(context["elements"]) == 10
    assert all(len(f["text"]) <= 2000 and f["text"].endswith("report>") for f in section["fields"])
    assert all(PARTIAL_ENTITY.search(f["text"].split("…")[0]) is None for f in section["fields"])


def test_a_digest_of_long_alerts_stays_under_blocks_and_size(webhook: LoopbackWebhook) -> None:
    alerts = [long_alert(n, headline=f"Alert number {n}") for n in range(60)]
    slack(webhook.url).send(alerts, digest=True)

    assert webhook.refused == []
    payload = webhook.posts[0].json()
    assert len(payload["blocks"]) <= 50
    shown = sum(1 for n in range(60) if f"Alert number {n}*" in webhook.posts[0].body.decode())
    assert 0 < shown < 60
    assert payload["blocks"][-1]["text"]["text"].startswith(
        f"_…and {60 - shown} more alerts not shown: a Slack message holds 50 blocks and "
        "40,000 characters."
    )


def test_invalid_blocks_from_slack_stays_terminal_with_a_hint(webhook: LoopbackWebhook) -> None:
    webhook.reply_with(Reply(status=400, body="invalid_blocks"))
    with pytest.raises(TerminalNotifyError) as caught:
        slack(webhook.url).send([sample_alert()])
    assert "invalid_blocks" in caught.value.message
    assert caught.value.hint == "Slack rejected the message blocks: check a custom slack template"
