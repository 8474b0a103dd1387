"""The one network client policy every source uses.

:class:`FetchPolicy` holds the rules (timeouts, retries, politeness, allowlist, caps), built from
:class:`reportwatch.settings.Settings`; :class:`Fetcher` applies them around one ``httpx.Client``.
Nothing else in reportwatch (notifiers aside) touches the network, and no ``httpx`` exception
leaves this module: each is mapped to the tree in :mod:`reportwatch.errors` by
:mod:`tasks.fetch.http`, which also says what each status and body means.

What one ``Fetcher.get`` (or ``Fetcher.post_json``) does:

* checks the URL's scheme and host against the allowlist, then again for every redirect hop,
  which it follows itself (at most ``max_redirects``; a loop is an error), so a redirect can never
  make us contact a host nobody configured (a POST keeps its method and body across 307/308 and
  becomes a body-less GET after 301/302/303, as browsers do);
* sends credentials (``Authorization``, ``Cookie``, ``Proxy-Authorization``) only to the origin
  they were given for: once a redirect changes scheme, host or port they are dropped for the rest
  of the chain, so an API key never reaches the file store a search API redirects to;
* waits its turn for that host (``min_request_interval`` seconds between the end of one request and
  the start of the next, shared by every thread and every ``Fetcher`` in the process);
* streams the body, stopping at ``max_bytes`` (:class:`TooLargeError`) and at the per-attempt
  deadline ``total_timeout`` (a body that trickles in too slowly is transient);
* given a ``deadline`` (:meth:`Fetcher.deadline`: ``download_deadline`` seconds from now, one per
  document), never works past it: each attempt's timeouts are cut to the time left, no retry
  starts or sleeps beyond it, and the caller stops trying further URLs once it has passed
  (:meth:`Fetcher.expired`). A server that trickles one byte a second holds a document for the
  deadline at most, not attempts x timeout x URLs;
* retries timeouts, connection failures, 408/429 and 5xx with capped exponential backoff and jitter,
  or after the server's ``Retry-After`` (seconds or HTTP date; at least ``retry_after_floor``). When
  a server asks for more than ``retry_after_cap`` seconds we give up at once with a transient error
  instead of sleeping that long in a worker: the next scheduled run tries again;
* answers an AWS WAF challenge (``x-amzn-waf-action``) with :class:`AccessDeniedError`, never retried
  and never parsed: getting past it needs the operator's approval or a key.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import TracebackType
from typing import Any

import httpx

from reportwatch import interrupt
from reportwatch.errors import (
    DisallowedHostError,
    FetchError,
    TransientFetchError,
)
from reportwatch.settings import Settings
from tasks.fetch.http import (
    REDIRECT_STATUSES,
    FetchResponse,
    _map_httpx_error,
    _origin,
    _Retryable,
    _status_error,
    _too_large,
    _without_credentials,
    check_pdf_body,
)
from tasks.fetch.policy import SHARED_RATE_LIMITER, FetchPolicy, HostRateLimiter

__all__ = [
    "SHARED_RATE_LIMITER",
    "FetchPolicy",
    "FetchResponse",
    "Fetcher",
    "HostRateLimiter",
    "check_pdf_body",
]

log = logging.getLogger(__name__)


class Fetcher:
    """One ``httpx.Client`` under a :class:`FetchPolicy`. Use as a context manager.

    ``transport`` and ``sleep`` exist for tests (``httpx.MockTransport``, a recorded sleep).
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = interrupt.pause,  # time.sleep, ended by Ctrl-C
        rate_limiter: HostRateLimiter | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._limiter = rate_limiter or SHARED_RATE_LIMITER
        self._rng = rng or random.Random()
        self._clock = clock
        self._client = httpx.Client(
            transport=transport,
            verify=_shared_tls_context() if transport is None else True,
            timeout=policy.timeout(),
            follow_redirects=False,
            headers={"User-Agent": policy.user_agent},
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Fetcher:
        return cls(FetchPolicy.from_settings(settings), **kwargs)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # public API ------------------------------------------------------------------------------
    def deadline(self) -> float:
        """The moment (this fetcher's clock) one document's download must be over by."""
        return self._clock() + self.policy.download_deadline

    def expired(self, deadline: float | None) -> bool:
        return deadline is not None and self._clock() >= deadline

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> FetchResponse:
        """GET ``url`` under the policy; 2xx and 304 return, everything else raises a FetchError.

        ``deadline``: a moment from :meth:`deadline`; past it no attempt or retry is made.
        """
        return self._request("GET", url, params, dict(headers or {}), None, deadline)

    def post_json(
        self,
        url: str,
        body: Any,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResponse:
        """POST ``body`` as JSON under the same policy as :meth:`get` (allowlist, caps, retries).

        Meant for search APIs that take their query as a JSON body (ReliefWeb): such a POST
        only reads, so retrying it after a timeout or a 503 is as safe as retrying a GET.
        """
        try:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise FetchError(f"cannot send this body to {url} as JSON: {exc}", url=url) from exc
        request_headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            **dict(headers or {}),
        }
        return self._request("POST", url, params, request_headers, content, None)

    def _request(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: dict[str, str],
        content: bytes | None,
        deadline: float | None,
    ) -> FetchResponse:
        try:
            target = httpx.URL(url)
            if params:
                target = target.copy_merge_params(dict(params))
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(f"invalid URL {url!r}: {exc}", url=url) from exc
        attempt = 0
        while True:
            attempt += 1
            if self.expired(deadline):
                raise TransientFetchError(
                    f"{method} {target} not tried: the {self.policy.download_deadline:g}s "
                    "deadline for this document had run out",
                    url=str(target),
                    attempts=attempt - 1,
                    hint="raise REPORTWATCH_DOWNLOAD_DEADLINE if the source is slow but sound",
                )
            try:
                response = self._attempt(method, target, headers, content, deadline)
                return replace(response, attempts=attempt)
            except _Retryable as failure:
                self._pause_before_retry(method, str(target), failure, attempt, deadline)
            except FetchError as exc:
                exc.attempts = attempt
                raise

    def download_pdf(
        self,
        url: str,
        *,
        validators: Mapping[str, str | None] | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> FetchResponse:
        """GET a PDF, conditionally when ``validators`` (``etag``, ``last_modified``) are given.

        Returns the response with ``not_modified`` set on a 304. A 200 whose body is empty, an
        HTML page or anything else without the ``%PDF-`` header raises :class:`NotPublishedError`
        (transient: sources answer this way for documents not published yet).
        """
        request_headers = {"Accept": "application/pdf", **dict(headers or {})}
        if validators:
            if validators.get("etag"):
                request_headers["If-None-Match"] = str(validators["etag"])
            if validators.get("last_modified"):
                request_headers["If-Modified-Since"] = str(validators["last_modified"])
        response = self.get(url, headers=request_headers, deadline=deadline)
        if response.not_modified:
            return response
        check_pdf_body(response)
        return response

    # one attempt: the redirect chain -------------------------------------------------------
    def _attempt(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        body: bytes | None,
        document_deadline: float | None,
    ) -> FetchResponse:
        deadline = self._clock() + self.policy.total_timeout
        late = f"body still arriving after {self.policy.total_timeout:g}s"
        if document_deadline is not None and document_deadline < deadline:
            deadline = document_deadline
            late = (
                f"body still arriving when this document's {self.policy.download_deadline:g}s "
                "deadline ran out"
            )
        current = url
        seen = {str(current)}
        hops: list[str] = []
        for _ in range(self.policy.max_redirects + 1):
            self._check_allowed(current)
            status, response_headers, content = self._send(
                method, current, headers, body, (deadline, late)
            )
            if status in REDIRECT_STATUSES:
                if method != "GET" and status not in (307, 308):
                    # 301/302/303 after a POST: fetch the answer with a body-less GET.
                    method, body = "GET", None
                    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
                location = response_headers.get("location")
                if not location:
                    raise FetchError(
                        f"{current} answered {status} without a Location", url=str(url)
                    )
                try:
                    target = current.join(location)
                except httpx.InvalidURL as exc:
                    raise FetchError(
                        f"{current} redirected to an invalid URL {location!r}", url=str(url)
                    ) from exc
                if str(target) in seen:
                    raise FetchError(
                        f"redirect loop: {current} sends us back to {target}",
                        url=str(url),
                        status=status,
                    )
                seen.add(str(target))
                if _origin(target) != _origin(current):
                    # As the Fetch standard does for Authorization; cookies and proxy keys alike.
                    headers = _without_credentials(headers)
                hops.append(str(current))
                current = target
                continue
            return FetchResponse(
                url=str(url),
                final_url=str(current),
                status=status,
                headers=response_headers,
                content=content,
                redirects=tuple(hops),
            )
        raise FetchError(
            f"more than {self.policy.max_redirects} redirects starting at {url}", url=str(url)
        )

    def _check_allowed(self, url: httpx.URL) -> None:
        if url.scheme not in ("http", "https"):
            raise DisallowedHostError(
                f"refusing {url.scheme!r} URL {url}", url=str(url), hint="only http(s) is fetched"
            )
        if not self.policy.host_allowed(url.host):
            allowed = ", ".join(sorted(self.policy.allowed_hosts)) or "none"
            raise DisallowedHostError(
                f"host {url.host!r} is not in the allowlist ({allowed})",
                url=str(url),
                hint="add it to REPORTWATCH_ALLOWED_HOSTS if it is a trusted source",
            )

    def _send(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        body: bytes | None,
        deadline: tuple[float, str],
    ) -> tuple[int, dict[str, str], bytes]:
        with self._limiter.slot(url.host, self.policy.min_request_interval):
            try:
                return self._stream(method, url, headers, body, deadline)
            except httpx.HTTPError as exc:
                raise _map_httpx_error(exc, str(url), method) from exc

    def _stream(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        body: bytes | None,
        deadline: tuple[float, str],
    ) -> tuple[int, dict[str, str], bytes]:
        """One request, its body streamed; ``deadline`` is (moment, what to say when late)."""
        moment, late = deadline
        timeout = self.policy.timeout(remaining=moment - self._clock())
        with self._client.stream(
            method, url, headers=headers, content=body, timeout=timeout
        ) as response:
            status = response.status_code
            lowered = {name.lower(): value for name, value in response.headers.items()}
            failure = _status_error(status, lowered, str(url))
            if failure is not None:
                raise failure
            if status in REDIRECT_STATUSES or status == 304:
                return status, lowered, b""
            cap = self.policy.max_bytes
            declared = lowered.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise _too_large(str(url), status, f"announces {declared} bytes, over the cap")
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > cap:
                    raise _too_large(str(url), status, f"sent more than the cap of {cap} bytes")
                if self._clock() > moment:
                    raise _Retryable(late, status=status)
                chunks.append(chunk)
            return status, lowered, b"".join(chunks)

    def _pause_before_retry(
        self, method: str, url: str, failure: _Retryable, attempt: int, deadline: float | None
    ) -> None:
        def give_up(reason: str) -> TransientFetchError:
            return TransientFetchError(
                f"{method} {url} failed after {attempt} attempt(s): {reason}",
                url=url,
                status=failure.status,
                attempts=attempt,
                hint="the source is busy or unreachable; a later run retries it",
            )

        cause = failure.__cause__ or failure
        if attempt > self.policy.max_retries:
            raise give_up(failure.reason) from cause
        asked = self.policy.retry_after_delay(failure.retry_after)
        if asked is not None and asked > self.policy.retry_after_cap:
            raise give_up(
                f"{failure.reason}; the server asks us to wait {asked:.0f}s, "
                f"more than the {self.policy.retry_after_cap:g}s we wait in-process"
            ) from cause
        delay = asked if asked is not None else self.policy.backoff_delay(attempt, self._rng)
        if deadline is not None and self._clock() + delay >= deadline:
            raise give_up(
                f"{failure.reason}; no time for another attempt within this document's "
                f"{self.policy.download_deadline:g}s deadline (REPORTWATCH_DOWNLOAD_DEADLINE)"
            ) from cause
        log.warning("%s %s: %s; retry %d in %.1fs", method, url, failure.reason, attempt, delay)
        self._sleep(delay)


@functools.lru_cache(maxsize=1)
def _shared_tls_context() -> ssl.SSLContext:
    # Building a TLS context reads the whole CA bundle (about 25 ms, half the cost of a new
    # client); one context per process serves every Fetcher, and contexts are thread-safe.
    return httpx.create_ssl_context()
