"""Loopback HTTP servers for tests: a scriptable one with fault injection, and a sample archive.

``LoopbackServer`` answers each route from a script of :class:`Reply` objects, one per request
(the last one repeats), and records every request with the time it arrived::

    with LoopbackServer() as server:
        url = server.script("/doc.pdf", Reply(status=503, headers={"Retry-After": "1"}),
                            Reply(body=b"%PDF-1.7 ..."))

A reply can wait before answering (``delay``), drip its body (``trickle``), reset the connection
(``reset``), announce more bytes than it sends (``declared_length``), omit Content-Length
(``send_length=False``) or redirect (``Reply.redirect``). A reply may also be a function of the
request, for answers that depend on headers or the clock. Unscripted routes answer 404.

``LoopbackOnlyTransport`` is the real httpx transport with a guard: it records every host the
client contacts and refuses anything but 127.0.0.1, so a test proves no other host was tried.

``write_sample_archive`` builds a tiny archive (PDFs made with fpdf2 plus ``catalog.json``) in the
schema ``reportwatch.demo.mirror`` serves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

LOOPBACK = "127.0.0.1"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    chunk_size: int = 64
    reset: bool = False
    declared_length: int | None = None
    send_length: bool = True

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status=status, headers={"Location": location})


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    received_at: float

    @property
    def route(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}


ReplySource = Reply | Callable[[RecordedRequest], Reply]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up on a trickling or delayed reply are the point of some tests


class LoopbackServer:
    def __init__(self) -> None:
        self._scripts: dict[str, list[ReplySource]] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer((LOOPBACK, 0), self._handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def script(self, route: str, *replies: ReplySource) -> str:
        """Answer ``route`` with ``replies`` in turn (the last repeats); returns its URL."""
        with self._lock:
            self._scripts[route] = list(replies)
        return self.url(route)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, route: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.route == route]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            script = self._scripts.get(request.route)
            if not script:
                source: ReplySource = Reply(status=404, body=b"not scripted\n")
            elif len(script) > 1:
                source = script.pop(0)
            else:
                source = script[0]
        return source(request) if callable(source) else source

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.0: one request per connection, so resets and truncations stay contained.
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                request = RecordedRequest(
                    method="GET",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    received_at=time.monotonic(),
                )
                reply = server._next_reply(request)
                with contextlib.suppress(OSError):  # the client gave up first
                    self._send(reply)

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.reset:
                    # SO_LINGER 0 turns close() into a TCP RST: "connection reset by peer".
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.send_length:
                    length = reply.declared_length
                    self.send_header(
                        "Content-Length", str(len(reply.body) if length is None else length)
                    )
                self.end_headers()
                if not reply.trickle:
                    self.wfile.write(reply.body)
                    return
                for start in range(0, len(reply.body), reply.chunk_size):
                    self.wfile.write(reply.body[start : start + reply.chunk_size])
                    self.wfile.flush()
                    time.sleep(reply.trickle)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class LoopbackOnlyTransport(httpx.BaseTransport):
    """The real transport, refusing (and recording) any host but 127.0.0.1."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.hosts: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        if request.url.host != LOOPBACK:
            raise AssertionError(f"a test tried to contact {request.url.host}")
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


# sample archive --------------------------------------------------------------------------------
KFOR_TITLE = (
    "Letter dated {day} from the Secretary-General addressed to the President of the Security "
    "Council"
)


def sample_records() -> list[dict[str, Any]]:
    """Six catalogue records: two KFOR letters, one SG letter on another topic (to confirm), a
    letter from a Member State (rejected), a General Assembly document (ignored) and a deleted
    record, catalogued across April to July 2020."""
    return [
        {
            "symbol": "S/2020/350",
            "title": KFOR_TITLE.format(day="28 April 2020"),
            "date": "2020-04-30",
            "record_id": "3862236",
            "job_number": "20-06213",
            "catalogued_at": "2020-05-04T09:15:00Z",
            "subjects": ["KOSOVO (SERBIA)", "INTERNATIONAL SECURITY FORCES"],
            "notes": ["Transmits report on the operations of the Kosovo Force (KFOR)."],
        },
        {
            "symbol": "S/2020/380",
            "title": KFOR_TITLE.format(day="6 May 2020"),
            "date": "2020-05-08",
            "record_id": "3862300",
            "job_number": "20-06777",
            "catalogued_at": "2020-05-11T14:00:00Z",
            "subjects": ["LIBYA--POLITICAL CONDITIONS"],
            "notes": ["Transmits the report of the Panel of Experts."],
        },
        {
            "symbol": "S/2020/372",
            "title": (
                "Letter dated 5 May 2020 from the Permanent Representative of Serbia to the "
                "United Nations addressed to the Secretary-General"
            ),
            "date": "2020-05-06",
            "record_id": "3862290",
            "job_number": "20-06700",
            "catalogued_at": "2020-05-07T10:00:00Z",
            "subjects": ["KOSOVO (SERBIA)"],
            "notes": ["Refers to the international security presence in Kosovo."],
        },
        {
            "symbol": "A/74/845",
            "title": "Report of the Secretary-General on the Kosovo Force budget",
            "date": "2020-05-05",
            "record_id": "3862280",
            "job_number": "20-06600",
            "catalogued_at": "2020-05-06T08:00:00Z",
            "subjects": ["KOSOVO (SERBIA)"],
            "notes": [],
        },
        {
            "symbol": "S/2020/111",
            "title": KFOR_TITLE.format(day="10 February 2020"),
            "date": "2020-02-12",
            "record_id": "3850000",
            "job_number": "20-02000",
            "catalogued_at": "2020-05-20T08:00:00Z",
            "subjects": ["KOSOVO (SERBIA)"],
            "notes": ["Kosovo Force report, withdrawn."],
            "deleted": True,
        },
        {
            "symbol": "S/2020/720",
            "title": KFOR_TITLE.format(day="20 July 2020"),
            "date": "2020-07-22",
            "record_id": "3875512",
            "job_number": "20-09500 (E)",
            "catalogued_at": "2020-07-27T16:30:00Z",
            "subjects": ["KOSOVO (SERBIA)"],
            "notes": ["Report to the United Nations on Kosovo Force operations, April-June 2020."],
        },
    ]


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF saying ``text`` (fixed creation date, so the bytes are reproducible)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text=text)
    return bytes(pdf.output())


def write_sample_archive(directory: Path, records: list[dict[str, Any]] | None = None) -> Path:
    """Write one PDF per record and ``catalog.json`` into ``directory``; returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    catalog = []
    for record in records if records is not None else sample_records():
        entry = dict(record)
        content = tiny_pdf(f"{entry['symbol']}\n{entry['title']}")
        entry["file"] = entry["symbol"].replace("/", "_") + ".pdf"
        entry["sha256"] = hashlib.sha256(content).hexdigest()
        (directory / entry["file"]).write_bytes(content)
        catalog.append(entry)
    (directory / "catalog.json").write_text(json.dumps(catalog, indent=2), encoding="utf-8")
    return directory
