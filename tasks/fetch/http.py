"""What an HTTP answer means for a fetch: statuses, httpx errors and PDF bodies mapped to
:mod:`reportwatch.errors` (the boundary the rest of reportwatch relies on), and the
response type the :class:`~tasks.fetch.client.Fetcher` returns.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from reportwatch.errors import (
    AccessDeniedError,
    FetchError,
    NotFoundError,
    NotPublishedError,
    TooLargeError,
    TransientFetchError,
)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that prove who we are; they go only to the origin the caller addressed them to.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
DEFAULT_PORTS = {"http": 80, "https": 443}
WAF_HEADER = "x-amzn-waf-action"
PDF_MAGIC = b"%PDF-"
# PDF readers accept junk before the header; the specification allows up to 1024 bytes of it.
PDF_MAGIC_WINDOW = 1024


@dataclass(frozen=True)
class FetchResponse:
    """What a successful fetch gives; header names are lower case."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    attempts: int = 1
    redirects: tuple[str, ...] = field(default_factory=tuple)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _Retryable(Exception):
    """Internal: one attempt failed in a way another attempt may not."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port (the default port filled in), as browsers compare origins."""
    return url.scheme, url.host.lower(), url.port or DEFAULT_PORTS.get(url.scheme)


def _without_credentials(headers: dict[str, str]) -> dict[str, str]:
    return {
        name: value for name, value in headers.items() if name.lower() not in CREDENTIAL_HEADERS
    }


def _status_error(status: int, headers: Mapping[str, str], url: str) -> Exception | None:
    """The error a status stands for (None for 2xx, 304 and followable redirects)."""
    if WAF_HEADER in headers:
        return AccessDeniedError(
            f"{url} answered {status} with an AWS WAF {headers[WAF_HEADER]!r}",
            url=url,
            status=status,
            hint="this source requires approval or a key; use another source",
        )
    if status in (404, 410):
        return NotFoundError(f"{url} answered {status}: not found", url=url, status=status)
    if status in (401, 403):
        return AccessDeniedError(
            f"{url} answered {status}: access denied",
            url=url,
            status=status,
            hint="this source requires approval or a key",
        )
    if status in (408, 429) or 500 <= status <= 599:
        return _Retryable(f"HTTP {status}", status=status, retry_after=headers.get("retry-after"))
    if status >= 400 or (300 <= status < 400 and status not in REDIRECT_STATUSES | {304}):
        return FetchError(f"{url} answered HTTP {status}", url=url, status=status)
    return None


def _too_large(url: str, status: int, detail: str) -> TooLargeError:
    return TooLargeError(
        f"{url} {detail}",
        url=url,
        status=status,
        hint="raise REPORTWATCH_MAX_BYTES if the file is genuine",
    )


def _dns_failure(exc: BaseException) -> socket.gaierror | None:
    """The resolver's own error behind a connect failure, if that is what it was."""
    seen: BaseException | None = exc
    for _ in range(8):  # httpx wraps httpcore, which wraps the OSError
        if seen is None:
            return None
        if isinstance(seen, socket.gaierror):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _map_httpx_error(exc: httpx.HTTPError, url: str, method: str = "GET") -> Exception:
    """Every httpx error, mapped; tests/fetch/test_client.py walks httpx's whole tree to prove it.

    A name the resolver could not resolve is not retried in-process: seconds later the answer
    is the same (and with no network at all, each retry waits for the resolver again). It is
    still transient: the next run asks again.
    """
    dns = _dns_failure(exc) if isinstance(exc, httpx.ConnectError) else None
    if dns is not None:
        host = httpx.URL(url).host
        return TransientFetchError(
            f"cannot resolve {host}: DNS lookup failed ({dns.strerror or dns})",
            url=url,
            hint="check the network and DNS, and the host in the source's URL setting; "
            "a later run tries again",
        )
    if isinstance(exc, httpx.TimeoutException):
        return _Retryable(f"timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError | httpx.ProxyError):
        return _Retryable(f"connection failed ({type(exc).__name__}: {exc})")
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        mapped = _status_error(status, {}, url)
        return mapped or FetchError(f"{url} answered HTTP {status}", url=url, status=status)
    if isinstance(exc, httpx.TransportError) and not isinstance(
        exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError
    ):
        return _Retryable(f"transport error ({type(exc).__name__}: {exc})")
    return FetchError(f"{method} {url} failed: {type(exc).__name__}: {exc}", url=url)


def check_pdf_body(response: FetchResponse) -> None:
    """Raise :class:`NotPublishedError` unless the body is a PDF (see ``download_pdf``)."""
    content = response.content
    if content[:PDF_MAGIC_WINDOW].find(PDF_MAGIC) != -1:
        return
    url = response.final_url
    content_type = response.header("content-type") or "unknown type"
    head = content[:8192].decode("utf-8", "replace")
    if not content.strip():
        reason = "an empty body"
    elif "html" in content_type.lower() or "<html" in head[:512].lower():
        title = re.search(r"<title[^>]*>(.*?)</title>", head, re.IGNORECASE | re.DOTALL)
        name = " ".join(title.group(1).split())[:120] if title else ""
        reason = "an HTML page" + (f" titled {name!r}" if name else "")
    else:
        reason = f"{len(content)} bytes of {content_type} that are not a PDF"
    raise NotPublishedError(
        f"{url} answered {response.status} with {reason}: not published yet",
        url=url,
        status=response.status,
        attempts=response.attempts,
        hint="sources answer this way before a document is out; a later run retries it",
    )
