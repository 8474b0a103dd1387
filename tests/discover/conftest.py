"""Fixtures shared by the discovery tests: the bundled series and a loopback-only fetcher."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reportwatch.series import SeriesConfig, load_series
from tasks.fetch.client import Fetcher, FetchPolicy, HostRateLimiter
from tests.loopback import LoopbackOnlyTransport


@pytest.fixture
def series() -> SeriesConfig:
    return load_series("kfor")


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    """No politeness delay, one retry, no sleeping, and nothing but 127.0.0.1."""
    policy = FetchPolicy(
        allowed_hosts=frozenset({"127.0.0.1"}), min_request_interval=0.0, max_retries=1
    )
    with Fetcher(
        policy, transport=LoopbackOnlyTransport(), sleep=lambda s: None,
        rate_limiter=HostRateLimiter(),
    ) as client:  # fmt: skip
        yield client
