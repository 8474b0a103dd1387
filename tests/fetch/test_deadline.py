"""One deadline per document: a server that trickles one byte a second holds a document for
REPORTWATCH_DOWNLOAD_DEADLINE at most, across attempts and URLs; and a name DNS cannot
resolve is said so at once, without retries."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportwatch.errors import TransientFetchError
from reportwatch.series import load_series
from reportwatch.settings import Settings
from tasks.fetch.client import Fetcher, FetchPolicy, HostRateLimiter
from tasks.fetch.task import fetch_candidate
from tests.loopback import LoopbackOnlyTransport, LoopbackServer, Reply, tiny_pdf

PDF = tiny_pdf("S/2024/1\nReport to the United Nations on Kosovo Force operations")


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def trickle() -> Reply:
    """A PDF sent one byte a second, as a struggling server does."""
    return Reply(body=PDF, headers={"Content-Type": "application/pdf"}, trickle=1.0, chunk_size=1)


def test_a_trickling_server_holds_a_document_for_the_deadline_not_attempts_times_urls(
    tmp_path: Path, server: LoopbackServer
) -> None:
    server.script("/api/symbol/access", trickle())
    catalogue = server.script("/record/1/files/S_2024_1-EN.pdf", Reply(body=PDF))
    settings = Settings(
        data_dir=tmp_path, ods_url=server.base_url, allowed_hosts=["127.0.0.1"],
        min_request_interval=0, max_retries=4, total_timeout=120, download_deadline=2,
    )  # fmt: skip
    row: dict[str, Any] = {"symbol": "S/2024/1", "file_url": catalogue, "local_path": None}

    outcome = fetch_candidate(load_series("kfor"), settings, row)

    assert outcome.status == "failed"
    assert outcome.reason is not None
    assert "body still arriving when this document's 2s deadline ran out" in outcome.reason
    assert "no time for another attempt" in outcome.reason
    # one attempt at ODS; no retry, and the catalogue link is not tried after the deadline
    assert len(server.requests_to("/api/symbol/access")) == 1
    assert server.requests_to("/record/1/files/S_2024_1-EN.pdf") == []


def test_a_fetch_past_its_deadline_is_not_tried(server: LoopbackServer) -> None:
    url = server.script("/doc.pdf", Reply(body=PDF))
    policy = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), min_request_interval=0)
    now = [100.0]
    with Fetcher(policy, transport=LoopbackOnlyTransport(), clock=lambda: now[0]) as fetcher:
        deadline = fetcher.deadline()
        assert fetcher.download_pdf(url, deadline=deadline).content == PDF
        now[0] = deadline
        with pytest.raises(TransientFetchError, match="deadline for this document had run out"):
            fetcher.download_pdf(url, deadline=deadline)
    assert len(server.requests_to("/doc.pdf")) == 1


def test_a_name_dns_cannot_resolve_fails_at_once_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The network edge: the resolver answers "no such name" (EAI_NONAME), as it does offline.
    asked: list[str] = []

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    policy = FetchPolicy(
        allowed_hosts=frozenset({"digitallibrary.un.org"}), min_request_interval=0, max_retries=4
    )
    slept: list[float] = []
    with Fetcher(policy, sleep=slept.append, rate_limiter=HostRateLimiter()) as fetcher:
        with pytest.raises(TransientFetchError) as caught:
            fetcher.get("https://digitallibrary.un.org/oai2d?verb=Identify")
    assert caught.value.message == (
        "cannot resolve digitallibrary.un.org: DNS lookup failed (Name or service not known)"
    )
    assert caught.value.transient and caught.value.attempts == 1
    assert asked == ["digitallibrary.un.org"] and slept == []
