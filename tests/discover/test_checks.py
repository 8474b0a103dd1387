"""``reportwatch sources check``: one request per source, short timeouts, no retries; a name
DNS cannot resolve is said so."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from tests.loopback import LoopbackServer, Reply

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPORTWATCH_MIN_REQUEST_INTERVAL", "0")
    return tmp_path


def verdict(output: str, kind: str) -> tuple[str, str]:
    for line in output.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and parts[1] == kind:
            return parts[2], parts[3]
    raise AssertionError(f"no line for {kind} in {output!r}")


def test_a_busy_source_is_asked_once_not_retried(env, monkeypatch) -> None:
    with LoopbackServer() as server:
        server.script("/oai2d", Reply(status=503, headers={"Retry-After": "1"}))
        monkeypatch.setenv("REPORTWATCH_UNDL_URL", server.base_url)
        monkeypatch.setenv("REPORTWATCH_ALLOWED_HOSTS", "127.0.0.1")
        result = runner.invoke(app, ["sources", "check", "--kind", "undl-oai", "--series", "kfor"])
        asked = len(server.requests_to("/oai2d"))
    assert result.exit_code == 1
    assert asked == 1
    state, detail = verdict(result.output, "undl-oai")
    assert state == "failed"
    assert detail.startswith(f"GET {server.base_url}/oai2d?verb=Identify failed after 1 attempt(s)")


def test_an_unresolvable_host_is_named_as_a_dns_failure(env, monkeypatch) -> None:
    asked: list[str] = []

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)  # offline: the resolver says no
    monkeypatch.setenv("REPORTWATCH_UNDL_URL", "https://digitallibrary.un.org")
    result = runner.invoke(app, ["sources", "check", "--kind", "undl-oai", "--series", "kfor"])
    assert result.exit_code == 1
    assert verdict(result.output, "undl-oai") == (
        "failed",
        "cannot resolve digitallibrary.un.org: DNS lookup failed (Name or service not known) "
        "(check the network and DNS, and the host in the source's URL setting; a later run "
        "tries again)",
    )
    assert asked == ["digitallibrary.un.org"]
