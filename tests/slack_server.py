"""A Slack-style incoming webhook on 127.0.0.1 for tests: records what it got, answers as told.

Slack answers ``200 ok``, ``429`` with ``Retry-After``, ``4xx`` with a short error code in
the body (``no_service``, ``invalid_payload``) and sometimes ``5xx``; ``reply_with`` queues
those answers, then it goes back to ``200 ok``.

Like Slack, it checks every message first (:func:`slack_refusal`, written from Slack's Block Kit
reference independently of the notifier's own code): a body that is not JSON is
``invalid_payload``; more than 50 blocks, a header over 150 characters, a section text over
3,000, more than 10 fields or one over 2,000, more than 10 context elements, or any text object
over 3,000 is ``400 invalid_blocks``; more than 40,000 characters of text in all is
``msg_too_long``. Characters are counted as received, escapes (``&amp;``) included.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

WEBHOOK_PATH = "/services/T0TESTTEAM/B0TESTHOOK/s3cr3tW3bh00kT0k3n"


@dataclass
class Reply:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ReceivedPost:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def slack_refusal(body: bytes) -> str | None:
    """The error code Slack would answer ``body`` with, or None when it would post it."""
    try:
        payload = json.loads(body)
    except ValueError:
        return "invalid_payload"
    if not isinstance(payload, dict):
        return "invalid_payload"
    blocks = payload.get("blocks") or []
    if len(blocks) > 50:
        return "invalid_blocks"

    def text_of(obj: Any) -> str:
        return obj.get("text", "") if isinstance(obj, dict) else ""

    total = len(payload.get("text") or "")
    for block in blocks:
        kind = block.get("type")
        limits: list[tuple[str, int]] = []
        if kind == "header":
            limits.append((text_of(block.get("text")), 150))
        elif kind == "section":
            if "text" in block:
                limits.append((text_of(block["text"]), 3000))
            fields = block.get("fields") or []
            if len(fields) > 10:
                return "invalid_blocks"
            limits += [(text_of(f), 2000) for f in fields]
        elif kind == "context":
            elements = block.get("elements") or []
            if len(elements) > 10:
                return "invalid_blocks"
            limits += [(text_of(e), 3000) for e in elements]
        elif "text" in block:
            limits.append((text_of(block["text"]), 3000))
        for text, limit in limits:
            if len(text) > limit:
                return "invalid_blocks"
            total += len(text)
    if total > 40_000:
        return "msg_too_long"
    return None


class LoopbackWebhook:
    def __init__(self, *, enforce_limits: bool = True) -> None:
        self.posts: list[ReceivedPost] = []
        self.refused: list[str] = []  # the codes of posts it refused, in order
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                refusal = slack_refusal(body) if enforce_limits else None
                with hook._lock:
                    hook.posts.append(ReceivedPost(self.path, dict(self.headers), body))
                    if refusal is not None:
                        hook.refused.append(refusal)
                        reply = Reply(status=400, body=refusal)
                    else:
                        reply = hook._replies.popleft() if hook._replies else Reply()
                payload = reply.body.encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        # A short poll interval: shutdown() waits for the loop to notice (0.5 s by default).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    def reply_with(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def __enter__(self) -> LoopbackWebhook:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class SilentServer:
    """Accepts connections (the kernel does) and never answers: for timeout tests."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.port: int = self._sock.getsockname()[1]

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._sock.close()


def refused_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
