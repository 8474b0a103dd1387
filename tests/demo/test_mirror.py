"""The loopback mirror speaks OAI-PMH, the Digital Library file links and ODS over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from reportwatch.demo.catalog import load_catalog
from reportwatch.demo.mirror import MirrorServer
from reportwatch.errors import ConfigError, NotFoundError
from tasks.fetch.client import Fetcher, FetchPolicy, HostRateLimiter
from tests.loopback import LoopbackOnlyTransport, write_sample_archive

OAI = "{http://www.openarchives.org/OAI/2.0/}"
MARC = "{http://www.loc.gov/MARC21/slim}"


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return write_sample_archive(tmp_path / "archive")


@pytest.fixture
def mirror(archive_dir: Path) -> Iterator[MirrorServer]:
    with MirrorServer(archive_dir, page_size=2) as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    policy = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), min_request_interval=0.0)
    with Fetcher(
        policy, transport=LoopbackOnlyTransport(), rate_limiter=HostRateLimiter()
    ) as client:
        yield client


def oai(mirror: MirrorServer, fetcher: Fetcher, **params: str) -> Element:
    response = fetcher.get(f"{mirror.base_url}/oai2d", params=params)
    assert response.header("content-type") == "text/xml; charset=utf-8"
    root = fromstring(response.content, forbid_dtd=True)
    assert root.tag == f"{OAI}OAI-PMH"
    return root


def error_code(root: Element) -> str | None:
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")


def test_identify(mirror, fetcher) -> None:
    identify = oai(mirror, fetcher, verb="Identify").find(f"{OAI}Identify")
    assert identify is not None
    assert identify.findtext(f"{OAI}baseURL") == f"{mirror.base_url}/oai2d"
    assert identify.findtext(f"{OAI}protocolVersion") == "2.0"
    assert identify.findtext(f"{OAI}earliestDatestamp") == "2020-05-04T09:15:00Z"


def test_list_records_pages_through_resumption_tokens(mirror, fetcher) -> None:
    page = oai(mirror, fetcher, verb="ListRecords", metadataPrefix="marcxml",
               **{"from": "2020-05-01", "until": "2020-05-31"})  # fmt: skip
    identifiers = []
    while True:
        listing = page.find(f"{OAI}ListRecords")
        assert listing is not None
        identifiers += [r.findtext(f"{OAI}header/{OAI}identifier") for r in listing]
        token = listing.find(f"{OAI}resumptionToken")
        if token is None or not token.text:
            break
        assert token.get("completeListSize") == "5"
        page = oai(mirror, fetcher, verb="ListRecords", resumptionToken=token.text)
    assert token is not None and token.get("cursor") == "4"
    assert [i for i in identifiers if i and i.startswith("oai:")] == [
        f"oai:digitallibrary.un.org:{n}" for n in ("3862236", "3862280", "3862290", "3862300",
                                                    "3850000")
    ]  # fmt: skip
    assert mirror.counts()["oai"] == 3


def test_records_carry_the_marc_fields_the_library_uses(mirror, fetcher) -> None:
    root = oai(mirror, fetcher, verb="ListRecords", metadataPrefix="marcxml",
               **{"from": "2020-05-04", "until": "2020-05-04"})  # fmt: skip
    (record,) = root.iter(f"{MARC}record")
    fields = {f.get("tag"): f for f in record if f.get("tag")}
    assert fields["001"].text == "3862236"
    assert fields["005"].text == "20200504091500.0"

    def sub(tag: str, code: str) -> str | None:
        return fields[tag].findtext(f"{MARC}subfield[@code='{code}']")

    assert (sub("029", "a"), sub("029", "b")) == ("JN", "N2006213 E")
    assert (sub("191", "a"), sub("191", "b"), sub("191", "c")) == ("S/2020/350", "S/", "2020")
    assert (sub("245", "a") or "").startswith("Letter dated 28 April 2020 from the Secretary")
    assert sub("269", "a") == "2020-04-30"
    assert "Kosovo Force" in (sub("520", "a") or "")
    subjects = [f.findtext(f"{MARC}subfield") for f in record if f.get("tag") == "650"]
    assert subjects == ["KOSOVO (SERBIA)", "INTERNATIONAL SECURITY FORCES"]
    assert sub("856", "u") == f"{mirror.base_url}/record/3862236/files/S_2020_350-EN.pdf"


def test_a_deleted_record_is_a_bare_header(mirror, fetcher) -> None:
    root = oai(mirror, fetcher, verb="ListRecords", metadataPrefix="marcxml",
               **{"from": "2020-05-20", "until": "2020-05-20"})  # fmt: skip
    (record,) = root.iter(f"{OAI}record")
    header = record.find(f"{OAI}header")
    assert header is not None and header.get("status") == "deleted"
    assert record.find(f"{OAI}metadata") is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"verb": "ListIdentifiersPlease"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "metadataPrefix": "marcxml", "from": "May 2020"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "bogus"}, "badResumptionToken"),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "marcxml"},
         "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marcxml", "from": "2001-01-01",
          "until": "2001-12-31"}, "noRecordsMatch"),
    ],
)  # fmt: skip
def test_oai_errors(mirror, fetcher, params, code) -> None:
    assert error_code(oai(mirror, fetcher, **params)) == code


def test_the_library_file_link_serves_the_pdf(mirror, fetcher, archive_dir) -> None:
    url = f"{mirror.base_url}/record/3862236/files/S_2020_350-EN.pdf"
    assert fetcher.download_pdf(url).content == (archive_dir / "S_2020_350.pdf").read_bytes()
    with pytest.raises(NotFoundError):
        fetcher.get(f"{mirror.base_url}/record/3862236/files/S_2020_720-EN.pdf")
    with pytest.raises(NotFoundError):
        fetcher.get(f"{mirror.base_url}/files/..%2Fcatalog.json")


def test_if_modified_since_is_honoured(mirror, fetcher) -> None:
    url = f"{mirror.base_url}/files/S_2020_350.pdf"
    again = fetcher.download_pdf(url, validators={"last_modified": "Mon, 04 May 2020 09:15:00 GMT"})
    older = fetcher.download_pdf(url, validators={"last_modified": "Sun, 03 May 2020 00:00:00 GMT"})
    assert again.not_modified and not older.not_modified
    assert mirror.counts()["not_modified"] == 1 and mirror.counts()["pdf"] == 1


def test_ods_redirects_known_symbols_and_answers_unknown_ones_with_nothing(mirror, fetcher) -> None:
    known = fetcher.get(f"{mirror.base_url}/api/symbol/access?s=S%2F2020%2F720&l=en&t=pdf")
    unknown = fetcher.get(f"{mirror.base_url}/api/symbol/access?s=S%2F2020%2F721&l=en&t=pdf")
    assert known.final_url == f"{mirror.base_url}/files/S_2020_720.pdf"
    assert known.content.startswith(b"%PDF-")
    assert (unknown.status, unknown.content) == (200, b"")
    assert mirror.counts() == {"all": 3, "ods": 2, "pdf": 1, "empty": 1}


def test_several_archives_are_served_as_one_library(fetcher) -> None:
    from reportwatch.demo import sample_archives

    archives = sample_archives()
    with MirrorServer([archives["kfor"], archives["minurso"]]) as both:
        records = oai(both, fetcher, verb="ListRecords", metadataPrefix="marcxml")
        seen = {r.findtext(f".//{MARC}datafield[@tag='191']/{MARC}subfield[@code='a']")
                for r in records.iter(f"{OAI}record")}  # fmt: skip
        assert {"S/2020/604", "S/2013/220"} <= seen  # one page of each archive's oldest
        served = fetcher.get(f"{both.base_url}/api/symbol/access?s=S%2F2014%2F258&l=en&t=pdf")
        assert served.final_url == f"{both.base_url}/files/S_2014_258.pdf"
        assert served.content == (archives["minurso"] / "S_2014_258.pdf").read_bytes()


def test_two_archives_holding_the_same_symbol_are_refused(archive_dir, tmp_path) -> None:
    twin = write_sample_archive(tmp_path / "twin")
    with pytest.raises(ConfigError, match=r"symbol 'S/2020/\d+' is in .*archive and in .*twin"):
        MirrorServer([archive_dir, twin])


# the catalog ---------------------------------------------------------------------------------
def test_a_catalog_error_names_the_record_and_field(archive_dir) -> None:
    catalog = json.loads((archive_dir / "catalog.json").read_text())
    del catalog[2]["record_id"]
    (archive_dir / "catalog.json").write_text(json.dumps(catalog))
    with pytest.raises(ConfigError, match=r"record 2: missing 'record_id'"):
        load_catalog(archive_dir)


def test_a_catalog_cannot_point_outside_its_folder(archive_dir) -> None:
    catalog = json.loads((archive_dir / "catalog.json").read_text())
    catalog[0]["file"] = "../secret.pdf"
    (archive_dir / "catalog.json").write_text(json.dumps(catalog))
    with pytest.raises(ConfigError, match="not a PDF beside the catalog"):
        load_catalog(archive_dir)


# the command line ----------------------------------------------------------------------------
@pytest.mark.parametrize("sigint_ignored", [False, True])
def test_the_command_serves_until_interrupted(archive_dir, tmp_path, sigint_ignored) -> None:
    """Also when started with SIGINT ignored, as a non-interactive shell starts a background job
    (and as a parent that ignores it passes it on): Ctrl-C still stops it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "reportwatch.demo.mirror", str(archive_dir), "--port", "0"]
    ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env,
                               preexec_fn=ignore)  # fmt: skip
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("serving 6 records from")
        base_url = banner.rsplit(" at ", 1)[1].strip()
        policy = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), min_request_interval=0.0)
        with Fetcher(policy, transport=LoopbackOnlyTransport()) as fetcher:
            body = fetcher.get(f"{base_url}/oai2d", params={"verb": "Identify"}).content
        assert b"<repositoryName>reportwatch loopback mirror</repositoryName>" in body
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)  # generous: a loaded CI machine
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "stopped" in output


def test_the_command_explains_a_missing_catalog(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reportwatch.demo.mirror", str(tmp_path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("error: no ") and "catalog.json" in result.stdout
