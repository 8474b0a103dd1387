"""Settings: read from REPORTWATCH_* variables, bad values named in one line, secrets hidden."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from reportwatch.errors import ConfigError
from reportwatch.settings import Settings, load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_variables() -> set[str]:
    """Variable names in the first column of the README's Configuration table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(REPORTWATCH_[A-Z0-9_]+)` \|", section, re.MULTILINE))


# bad values ---------------------------------------------------------------------------------
def test_a_bad_number_names_the_variable_the_value_and_what_is_expected(monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_MAX_RETRIES", "abc")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    line = caught.value.one_line()
    assert "REPORTWATCH_MAX_RETRIES" in line
    assert "'abc'" in line
    assert "integer" in line
    assert "\n" not in str(caught.value) and not caught.value.transient
    assert caught.value.hint  # what to do: fix or unset the variable


def test_a_value_below_its_minimum_says_the_bound(monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_MIN_REQUEST_INTERVAL", "-1")
    with pytest.raises(ConfigError, match=r"REPORTWATCH_MIN_REQUEST_INTERVAL='-1'.*0"):
        load_settings()


def test_every_bad_variable_is_named_at_once(monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_MAX_RETRIES", "abc")
    monkeypatch.setenv("REPORTWATCH_SMTP_PORT", "smtp")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "REPORTWATCH_MAX_RETRIES" in caught.value.message
    assert "REPORTWATCH_SMTP_PORT" in caught.value.message


def test_a_bad_secret_is_named_but_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(smtp_password=424242)
    assert "REPORTWATCH_SMTP_PASSWORD" in caught.value.message
    assert "424242" not in caught.value.one_line()


def test_the_cli_prints_a_bad_setting_as_one_line(monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_MAX_RETRIES", "abc")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: REPORTWATCH_MAX_RETRIES='abc'")


# lists ------------------------------------------------------------------------------------
def test_comma_separated_lists_parse(monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_EMAIL_TO", "ops@example.org, desk@example.org,")
    monkeypatch.setenv("REPORTWATCH_ALLOWED_HOSTS", "documents.un.org,.un.org")
    settings = load_settings()
    assert settings.email_to == ["ops@example.org", "desk@example.org"]
    assert settings.allowed_hosts == ["documents.un.org", ".un.org"]
    assert settings.effective_allowed_hosts() == {"documents.un.org", ".un.org"}


def test_a_json_list_parses_too(monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_EMAIL_TO", '["ops@example.org"]')
    assert load_settings().email_to == ["ops@example.org"]


def test_a_broken_json_list_is_named(monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_ALLOWED_HOSTS", '["documents.un.org"')
    with pytest.raises(ConfigError, match=r"^REPORTWATCH_ALLOWED_HOSTS=.* a JSON list"):
        load_settings()


# the allowlist's default ------------------------------------------------------------------
def test_the_default_allowlist_covers_the_sources_domains() -> None:
    assert Settings().effective_allowed_hosts() == {
        "digitallibrary.un.org",
        "documents.un.org",
        "api.reliefweb.int",
        "un.org",
        ".un.org",
        "reliefweb.int",
        ".reliefweb.int",
    }


def test_a_source_off_the_known_domains_adds_only_its_own_host() -> None:
    settings = Settings(
        undl_url="http://127.0.0.1:8000",
        ods_url="http://127.0.0.1:8000",
        reliefweb_url="https://mirror.example.org/rw",
    )
    assert settings.effective_allowed_hosts() == {"127.0.0.1", "mirror.example.org"}


def test_explicit_allowed_hosts_replace_the_default(monkeypatch) -> None:
    monkeypatch.setenv("REPORTWATCH_ALLOWED_HOSTS", "documents.un.org")
    assert load_settings().effective_allowed_hosts() == {"documents.un.org"}


# secrets ----------------------------------------------------------------------------------
def test_secrets_never_appear_in_repr_or_str() -> None:
    secrets = {
        "undl_api_key": "undl-key-0d9f",
        "slack_webhook_url": "https://hooks.slack.com/services/T000/B000/XYZsecret",
        "smtp_password": "smtp-pass-77aa",
    }
    settings = load_settings(**secrets)
    for text in (repr(settings), str(settings), f"{settings}", repr(settings.model_dump())):
        for value in secrets.values():
            assert value not in text
    assert settings.undl_api_key is not None
    assert settings.undl_api_key.get_secret_value() == "undl-key-0d9f"


# documentation ----------------------------------------------------------------------------
def test_the_readme_documents_exactly_the_settings() -> None:
    expected = {f"REPORTWATCH_{name.upper()}" for name in Settings.model_fields}
    documented = _readme_variables()
    assert documented, "no Configuration table found in README.md"
    assert sorted(expected - documented) == [], "settings missing from the README table"
    assert sorted(documented - expected) == [], "README rows that are not settings"
