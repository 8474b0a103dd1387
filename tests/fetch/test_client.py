"""The fetch policy: retries, Retry-After, politeness, allowlist, caps and error mapping.

Unit tests use httpx.MockTransport (the network edge); behaviour tests use real servers on
127.0.0.1 (tests/loopback.py) through a transport that refuses every other host.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import itertools
import random
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from prefect.states import Completed, Failed

from reportwatch import __version__
from reportwatch.errors import (
    AccessDeniedError,
    DisallowedHostError,
    FetchError,
    NotFoundError,
    NotPublishedError,
    TooLargeError,
    TransientFetchError,
)
from reportwatch.settings import Settings
from tasks.fetch.client import Fetcher, FetchPolicy, HostRateLimiter
from tasks.retry import retry_transient
from tests.loopback import LoopbackOnlyTransport, LoopbackServer, Reply

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_policy(**overrides: object) -> FetchPolicy:
    base: dict[str, object] = {
        "allowed_hosts": frozenset({"127.0.0.1", "example.test"}),
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 10.0,
        "max_retries": 3,
        "min_request_interval": 0.0,
        "backoff_base": 1.0,
        "backoff_cap": 4.0,
        "retry_after_floor": 0.0,
        "retry_after_cap": 60.0,
    }
    base.update(overrides)
    return FetchPolicy(**base)  # type: ignore[arg-type]


class SleepLog:
    """Stands in for time.sleep: records how long the fetcher chose to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def transport() -> LoopbackOnlyTransport:
    return LoopbackOnlyTransport()


def loopback_fetcher(transport: LoopbackOnlyTransport, sleep: SleepLog | None = None, **policy):
    return Fetcher(
        make_policy(**policy),
        transport=transport,
        sleep=sleep or SleepLog(),
        rate_limiter=HostRateLimiter(),
    )


def mock_fetcher(handler: Callable[[httpx.Request], httpx.Response], sleep: SleepLog, **policy):
    return Fetcher(
        make_policy(**policy),
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        rng=random.Random(7),
        rate_limiter=HostRateLimiter(),
    )


# the error mapping is complete ------------------------------------------------------------------
def _all_httpx_errors() -> list[type[httpx.HTTPError]]:
    found: list[type[httpx.HTTPError]] = [httpx.HTTPError]
    pending = [httpx.HTTPError]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                pending.append(sub)
    return found


def _instance(cls: type[httpx.HTTPError], request: httpx.Request) -> httpx.HTTPError:
    if issubclass(cls, httpx.HTTPStatusError):
        return cls("boom", request=request, response=httpx.Response(500, request=request))
    if issubclass(cls, httpx.RequestError):
        return cls("boom", request=request)
    return cls("boom")


class RaisingStream(httpx.SyncByteStream):
    def __init__(self, error: Exception) -> None:
        self.error = error

    def __iter__(self) -> Iterator[bytes]:
        yield b"%PDF-1.7 partial"
        raise self.error


ALL_HTTPX_ERRORS = _all_httpx_errors()


def test_the_walk_finds_httpx_s_whole_tree() -> None:
    names = {cls.__name__ for cls in ALL_HTTPX_ERRORS}
    assert {"ConnectTimeout", "ReadError", "RemoteProtocolError", "HTTPStatusError"} <= names
    assert len(ALL_HTTPX_ERRORS) >= 20


@pytest.mark.parametrize("error_class", ALL_HTTPX_ERRORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("phase", ["sending", "reading the body"])
def test_every_httpx_error_surfaces_as_a_fetch_error(
    error_class: type[httpx.HTTPError], phase: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        error = _instance(error_class, request)
        if phase == "sending":
            raise error
        return httpx.Response(200, stream=RaisingStream(error))

    with mock_fetcher(handler, SleepLog(), max_retries=1) as fetcher:
        with pytest.raises(Exception) as caught:
            fetcher.get("http://example.test/doc.pdf")
    assert isinstance(caught.value, FetchError), f"{error_class.__name__} leaked"
    assert not isinstance(caught.value, httpx.HTTPError)
    if issubclass(error_class, httpx.TimeoutException | httpx.NetworkError):
        assert isinstance(caught.value, TransientFetchError)
        assert caught.value.attempts == 2


# retry math (mock transport, recorded sleeps) ----------------------------------------------------
def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    sleeps = SleepLog()
    statuses = iter([503, 502, 500, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(statuses)
        return httpx.Response(status, content=b"ok" if status == 200 else b"")

    with mock_fetcher(handler, sleeps, max_retries=3, backoff_base=1.0, backoff_cap=3.0) as f:
        response = f.get("http://example.test/x")
    assert response.content == b"ok"
    assert response.attempts == 4
    ceilings = [1.0, 2.0, 3.0]  # 4.0 capped at 3.0
    for slept, ceiling in zip(sleeps.calls, ceilings, strict=True):
        assert ceiling / 2 <= slept <= ceiling


def test_backoff_never_exceeds_the_cap() -> None:
    policy = make_policy(backoff_base=2.0, backoff_cap=30.0)
    rng = random.Random(1)
    assert all(policy.backoff_delay(n, rng) <= 30.0 for n in range(1, 40))


def test_retry_after_below_the_floor_waits_the_floor() -> None:
    sleeps = SleepLog()
    replies = iter([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200)])
    with mock_fetcher(lambda r: next(replies), sleeps, retry_after_floor=1.5) as fetcher:
        fetcher.get("http://example.test/x")
    assert sleeps.calls == [1.5]


def test_retry_after_beyond_the_cap_gives_up_at_once_as_transient() -> None:
    sleeps = SleepLog()
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, headers={"Retry-After": "3600"})

    with mock_fetcher(handler, sleeps, retry_after_cap=60.0) as fetcher:
        with pytest.raises(TransientFetchError, match="wait 3600s") as caught:
            fetcher.get("http://example.test/x")
    assert (len(calls), sleeps.calls, caught.value.status) == (1, [], 503)


def test_unreadable_retry_after_falls_back_to_backoff() -> None:
    policy = make_policy()
    assert policy.retry_after_delay("soon") is None
    assert policy.retry_after_delay(None) is None
    assert policy.retry_after_delay("12") == 12.0


def test_policy_comes_from_settings() -> None:
    settings = Settings(
        contact="kfor-watch@example.org",
        connect_timeout=3,
        read_timeout=7,
        total_timeout=90,
        max_retries=2,
        max_bytes=1234,
        min_request_interval=0.5,
    )
    policy = FetchPolicy.from_settings(settings)
    assert policy.user_agent == f"reportwatch/{__version__} (+kfor-watch@example.org)"
    assert policy.allowed_hosts == settings.effective_allowed_hosts()
    assert policy.host_allowed("documents-dds-ny.un.org")  # where ODS keeps its PDFs
    assert policy.host_allowed("reliefweb.int")  # where ReliefWeb keeps attachments
    assert not policy.host_allowed("un.org.evil.test")
    timeout = policy.timeout()
    assert (timeout.connect, timeout.read) == (3, 7)
    assert (policy.total_timeout, policy.max_retries, policy.max_bytes) == (90, 2, 1234)
    assert policy.min_request_interval == 0.5


def test_domain_suffixes_in_the_allowlist() -> None:
    policy = make_policy(allowed_hosts=frozenset({".un.org"}))
    assert policy.host_allowed("documents-dds-ny.un.org")
    assert not policy.host_allowed("un.org.evil.test")


# behaviour against real loopback servers ---------------------------------------------------------
def test_429_with_retry_after_seconds_then_200(server, transport) -> None:
    sleeps = SleepLog()
    url = server.script(
        "/busy", Reply(status=429, headers={"Retry-After": "2"}), Reply(body=b"fine")
    )
    with loopback_fetcher(transport, sleeps) as fetcher:
        response = fetcher.get(url)
    assert (response.status, response.content, response.attempts) == (200, b"fine", 2)
    assert sleeps.calls == [2.0]
    assert len(server.requests_to("/busy")) == 2


def test_503_with_retry_after_http_date_then_200(server, transport) -> None:
    sleeps = SleepLog()

    def unavailable(request) -> Reply:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
        return Reply(status=503, headers={"Retry-After": email.utils.format_datetime(later, True)})

    url = server.script("/busy", unavailable, Reply(body=b"fine"))
    with loopback_fetcher(transport, sleeps) as fetcher:
        assert fetcher.get(url).content == b"fine"
    assert len(sleeps.calls) == 1
    assert 1.0 <= sleeps.calls[0] <= 3.0  # HTTP dates have whole seconds


def test_500_until_retries_run_out(server, transport) -> None:
    url = server.script("/broken", Reply(status=500))
    with loopback_fetcher(transport, max_retries=2) as fetcher:
        with pytest.raises(TransientFetchError) as caught:
            fetcher.get(url)
    assert (caught.value.attempts, caught.value.status) == (3, 500)
    assert "after 3 attempt(s)" in caught.value.message
    assert len(server.requests_to("/broken")) == 3


def test_a_reset_connection_is_retried(server, transport) -> None:
    url = server.script("/flaky", Reply(reset=True), Reply(body=b"fine"))
    with loopback_fetcher(transport) as fetcher:
        response = fetcher.get(url)
    assert (response.content, response.attempts) == (b"fine", 2)


def test_a_connection_that_always_resets_is_transient(server, transport) -> None:
    url = server.script("/dead", Reply(reset=True))
    with loopback_fetcher(transport, max_retries=1) as fetcher:
        with pytest.raises(TransientFetchError, match="connection failed") as caught:
            fetcher.get(url)
    assert caught.value.transient and caught.value.attempts == 2


def test_read_timeout(server, transport) -> None:
    url = server.script("/slow", Reply(body=b"late", delay=1.5))
    with loopback_fetcher(transport, read_timeout=0.2, max_retries=0) as fetcher:
        with pytest.raises(TransientFetchError, match="timed out"):
            fetcher.get(url)


def test_a_body_trickling_past_the_deadline_fails_as_transient(server, transport) -> None:
    url = server.script("/drip", Reply(body=PDF * 40, trickle=0.05, chunk_size=32))
    with loopback_fetcher(transport, total_timeout=0.4, max_retries=0) as fetcher:
        with pytest.raises(TransientFetchError, match="still arriving"):
            fetcher.get(url)


def test_a_truncated_body_is_transient(server, transport) -> None:
    url = server.script("/cut", Reply(body=PDF, declared_length=len(PDF) + 500))
    with loopback_fetcher(transport, max_retries=0) as fetcher:
        with pytest.raises(TransientFetchError):
            fetcher.download_pdf(url)


def test_a_redirect_outside_the_allowlist_contacts_nobody_else(server, transport) -> None:
    url = server.script("/moved", Reply.redirect("http://localhost.invalid/S_2020_350.pdf"))
    with loopback_fetcher(transport) as fetcher:
        with pytest.raises(DisallowedHostError, match=r"localhost\.invalid") as caught:
            fetcher.get(url)
    assert not caught.value.transient
    assert transport.hosts == ["127.0.0.1"]


def test_a_url_outside_the_allowlist_is_refused_before_any_request(transport) -> None:
    with loopback_fetcher(transport) as fetcher:
        with pytest.raises(DisallowedHostError):
            fetcher.get("https://digitallibrary.un.org/oai2d")
    assert transport.hosts == []


def test_redirects_within_the_allowlist_are_followed(server, transport) -> None:
    server.script("/a", Reply.redirect("/b", status=301))
    server.script("/b", Reply.redirect(server.url("/c"), status=307))
    server.script("/c", Reply(body=b"arrived"))
    with loopback_fetcher(transport) as fetcher:
        response = fetcher.get(server.url("/a"))
    assert response.content == b"arrived"
    assert response.final_url == server.url("/c")
    assert response.redirects == (server.url("/a"), server.url("/b"))


CREDENTIALS = {
    "Authorization": "Token undl-key-0d9f",
    "Cookie": "session=s3cr3t",
    "Proxy-Authorization": "Basic cHJveHk6cGFzcw==",
}
CREDENTIAL_NAMES = {name.lower() for name in CREDENTIALS}


def test_credentials_are_not_sent_to_another_origin_on_redirect(server, transport) -> None:
    with LoopbackServer() as other:  # another port: another origin
        other.script("/files/S_2020_350.pdf", Reply(body=PDF))
        server.script("/api/record", Reply.redirect(other.url("/files/S_2020_350.pdf")))
        with loopback_fetcher(transport) as fetcher:
            response = fetcher.get(
                server.url("/api/record"), headers={**CREDENTIALS, "X-Trace": "1"}
            )
        (first,) = server.requests
        (second,) = other.requests
    assert response.content == PDF
    assert set(first.headers) >= CREDENTIAL_NAMES
    assert CREDENTIAL_NAMES & set(second.headers) == set()
    assert second.headers["x-trace"] == "1"  # only the credentials are dropped


def test_credentials_stay_dropped_when_a_redirect_comes_back(server, transport) -> None:
    with LoopbackServer() as other:
        server.script("/start", Reply.redirect(other.url("/bounce")))
        other.script("/bounce", Reply.redirect(server.url("/end")))
        server.script("/end", Reply(body=b"done"))
        with loopback_fetcher(transport) as fetcher:
            fetcher.get(server.url("/start"), headers=CREDENTIALS)
        received = {r.route: set(r.headers) for r in server.requests + other.requests}
    assert received["/start"] >= CREDENTIAL_NAMES
    assert CREDENTIAL_NAMES & received["/bounce"] == set()
    assert CREDENTIAL_NAMES & received["/end"] == set()


def test_credentials_follow_a_redirect_within_the_origin(server, transport) -> None:
    server.script("/api/record", Reply.redirect("/files/S_2020_350.pdf"))
    server.script("/files/S_2020_350.pdf", Reply(body=PDF))
    with loopback_fetcher(transport) as fetcher:
        fetcher.get(server.url("/api/record"), headers=CREDENTIALS)
    second = server.requests_to("/files/S_2020_350.pdf")[0]
    assert second.headers["authorization"] == "Token undl-key-0d9f"
    assert second.headers["cookie"] == "session=s3cr3t"


def test_a_retry_sends_the_credentials_again(server, transport) -> None:
    with LoopbackServer() as other:
        other.script("/pdf", Reply(status=503), Reply(body=PDF))
        server.script("/api", Reply.redirect(other.url("/pdf")))
        with loopback_fetcher(transport) as fetcher:
            fetcher.get(server.url("/api"), headers=CREDENTIALS)
        firsts = server.requests_to("/api")
    assert len(firsts) == 2  # the retry starts over at the first origin, credentials included
    assert all(set(r.headers) >= CREDENTIAL_NAMES for r in firsts)


def test_a_redirect_loop_is_an_error(server, transport) -> None:
    server.script("/ping", Reply.redirect("/pong"))
    server.script("/pong", Reply.redirect("/ping"))
    with loopback_fetcher(transport) as fetcher:
        with pytest.raises(FetchError, match="redirect loop") as caught:
            fetcher.get(server.url("/ping"))
    assert not caught.value.transient
    assert len(server.requests) == 2


def test_more_than_five_redirects_is_an_error(server, transport) -> None:
    for hop in range(7):
        server.script(f"/hop{hop}", Reply.redirect(f"/hop{hop + 1}"))
    with loopback_fetcher(transport) as fetcher:
        with pytest.raises(FetchError, match="more than 5 redirects"):
            fetcher.get(server.url("/hop0"))
    assert len(server.requests) == 6


def test_a_waf_challenge_is_access_denied_and_never_retried(server, transport) -> None:
    challenge = Reply(
        status=202,
        headers={"x-amzn-waf-action": "challenge", "Server": "awselb/2.0"},
        body=b"<html><script>challenge()</script></html>",
    )
    url = server.script("/record/3862236/files/S_2020_350-EN.pdf", challenge)
    with loopback_fetcher(transport) as fetcher:
        with pytest.raises(AccessDeniedError, match="WAF") as caught:
            fetcher.download_pdf(url)
    assert "approval or a key" in (caught.value.hint or "")
    assert len(server.requests) == 1


@pytest.mark.parametrize(("status", "error"), [(404, NotFoundError), (410, NotFoundError),
                                               (401, AccessDeniedError), (403, AccessDeniedError)])  # fmt: skip
def test_terminal_statuses_are_not_retried(server, transport, status, error) -> None:
    url = server.script("/gone", Reply(status=status))
    with loopback_fetcher(transport) as fetcher:
        with pytest.raises(error) as caught:
            fetcher.get(url)
    assert caught.value.status == status and not caught.value.transient
    assert len(server.requests) == 1


def test_an_empty_200_is_not_published_yet(server, transport) -> None:
    url = server.script("/api/symbol/access", Reply(headers={"Content-Type": "application/pdf"}))
    with loopback_fetcher(transport) as fetcher:
        with pytest.raises(NotPublishedError, match="empty body: not published yet") as caught:
            fetcher.download_pdf(url)
    assert caught.value.transient


def test_an_html_page_where_a_pdf_should_be_says_so(server, transport) -> None:
    page = b"<!DOCTYPE html><html><head><title>Document not found</title></head></html>"
    url = server.script(
        "/files/S_2020_350.pdf", Reply(body=page, headers={"Content-Type": "text/html"})
    )
    with loopback_fetcher(transport) as fetcher:
        with pytest.raises(NotPublishedError, match="HTML page titled 'Document not found'"):
            fetcher.download_pdf(url)


def test_conditional_download_gets_304(server, transport) -> None:
    def conditional(request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply(body=PDF, headers={"ETag": '"v1"', "Last-Modified": "Mon, 04 May 2020"})

    url = server.script("/files/S_2020_350.pdf", conditional)
    with loopback_fetcher(transport) as fetcher:
        first = fetcher.download_pdf(url)
        again = fetcher.download_pdf(
            url, validators={"etag": first.header("etag"), "last_modified": "Mon, 04 May 2020"}
        )
    assert first.content == PDF and not first.not_modified
    assert again.not_modified and again.content == b""
    sent = server.requests[1].headers
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"v1"', "Mon, 04 May 2020")


def test_the_user_agent_names_us_and_a_contact(server, transport) -> None:
    url = server.script("/x", Reply(body=b"."))
    with loopback_fetcher(transport, user_agent="reportwatch/9 (+ops@test.example)") as fetcher:
        fetcher.get(url)
    assert server.requests[0].headers["user-agent"] == "reportwatch/9 (+ops@test.example)"


def test_an_announced_body_over_the_cap_is_refused_unread(server, transport) -> None:
    url = server.script("/big", Reply(body=PDF * 100))
    with loopback_fetcher(transport, max_bytes=1000) as fetcher:
        with pytest.raises(TooLargeError, match="announces"):
            fetcher.get(url)


def test_a_streamed_body_over_the_cap_is_cut_off(server, transport) -> None:
    url = server.script("/big", Reply(body=PDF * 100, send_length=False))
    with loopback_fetcher(transport, max_bytes=1000) as fetcher:
        with pytest.raises(TooLargeError, match="more than the cap"):
            fetcher.get(url)


def test_requests_to_one_host_are_spaced(server, transport) -> None:
    url = server.script("/page", Reply(body=b"."))
    with loopback_fetcher(transport, min_request_interval=0.2) as fetcher:
        for _ in range(3):
            fetcher.get(url)
    arrivals = [r.received_at for r in server.requests]
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(arrivals))


def test_spacing_holds_across_threads_sharing_a_limiter(server) -> None:
    url = server.script("/page", Reply(body=b"."))
    limiter = HostRateLimiter()
    policy = make_policy(min_request_interval=0.2)

    def worker() -> None:
        with Fetcher(policy, transport=LoopbackOnlyTransport(), rate_limiter=limiter) as fetcher:
            fetcher.get(url)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    arrivals = sorted(r.received_at for r in server.requests)
    assert len(arrivals) == 3
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(arrivals))


# Prefect's retry condition -----------------------------------------------------------------------
def test_prefect_retries_only_transient_errors() -> None:
    busy = TransientFetchError("503", status=503)
    assert retry_transient(None, None, Failed(data=busy)) is True
    assert retry_transient(None, None, Failed(data=NotPublishedError("empty"))) is True
    assert retry_transient(None, None, Failed(data=NotFoundError("404"))) is False
    assert retry_transient(None, None, Failed(data=ValueError("bug"))) is False
    assert retry_transient(None, None, Completed(data=1)) is False
