"""A loopback mirror of the UN sources, serving a sample archive over real HTTP.

``MirrorServer(archive_dir)`` reads ``<archive_dir>/catalog.json`` (a list of records: symbol,
title, date, record_id, job_number, catalogued_at, subjects, notes, file, sha256; optional
``deleted``) and the PDFs beside it, and answers the way the real services do, as far as
research/sources.md knows them. Given several folders (one archive per series), it serves them
as the one library and the one ODS they stand for: every series' discovery sees every record,
as it would in production. The commands:

* ``/oai2d``: OAI-PMH 2.0 (``Identify``; ``ListRecords`` in ``marcxml`` with ``from``/``until`` on
  ``catalogued_at``, ``page_size`` records a page, ``resumptionToken``, ``noRecordsMatch``,
  ``badResumptionToken``, ``badArgument``, ``cannotDisseminateFormat``, ``badVerb``), records in the
  MARC21 slim namespace with fields 001/005/029/191/245/269/520/650/856/980;
* ``/record/<recid>/files/S_2020_350-EN.pdf``: the Digital Library's file links (856 $u);
* ``/api/symbol/access?s=..&l=en&t=pdf``: ODS, a 302 to ``/files/<name>.pdf`` on the same host;
  an unknown symbol gets 200 with an empty body, like the real one;
* ``/files/<name>.pdf``: the PDF with ``ETag`` and ``Last-Modified``, 304 on a matching
  ``If-None-Match`` (or ``If-Modified-Since``).

Request counters by kind (``counts()``) let tests and the demo prove a second run downloaded
nothing. Run it by hand with ``python -m reportwatch.demo.mirror DIR --port 8765``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import hashlib
import re
import signal
import threading
from collections import Counter
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from reportwatch.demo.catalog import (
    JOB_NUMBER,
    MARC_NS,
    OAI_NS,
    CatalogEntry,
    decode_token,
    encode_token,
    load_catalog,
    marc_control,
    marc_data,
    oai_bound,
    oai_stamp,
    unique_by,
)
from reportwatch.errors import ConfigError

Reply = tuple[int, dict[str, str], bytes]


class MirrorServer:
    """The mirror on a background thread; ``with MirrorServer(dir) as m: m.base_url``."""

    def __init__(
        self,
        archive_dir: Path | Sequence[Path],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        page_size: int = 10,
    ) -> None:
        folders = [Path(archive_dir)] if isinstance(archive_dir, str | Path) else list(archive_dir)
        self.archive_dirs = [Path(f) for f in folders]
        self.archive_dir = self.archive_dirs[0]
        self.page_size = page_size
        self.entries = [e for folder in self.archive_dirs for e in load_catalog(folder)]
        self._by_symbol = unique_by(self.entries, lambda e: e.symbol.upper(), "symbol")
        self._by_file = unique_by(self.entries, lambda e: e.file, "file")
        self._by_record = unique_by(self.entries, lambda e: e.record_id, "record_id")
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._failing_tokens = 0
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def counts(self) -> dict[str, int]:
        """Requests by kind: oai, ods, pdf (bodies sent), not_modified, empty, not_found, all."""
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    def fail_resumption_tokens(self, times: int) -> None:
        """Answer the next ``times`` resumption tokens with badResumptionToken (expiry drill)."""
        with self._lock:
            self._failing_tokens = times

    def start(self) -> MirrorServer:
        # A short poll interval keeps stop() quick; the server is idle between requests anyway.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # routing --------------------------------------------------------------------------------
    def answer(self, raw_path: str, headers: dict[str, str]) -> Reply:
        parts = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        path = parts.path
        self._count("all")
        if path == "/oai2d":
            self._count("oai")
            return self._oai(query)
        if path == "/api/symbol/access":
            self._count("ods")
            return self._ods(query)
        match = re.fullmatch(r"/files/([^/]+)", path)
        if match and match.group(1) in self._by_file:
            return self._pdf(self._by_file[match.group(1)], headers)
        match = re.fullmatch(r"/record/(\d+)/files/([^/]+)", path)
        if match:
            entry = self._by_record.get(match.group(1))
            if entry is not None and match.group(2) == entry.undl_file_name:
                return self._pdf(entry, headers)
        self._count("not_found")
        return 404, {"Content-Type": "text/plain"}, b"not found\n"

    def _count(self, kind: str) -> None:
        with self._lock:
            self._counts[kind] += 1

    # ODS and files --------------------------------------------------------------------------
    def _ods(self, query: dict[str, str]) -> Reply:
        entry = self._by_symbol.get(query.get("s", "").strip().upper())
        language = query.get("l", "").lower()
        if entry is None or entry.deleted or language not in ("en", "e") or query.get("t") != "pdf":
            self._count("empty")
            # The real service answers unknown or unpublished symbols with an empty 200.
            return 200, {"Content-Type": "application/pdf"}, b""
        return 302, {"Location": f"{self.base_url}/files/{entry.file}"}, b""

    def _pdf(self, entry: CatalogEntry, headers: dict[str, str]) -> Reply:
        content = entry.path.read_bytes()
        etag = f'"{hashlib.sha256(content).hexdigest()}"'
        modified = entry.catalogued_at.astimezone(dt.UTC).replace(microsecond=0)
        validators = {"ETag": etag, "Last-Modified": email.utils.format_datetime(modified, True)}
        if_none_match = headers.get("if-none-match")
        if if_none_match is not None:
            tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
            if etag in tags or "*" in tags:
                self._count("not_modified")
                return 304, validators, b""
        elif headers.get("if-modified-since"):
            try:
                since = email.utils.parsedate_to_datetime(headers["if-modified-since"])
            except (TypeError, ValueError):
                since = None
            if since is not None and since.tzinfo and modified <= since:
                self._count("not_modified")
                return 304, validators, b""
        self._count("pdf")
        return 200, {"Content-Type": "application/pdf", **validators}, content

    # OAI-PMH --------------------------------------------------------------------------------
    def _oai(self, query: dict[str, str]) -> Reply:
        verb = query.get("verb", "")
        if verb == "Identify":
            earliest = min((e.catalogued_at for e in self.entries), default=None)
            body = (
                "<Identify><repositoryName>reportwatch loopback mirror</repositoryName>"
                f"<baseURL>{escape(self.base_url)}/oai2d</baseURL>"
                "<protocolVersion>2.0</protocolVersion>"
                "<adminEmail>ops@example.org</adminEmail>"
                f"<earliestDatestamp>{oai_stamp(earliest) if earliest else ''}</earliestDatestamp>"
                "<deletedRecord>persistent</deletedRecord>"
                "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>"
            )
            return self._oai_envelope(query, body)
        if verb != "ListRecords":
            return self._oai_error(query, "badVerb", f"unsupported verb {verb!r}")
        token = query.get("resumptionToken")
        if token is not None:
            if set(query) != {"verb", "resumptionToken"}:
                return self._oai_error(query, "badArgument", "resumptionToken is exclusive")
            with self._lock:
                failing, self._failing_tokens = (
                    self._failing_tokens,
                    max(0, self._failing_tokens - 1),
                )
            state = None if failing else decode_token(token)
            if state is None:
                return self._oai_error(query, "badResumptionToken", "unknown or expired token")
            prefix, start, end, offset = state
        else:
            prefix, offset = query.get("metadataPrefix", ""), 0
            if not prefix:
                return self._oai_error(query, "badArgument", "metadataPrefix is required")
            start, end = query.get("from", ""), query.get("until", "")
        try:
            low, high = oai_bound(start, upper=False), oai_bound(end, upper=True)
        except ValueError:
            return self._oai_error(query, "badArgument", "from/until must be UTC dates")
        if prefix != "marcxml":
            return self._oai_error(query, "cannotDisseminateFormat", f"no format {prefix!r}")
        selected = sorted(
            (
                e
                for e in self.entries
                if (not low or e.catalogued_at >= low) and (not high or e.catalogued_at <= high)
            ),
            key=lambda e: (e.catalogued_at, e.record_id),
        )
        if not selected:
            return self._oai_error(query, "noRecordsMatch", "no records in this range")
        if offset >= len(selected):
            return self._oai_error(query, "badResumptionToken", "token past the end of the list")
        page = selected[offset : offset + self.page_size]
        records = "".join(self._oai_record(e) for e in page)
        following = offset + len(page)
        token_xml = ""
        if following < len(selected) or offset:
            next_token = encode_token(prefix, start, end, following)
            token_xml = (
                f'<resumptionToken completeListSize="{len(selected)}" cursor="{offset}">'
                f"{escape(next_token) if following < len(selected) else ''}</resumptionToken>"
            )
        return self._oai_envelope(query, f"<ListRecords>{records}{token_xml}</ListRecords>")

    def _oai_record(self, entry: CatalogEntry) -> str:
        header = (
            f"<identifier>oai:digitallibrary.un.org:{escape(entry.record_id)}</identifier>"
            f"<datestamp>{oai_stamp(entry.catalogued_at)}</datestamp>"
            "<setSpec>Documents and Publications</setSpec>"
        )
        if entry.deleted:
            return f'<record><header status="deleted">{header}</header></record>'
        fields = [
            marc_control("001", entry.record_id),
            marc_control("005", entry.catalogued_at.strftime("%Y%m%d%H%M%S.0")),
        ]
        if entry.job_number:
            job = JOB_NUMBER.match(entry.job_number)
            ods_job = (
                f"N{job.group(1)}{job.group(2)} {job.group(3) or 'E'}" if job else entry.job_number
            )
            fields.append(marc_data("029", [("a", "JN"), ("b", ods_job)]))
        body, _, year = entry.symbol.partition("/")
        fields.append(marc_data("191", [("a", entry.symbol), ("b", f"{body}/"), ("c", year[:4])]))
        fields.append(marc_data("245", [("a", entry.title)], ind1="1", ind2="0"))
        if entry.date:
            fields.append(marc_data("269", [("a", entry.date.isoformat())]))
        fields.extend(marc_data("520", [("a", note)]) for note in entry.notes)
        fields.extend(marc_data("650", [("a", subject)], ind2="7") for subject in entry.subjects)
        size = entry.path.stat().st_size
        url = f"{self.base_url}/record/{entry.record_id}/files/{entry.undl_file_name}"
        fields.append(marc_data("856", [("u", url), ("s", str(size)), ("y", "English")], ind1="4"))
        fields.append(marc_data("980", [("a", "BIB")]))
        marc = (
            f'<record xmlns="{MARC_NS}"><leader>00000nam a2200000 a 4500</leader>'
            f"{''.join(fields)}</record>"
        )
        return f"<record><header>{header}</header><metadata>{marc}</metadata></record>"

    def _oai_envelope(self, query: dict[str, str], body: str, *, bare: bool = False) -> Reply:
        attributes = "" if bare else "".join(f" {k}={quoteattr(v)}" for k, v in query.items())
        now = oai_stamp(dt.datetime.now(dt.UTC))
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI_NS}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
            f'"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
            f"<responseDate>{now}</responseDate>"
            f"<request{attributes}>{escape(self.base_url)}/oai2d</request>{body}</OAI-PMH>\n"
        )
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode("utf-8")

    def _oai_error(self, query: dict[str, str], code: str, message: str) -> Reply:
        # The specification echoes no arguments in <request> for badVerb and badArgument.
        bare = code in ("badVerb", "badArgument")
        body = f'<error code="{code}">{escape(message)}</error>'
        return self._oai_envelope(query, body, bare=bare)


def _handler_for(mirror: MirrorServer) -> type[BaseHTTPRequestHandler]:
    class MirrorHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "reportwatch-mirror"

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, reply_headers, body = mirror.answer(self.path, headers)
            self.send_response(status)
            for name, value in reply_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests and the demo read counters, not access logs

    return MirrorHandler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reportwatch.demo.mirror",
        description="Serve a sample archive as OAI-PMH and ODS on this machine until Ctrl-C.",
    )
    parser.add_argument(
        "archive_dir", type=Path, nargs="+", help="folder(s) with catalog.json and the PDFs"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--page-size", type=int, default=10, help="OAI-PMH records per page")
    args = parser.parse_args(argv)
    try:
        mirror = MirrorServer(args.archive_dir, args.host, args.port, page_size=args.page_size)
    except (ConfigError, OSError) as exc:
        message = exc.one_line() if isinstance(exc, ConfigError) else str(exc)
        print(f"error: {message}")
        return 1
    folders = ", ".join(str(f) for f in args.archive_dir)
    print(f"serving {len(mirror.entries)} records from {folders} at {mirror.base_url}")
    print(f"  REPORTWATCH_UNDL_URL={mirror.base_url} REPORTWATCH_ODS_URL={mirror.base_url}")
    # Stop on Ctrl-C and on SIGTERM even when started with SIGINT ignored (a process started in
    # the background by a non-interactive shell, or by a parent that ignores it, inherits that).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop)
    try:
        mirror.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    return 0


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    raise SystemExit(main())
