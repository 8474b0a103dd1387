"""``Fetcher.post_json``: the GET policy (allowlist, retries, caps, redirects) for JSON searches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reportwatch.errors import DisallowedHostError, TooLargeError, TransientFetchError
from tasks.fetch.client import Fetcher, FetchPolicy, HostRateLimiter
from tests.loopback import LoopbackOnlyTransport, Reply
from tests.loopback_post import PostLoopbackServer

QUERY = {"query": {"value": "Kosovo Force"}, "limit": 0}


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetcher(sleeps: list[float]) -> Iterator[Fetcher]:
    policy = FetchPolicy(
        allowed_hosts=frozenset({"127.0.0.1"}), min_request_interval=0.0, max_retries=2,
        max_bytes=1000,
    )  # fmt: skip
    with Fetcher(
        policy, transport=LoopbackOnlyTransport(), sleep=sleeps.append,
        rate_limiter=HostRateLimiter(),
    ) as client:  # fmt: skip
        yield client


def test_the_body_arrives_as_json_with_the_query_string(fetcher) -> None:
    with PostLoopbackServer() as server:
        url = server.script("/v2/reports", Reply(body=b'{"totalCount": 3}'))
        response = fetcher.post_json(url, QUERY, params={"appname": "rw-test"})
        (request,) = server.requests
    assert response.status == 200 and response.content == b'{"totalCount": 3}'
    assert request.method == "POST"
    assert request.path == "/v2/reports?appname=rw-test"
    assert request.headers["content-type"] == "application/json"
    assert server.bodies_to("/v2/reports") == [QUERY]


def test_a_503_is_retried_with_the_same_body_after_retry_after(fetcher, sleeps) -> None:
    with PostLoopbackServer() as server:
        url = server.script(
            "/v2/reports", Reply(status=503, headers={"Retry-After": "2"}), Reply(body=b"{}")
        )
        response = fetcher.post_json(url, QUERY)
        bodies = server.bodies_to("/v2/reports")
    assert response.attempts == 2
    assert bodies == [QUERY, QUERY]
    assert sleeps == [2.0]


def test_persistent_failure_names_the_method(fetcher) -> None:
    with PostLoopbackServer() as server:
        url = server.script("/v2/reports", Reply(status=502))
        with pytest.raises(TransientFetchError, match=r"^POST .* failed after 3 attempt"):
            fetcher.post_json(url, QUERY)


def test_307_keeps_the_post_and_303_turns_it_into_a_get(fetcher) -> None:
    with PostLoopbackServer() as server:
        server.script("/old", Reply.redirect("/v2/reports", status=307))
        server.script("/v2/reports", Reply(body=b"{}"))
        server.script("/search", Reply.redirect("/result", status=303))
        server.script("/result", Reply(body=b'{"ok": true}'))
        fetcher.post_json(server.url("/old"), QUERY)
        answer = fetcher.post_json(server.url("/search"), QUERY)
        methods = [(r.route, r.method) for r in server.requests]
    assert server.bodies_to("/v2/reports") == [QUERY]
    assert methods == [("/old", "POST"), ("/v2/reports", "POST"), ("/search", "POST"),
                       ("/result", "GET")]  # fmt: skip
    assert answer.content == b'{"ok": true}'


def test_a_redirect_off_the_allowlist_is_refused(fetcher) -> None:
    with PostLoopbackServer() as server:
        url = server.script("/v2/reports", Reply.redirect("http://evil.example/x", status=307))
        with pytest.raises(DisallowedHostError, match=r"evil\.example"):
            fetcher.post_json(url, QUERY)


def test_the_byte_cap_applies_to_answers(fetcher) -> None:
    with PostLoopbackServer() as server:
        url = server.script("/v2/reports", Reply(body=b"x" * 5000))
        with pytest.raises(TooLargeError):
            fetcher.post_json(url, QUERY)
