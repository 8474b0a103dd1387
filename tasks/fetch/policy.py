"""The rules the fetcher applies: :class:`FetchPolicy` and the per-host :class:`HostRateLimiter`.

Split from :mod:`tasks.fetch.client` (which re-exports both) to keep each module small; the policy is
plain data and arithmetic, with no network access of its own.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx

from reportwatch import __version__, interrupt
from reportwatch.settings import Settings
from tasks.retry import parse_retry_after


def _user_agent(contact: str) -> str:
    return f"reportwatch/{__version__} (+{contact})"


@dataclass(frozen=True)
class FetchPolicy:
    """Every rule the fetcher applies; frozen so one policy can be shared by threads."""

    allowed_hosts: frozenset[str]
    user_agent: str = _user_agent("ops@example.org")
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    download_deadline: float = 300.0
    max_retries: int = 4
    max_bytes: int = 50_000_000
    min_request_interval: float = 5.0
    max_redirects: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    retry_after_floor: float = 1.0
    retry_after_cap: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> FetchPolicy:
        """The policy the settings describe; ``overrides`` set the fields settings do not hold."""
        policy = cls(
            allowed_hosts=frozenset(settings.effective_allowed_hosts()),
            user_agent=_user_agent(settings.contact),
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            total_timeout=settings.total_timeout,
            download_deadline=settings.download_deadline,
            max_retries=settings.max_retries,
            max_bytes=settings.max_bytes,
            min_request_interval=settings.min_request_interval,
        )
        return replace(policy, **overrides) if overrides else policy

    def timeout(self, remaining: float | None = None) -> httpx.Timeout:
        """httpx's timeouts; none longer than ``remaining`` seconds when a deadline is near."""
        cap = float("inf") if remaining is None else max(remaining, 0.001)
        return httpx.Timeout(
            connect=min(self.connect_timeout, cap),
            read=min(self.read_timeout, cap),
            write=min(self.read_timeout, cap),
            pool=min(self.connect_timeout, cap),
        )

    def host_allowed(self, host: str | None) -> bool:
        """Exact host names, or a suffix written ``.un.org`` (or ``*.un.org``) for a whole domain."""
        if not host:
            return False
        host = host.lower().rstrip(".")
        for allowed in self.allowed_hosts:
            suffix = allowed.removeprefix("*")
            if host == allowed or (suffix.startswith(".") and host.endswith(suffix)):
                return True
        return False

    def backoff_delay(self, retry_number: int, rng: random.Random) -> float:
        """Seconds before retry ``retry_number`` (1-based): capped doubling with equal jitter."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (retry_number - 1))
        return rng.uniform(ceiling / 2, ceiling)

    def retry_after_delay(self, value: str | None, now: dt.datetime | None = None) -> float | None:
        """Seconds a ``Retry-After`` header asks for (never below the floor); None if unreadable."""
        seconds = parse_retry_after(value, now=now)
        if seconds is None:
            return None
        return max(seconds, self.retry_after_floor, 0.0)


class HostRateLimiter:
    """At least ``interval`` seconds between the end of one request to a host and the next.

    Measuring from the end of the previous request (not its start) means the server sees the gap
    even when a response was slow, and holding a per-host lock for the request means concurrent
    threads queue instead of bursting.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last_done: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str, interval: float) -> Iterator[None]:
        interrupt.check()  # an interrupted run sends no further request
        if interval <= 0:
            yield
            return
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            last = self._last_done.get(host)
            if last is not None:
                wait = last + interval - self._clock()
                if wait > 0:
                    interrupt.pause(wait)
            try:
                yield
            finally:
                self._last_done[host] = self._clock()


# One limiter per process: politeness is owed per host, whoever in the process is asking.
SHARED_RATE_LIMITER = HostRateLimiter()
