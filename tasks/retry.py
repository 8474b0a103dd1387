"""Prefect's ``retry_condition_fn``: retry a task only when its error is transient.

Use as ``@task(retries=3, retry_delay_seconds=60, retry_condition_fn=retry_transient)``. A 404, a
WAF challenge or an encrypted PDF fails at once; a timeout, a 503 or a locked warehouse is retried.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import inspect
from typing import Any

from reportwatch.errors import is_transient


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """True only when the failed state holds a transient :class:`ReportwatchError`."""
    error = exception_of(state)
    return error is not None and is_transient(error)


def exception_of(state: Any) -> BaseException | None:
    """The exception a failed Prefect state holds, when this process still has it."""
    # Prefect hands the condition a Failed state whose data is the raised exception.
    data = getattr(state, "data", None)
    if isinstance(data, BaseException):
        return data
    try:
        result = state.result(raise_on_failure=False)
    except Exception:
        return None
    if inspect.isawaitable(result):
        # Inside an event loop ``result`` dispatches to its async twin; never block on it here.
        close = getattr(result, "close", None)
        if callable(close):
            close()
        return None
    return result if isinstance(result, BaseException) else None


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """A ``Retry-After`` header as seconds from ``now`` (a number or an HTTP date, never below
    zero); None when absent or unreadable. Shared by the fetcher and the Slack notifier."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
