"""Download by symbol from ODS, into the content-addressed raw archive."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reportwatch.demo.mirror import MirrorServer
from reportwatch.errors import DisallowedHostError, NotPublishedError, ReportwatchError
from reportwatch.settings import Settings
from tasks.fetch.archive import RawArchive, archive_meta
from tasks.fetch.client import Fetcher, FetchPolicy, HostRateLimiter
from tasks.fetch.ods import OdsSource
from tests.loopback import LoopbackOnlyTransport, LoopbackServer, Reply, write_sample_archive


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    policy = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), min_request_interval=0.0)
    with Fetcher(
        policy, transport=LoopbackOnlyTransport(), sleep=lambda s: None,
        rate_limiter=HostRateLimiter(),
    ) as client:  # fmt: skip
        yield client


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return write_sample_archive(tmp_path / "archive")


@pytest.fixture
def mirror(archive_dir: Path) -> Iterator[MirrorServer]:
    with MirrorServer(archive_dir) as running:
        yield running


def test_the_symbol_is_percent_encoded_slashes_and_all() -> None:
    ods = OdsSource("https://documents.un.org/")
    assert ods.file_url("S/2020/350") == (
        "https://documents.un.org/api/symbol/access?s=S%2F2020%2F350&l=en&t=pdf"
    )
    assert (
        OdsSource.from_settings(Settings(), {"language": "fr"})
        .file_url("S/2020/350")
        .endswith("&l=fr&t=pdf")
    )


def test_the_server_receives_the_encoded_symbol(fetcher) -> None:
    with LoopbackServer() as server:
        server.script("/api/symbol/access", Reply(body=b"%PDF-1.7 tiny"))
        OdsSource(server.base_url).download("S/2020/350", fetcher=fetcher)
        (request,) = server.requests
    assert request.path == "/api/symbol/access?s=S%2F2020%2F350&l=en&t=pdf"


def test_download_follows_the_redirect_to_the_pdf(mirror, fetcher, archive_dir) -> None:
    response = OdsSource(mirror.base_url).download("S/2020/350", fetcher=fetcher)
    assert response.content == (archive_dir / "S_2020_350.pdf").read_bytes()
    assert response.final_url == f"{mirror.base_url}/files/S_2020_350.pdf"
    assert response.header("etag") == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert response.header("last-modified") == "Mon, 04 May 2020 09:15:00 GMT"


def test_a_second_download_with_validators_transfers_nothing(mirror, fetcher) -> None:
    ods = OdsSource(mirror.base_url)
    first = ods.download("S/2020/350", fetcher=fetcher)
    validators = {"etag": first.header("etag"), "last_modified": first.header("last-modified")}
    mirror.reset_counts()
    again = ods.download("S/2020/350", fetcher=fetcher, validators=validators)
    assert again.not_modified
    assert mirror.counts().get("pdf", 0) == 0
    assert mirror.counts()["not_modified"] == 1


def test_an_unknown_symbol_is_not_published_yet(mirror, fetcher) -> None:
    with pytest.raises(NotPublishedError, match=r"ODS has no PDF of S/2020/999 yet") as caught:
        OdsSource(mirror.base_url).download("S/2020/999", fetcher=fetcher)
    assert caught.value.transient
    assert mirror.counts()["empty"] == 1


def test_a_redirect_off_the_allowlist_is_refused(fetcher) -> None:
    with LoopbackServer() as server:
        server.script("/api/symbol/access", Reply.redirect("https://documents.un.org.evil.test/x"))
        with pytest.raises(DisallowedHostError, match=r"documents\.un\.org\.evil\.test"):
            OdsSource(server.base_url).download("S/2020/350", fetcher=fetcher)


def test_the_default_allowlist_lets_ods_reach_its_pdf_store_and_nothing_else() -> None:
    # The real service redirects to other un.org hosts; nothing outside un.org may be reached.
    policy = FetchPolicy.from_settings(Settings())
    assert policy.host_allowed("documents.un.org")
    assert policy.host_allowed("documents-dds-ny.un.org")
    assert not policy.host_allowed("documents.un.org.evil.test")
    assert not policy.host_allowed("evilun.org")


def test_the_default_allowlist_refuses_a_redirect_off_un_org_before_contacting_it() -> None:
    contacted: list[str] = []

    def documents_un_org(request: httpx.Request) -> httpx.Response:  # the network edge, mocked
        contacted.append(request.url.host)
        return httpx.Response(302, headers={"Location": "https://files.evil.test/x.pdf"})

    policy = FetchPolicy.from_settings(Settings(), min_request_interval=0.0)
    with Fetcher(
        policy, transport=httpx.MockTransport(documents_un_org), rate_limiter=HostRateLimiter()
    ) as client:
        with pytest.raises(DisallowedHostError, match=r"files\.evil\.test"):
            OdsSource("https://documents.un.org").download("S/2020/350", fetcher=client)
    assert contacted == ["documents.un.org"]


# the raw archive -----------------------------------------------------------------------------
def test_a_download_is_archived_by_its_hash_with_its_metadata(mirror, fetcher, tmp_path) -> None:
    response = OdsSource(mirror.base_url).download("S/2020/350", fetcher=fetcher)
    archive = RawArchive(tmp_path / "raw")
    meta = archive_meta(response, symbol="S/2020/350", series="kfor", source="ods")
    sha, path, created = archive.put(response.content, meta)

    assert created and sha == hashlib.sha256(response.content).hexdigest()
    assert path == tmp_path / "raw" / f"{sha}.pdf" and path.read_bytes() == response.content
    stored = archive.meta(sha)
    assert stored["symbol"] == "S/2020/350" and stored["final_url"].endswith("/S_2020_350.pdf")
    assert set(stored["headers"]) == {"content-type", "etag", "last-modified", "content-length"}
    assert stored["size"] == len(response.content)
    assert list(archive.iter()) == [sha] and archive.has(sha) and sha in archive


def test_the_same_bytes_twice_are_stored_once(tmp_path) -> None:
    archive = RawArchive(tmp_path / "raw")
    first = archive.put(b"%PDF-1.7 same", {"symbol": "S/2020/350", "url": "http://a"})
    second = archive.put(b"%PDF-1.7 same", {"symbol": "S/2020/350", "url": "http://b"})
    assert (first[2], second[2]) == (True, False)
    assert archive.meta(first[0])["url"] == "http://a"
    assert sorted(p.suffix for p in (tmp_path / "raw").iterdir()) == [".json", ".pdf"]


def test_concurrent_writers_of_the_same_bytes_agree_on_one_creator(tmp_path) -> None:
    archive = RawArchive(tmp_path / "raw")
    outcomes: list[bool] = []
    barrier = threading.Barrier(8)

    def put() -> None:
        barrier.wait()
        outcomes.append(archive.put(b"%PDF-1.7 raced" * 1000, {"symbol": "S/2020/350"})[2])

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 7 + [True]
    assert [p.name for p in (tmp_path / "raw").iterdir() if p.name.startswith(".")] == []


def test_nothing_from_a_response_becomes_a_file_name(tmp_path) -> None:
    archive = RawArchive(tmp_path / "raw")
    sha, path, _ = archive.put(b"%PDF-1.7", {"symbol": "../../etc/passwd", "url": "x/../../y"})
    assert path.parent == tmp_path / "raw" and path.name == f"{sha}.pdf"
    assert json.loads(path.with_suffix(".json").read_text())["symbol"] == "../../etc/passwd"
    with pytest.raises(ReportwatchError, match="not a lower-case hex SHA-256"):
        archive.path("../../etc/passwd")


def test_asking_for_a_missing_file_says_where_we_looked(tmp_path) -> None:
    with pytest.raises(ReportwatchError, match="no archived file"):
        RawArchive(tmp_path / "raw").meta("0" * 64)
    assert list(RawArchive(tmp_path / "nowhere").iter()) == []
