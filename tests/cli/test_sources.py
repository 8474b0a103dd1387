"""``reportwatch sources list`` and ``sources check`` against the loopback mirror."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.demo import SAMPLES_DIR
from reportwatch.demo.mirror import MirrorServer
from tests.loopback import LoopbackServer, Reply
from tests.loopback_post import PostLoopbackServer

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = SAMPLES_DIR
runner = CliRunner()


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer(SAMPLES) as server:
        yield server


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, mirror: MirrorServer, tmp_path: Path) -> Path:
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPORTWATCH_UNDL_URL", mirror.base_url)
    monkeypatch.setenv("REPORTWATCH_ODS_URL", mirror.base_url)
    monkeypatch.setenv("REPORTWATCH_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("REPORTWATCH_MIN_REQUEST_INTERVAL", "0")
    monkeypatch.setenv("REPORTWATCH_MAX_RETRIES", "0")
    return tmp_path / "data"


@pytest.fixture
def every_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A series folder whose kfor.yaml lists every source kind."""
    folder = tmp_path / "series"
    shutil.copytree(ROOT / "series", folder)
    raw = yaml.safe_load((folder / "kfor.yaml").read_text())
    oai_options = raw["sources"][0]["options"]
    raw["sources"] = [
        {"kind": "undl-api", "options": oai_options},
        raw["sources"][0],
        {"kind": "reliefweb", "options": {"kfor_terms": ["KFOR"]}},
        {"kind": "drop-folder"},
        raw["sources"][1],
    ]
    (folder / "kfor.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    monkeypatch.setenv("REPORTWATCH_SERIES_DIR", str(folder))
    return folder


def check_lines(output: str) -> dict[str, tuple[str, str]]:
    """``kfor  ods  ok  detail`` lines → {kind: (verdict, detail)}."""
    lines = {}
    for line in output.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and parts[0] == "kfor":
            lines[parts[1]] = (parts[2], parts[3])
    return lines


def test_list_shows_the_series_sources_first_and_what_the_others_need(env) -> None:
    result = runner.invoke(app, ["sources", "list", "--series", "kfor", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["kind"]: r for r in json.loads(result.output)}
    assert [r["kind"] for r in json.loads(result.output)][:2] == ["undl-oai", "ods"]
    assert rows["undl-oai"]["configured"] == "yes" and rows["undl-oai"]["role"] == "discovery"
    assert rows["ods"]["role"] == "download"
    assert rows["undl-api"]["configured"] == "no"
    assert "not configured: set REPORTWATCH_UNDL_API_KEY" in rows["undl-api"]["detail"]
    assert "not used by series kfor" in rows["reliefweb"]["detail"]


def test_list_says_which_listed_source_is_not_configured(env, every_kind) -> None:
    result = runner.invoke(app, ["sources", "list", "--format", "json", "--series", "kfor"])
    assert result.exit_code == 0, result.output
    rows = {r["kind"]: r for r in json.loads(result.output)}
    assert rows["undl-api"]["detail"] == "not configured: set REPORTWATCH_UNDL_API_KEY"
    assert rows["reliefweb"]["detail"].startswith(
        "not configured: set REPORTWATCH_RELIEFWEB_APPNAME"
    )
    assert rows["drop-folder"]["configured"] == "yes"
    assert str(env / "drop" / "kfor") in rows["drop-folder"]["detail"]
    table = runner.invoke(app, ["sources", "list", "--series", "kfor"])
    assert table.exit_code == 0 and "REPORTWATCH_UNDL_API_KEY" in table.output


def test_check_asks_each_source_once_and_reports_ok(env, mirror) -> None:
    mirror.reset_counts()
    result = runner.invoke(app, ["sources", "check", "--series", "kfor"])
    assert result.exit_code == 0, result.output
    lines = check_lines(result.output)
    assert lines["undl-oai"][0] == "ok"
    assert "reportwatch loopback mirror" in lines["undl-oai"][1]
    size = (SAMPLES / "S_2021_228.pdf").stat().st_size
    assert lines["ods"] == ("ok", f"S/2021/228 came back as a PDF of {size:,} bytes")
    counts = mirror.counts()
    assert (counts.get("oai"), counts.get("ods"), counts.get("pdf")) == (1, 1, 1)


def test_check_skips_unconfigured_sources_and_fails_on_a_missing_drop_folder(
    env, every_kind
) -> None:
    result = runner.invoke(app, ["sources", "check"])
    assert result.exit_code == 1
    lines = check_lines(result.output)
    assert lines["undl-api"] == ("skipped", "not configured: set REPORTWATCH_UNDL_API_KEY")
    assert lines["reliefweb"][0] == "skipped"
    assert lines["drop-folder"][0] == "failed" and "does not exist" in lines["drop-folder"][1]
    assert lines["undl-oai"][0] == "ok" and lines["ods"][0] == "ok"

    (env / "drop" / "kfor").mkdir(parents=True)
    again = runner.invoke(app, ["sources", "check"])
    assert again.exit_code == 0, again.output
    assert check_lines(again.output)["drop-folder"] == (
        "ok", f"{env / 'drop' / 'kfor'} exists and is writable; 0 PDF(s) waiting",
    )  # fmt: skip


def test_an_ods_that_serves_empty_bodies_fails_the_check(env, monkeypatch) -> None:
    with LoopbackServer() as empty_ods:
        empty_ods.script("/api/symbol/access", Reply(body=b""))
        monkeypatch.setenv("REPORTWATCH_ODS_URL", empty_ods.base_url)
        result = runner.invoke(app, ["sources", "check", "--kind", "ods"])
    assert result.exit_code == 1
    verdict, detail = check_lines(result.output)["ods"]
    assert verdict == "failed"
    assert "ODS has no PDF of S/2021/228" in detail


def test_reliefweb_check_is_one_zero_limit_search_and_names_a_refused_app(env, monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_RELIEFWEB_APPNAME", "acme-kforwatch-x7q2")
    with PostLoopbackServer() as reliefweb:
        reliefweb.script(
            "/v2/reports",
            Reply(body=b'{"totalCount": 123, "count": 0, "data": []}'),
            Reply(status=403, body=b'{"error": {"type": "AccessDeniedHttpException"}}'),
        )
        monkeypatch.setenv("REPORTWATCH_RELIEFWEB_URL", reliefweb.base_url)
        ok = runner.invoke(app, ["sources", "check", "--kind", "reliefweb", "--series", "kfor"])
        refused = runner.invoke(app, ["sources", "check", "--kind", "reliefweb", "-s", "kfor"])
        bodies = reliefweb.bodies_to("/v2/reports")
    assert ok.exit_code == 0, ok.output
    assert check_lines(ok.output)["reliefweb"] == (
        "ok", "app name 'acme-kforwatch-x7q2' accepted; 123 reports match the filter",
    )  # fmt: skip
    assert bodies[0]["limit"] == 0
    assert refused.exit_code == 1
    verdict, detail = check_lines(refused.output)["reliefweb"]
    assert verdict == "failed" and "refused app name 'acme-kforwatch-x7q2'" in detail


def test_an_unknown_kind_or_series_is_one_line(env) -> None:
    bad_kind = runner.invoke(app, ["sources", "check", "--kind", "rss"])
    assert bad_kind.exit_code == 1
    assert "unknown source kind 'rss'" in bad_kind.output and "Traceback" not in bad_kind.output
    bad_series = runner.invoke(app, ["sources", "list", "--series", "nope"])
    assert bad_series.exit_code == 1 and "no series 'nope'" in bad_series.output


@pytest.mark.parametrize("command", ["list", "check"])
def test_each_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, ["sources", command, "--help"])
    assert result.exit_code == 0
    assert f"Example: reportwatch sources {command}" in result.output
