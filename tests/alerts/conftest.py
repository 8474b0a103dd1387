"""The loopback servers alert tests deliver to: Slack's webhook and an SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.slack_server import LoopbackWebhook
from tests.smtp_server import LoopbackSMTP


@pytest.fixture
def webhook() -> Iterator[LoopbackWebhook]:
    with LoopbackWebhook() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[LoopbackSMTP]:
    with LoopbackSMTP() as server:
        yield server
