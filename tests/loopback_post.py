"""``LoopbackServer`` that also answers POST and keeps each request's body.

The scripted server of :mod:`tests.loopback` answers GET only; JSON search APIs (ReliefWeb) take
their query as a POST body, and tests assert on exactly what the server received::

    with PostLoopbackServer() as server:
        server.script("/v2/reports", Reply(body=b'{"totalCount": 0, "data": []}'))
        ...
        (posted,) = server.bodies_to("/v2/reports")
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import LoopbackServer, RecordedRequest, Reply


@dataclass(frozen=True)
class RecordedPost(RecordedRequest):
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


class PostLoopbackServer(LoopbackServer):
    def bodies_to(self, route: str) -> list[Any]:
        """The JSON bodies POSTed to ``route``, in order."""
        return [r.json() for r in self.requests_to(route) if isinstance(r, RecordedPost)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self
        base = super()._handler()

        class PostHandler(base):  # type: ignore[valid-type,misc]
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = RecordedPost(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    received_at=time.monotonic(),
                    body=self.rfile.read(length) if length else b"",
                )
                reply: Reply = server._next_reply(request)
                with contextlib.suppress(OSError):
                    self._send(reply)

        return PostHandler
