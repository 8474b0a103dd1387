"""Slack's size limits, applied to the text exactly as it is sent.

Slack refuses a message whose blocks break a limit (``invalid_blocks``) and counts characters
*after* our escaping: ``&`` is sent as ``&amp;`` (five characters), ``<`` as ``&lt;``. So a
quote cut to 2,900 characters before escaping can be 3,400 once escaped. :func:`fit_blocks`
walks the rendered payload, whatever template made it (bundled or a series' override), and cuts
every text that is too long, never inside an escape (``&amp;``) or a link (``<url|label>``),
ending it with a visible marker and, when the message has one, a link to the report it quotes.

Limits (Slack's Block Kit reference, "Blocks" and "Composition objects"):

| where | limit |
|---|---|
| blocks in one message | 50 (:data:`MAX_BLOCKS`) |
| ``header`` text (plain_text) | 150 characters |
| ``section`` text | 3,000 characters |
| ``section`` fields | 10, each 2,000 characters |
| ``context`` elements | 10 |
| any other text object | 3,000 characters |
| the message's ``text`` | 40,000 characters (Slack truncates); ours is a notification preview, cut at 3,000 |

"Message size": Slack documents 40,000 characters for a message's text. We keep *all* the text
of a message (``text`` and every block) under :data:`MAX_MESSAGE_CHARS`, so a long digest drops
whole alerts (saying how many) rather than meet a limit Slack enforces but does not document.
"""

from __future__ import annotations

import copy
from typing import Any

from tasks.alerts.notifiers.render import slack_escape

MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
TEXT_OBJECT_CHARS = 3000
FALLBACK_CHARS = 3000
MAX_MESSAGE_CHARS = 40_000
ELLIPSIS = "…"


def truncation_marker(link: str | None) -> str:
    """What ends a cut mrkdwn text: an ellipsis and, when there is one, a link to the report."""
    if link:
        return f"{ELLIPSIS} <{slack_escape(link)}|read the rest in the report>"
    return f"{ELLIPSIS} (cut to fit Slack)"


def cut_mrkdwn(text: str, limit: int, marker: str) -> str:
    """``text`` (already escaped) in at most ``limit`` characters, the marker included.

    The cut never falls inside an entity (``&amp;``) or a link (``<...>``): it moves back to
    where that began.
    """
    if len(text) <= limit:
        return text
    room = max(0, limit - len(marker))
    cut = text[:room]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    return cut.rstrip() + marker if room else marker[:limit]


def cut_plain(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _fit_text_object(node: Any, limit: int, marker: str) -> int:
    """Cut one text object in place; returns 1 when it was cut."""
    if not isinstance(node, dict) or not isinstance(node.get("text"), str):
        return 0
    before = node["text"]
    if node.get("type") == "plain_text":
        node["text"] = cut_plain(before, limit)
    else:
        node["text"] = cut_mrkdwn(before, limit, marker)
    return int(node["text"] != before)


def _fit_list(block: dict[str, Any], key: str, most: int, limit: int, marker: str) -> int:
    """Keep at most ``most`` text objects under ``block[key]``, each cut to ``limit``."""
    items = block.get(key)
    if not isinstance(items, list):
        return 0
    cuts = 0
    if len(items) > most:
        block[key] = items = items[:most]
        cuts += 1
    return cuts + sum(_fit_text_object(item, limit, marker) for item in items)


def fit_blocks(payload: dict[str, Any], *, link: str | None = None) -> tuple[dict[str, Any], int]:
    """A copy of ``payload`` with every text within Slack's limits; and how many were cut.

    ``link``: the report the message is about (its source document), put in the marker of
    every cut mrkdwn text. Block count and message size are the caller's to fit
    (:func:`too_big`): cutting blocks would drop facts without saying so.
    """
    fitted = copy.deepcopy(payload)
    marker = truncation_marker(link)
    cuts = 0
    if isinstance(fitted.get("text"), str):
        before = fitted["text"]
        fitted["text"] = cut_mrkdwn(before, FALLBACK_CHARS, ELLIPSIS)
        cuts += int(fitted["text"] != before)
    for block in fitted.get("blocks") or []:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "header":
            cuts += _fit_text_object(block.get("text"), HEADER_CHARS, marker)
        elif kind == "section":
            cuts += _fit_text_object(block.get("text"), SECTION_CHARS, marker)
            cuts += _fit_list(block, "fields", MAX_FIELDS, FIELD_CHARS, marker)
        elif kind == "context":
            cuts += _fit_list(block, "elements", MAX_CONTEXT_ELEMENTS, TEXT_OBJECT_CHARS, marker)
        else:
            cuts += _fit_text_object(block.get("text"), TEXT_OBJECT_CHARS, marker)
    return fitted, cuts


def message_chars(payload: dict[str, Any]) -> int:
    """Characters of every text the message carries (``text`` and all blocks)."""
    total = 0

    def walk(node: Any) -> None:
        nonlocal total
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    total += len(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return total


def too_big(payload: dict[str, Any]) -> str | None:
    """Why ``payload`` cannot be sent as one message (block count, size), or None."""
    blocks = len(payload.get("blocks") or [])
    if blocks > MAX_BLOCKS:
        return f"{blocks} blocks, over Slack's {MAX_BLOCKS}"
    size = message_chars(payload)
    if size > MAX_MESSAGE_CHARS:
        return f"{size:,} characters of text, over {MAX_MESSAGE_CHARS:,}"
    return None
