"""Settings: one pydantic-settings object, environment prefix ``REPORTWATCH_``.

Every setting is documented in the README table (a test keeps the two in step).
Secrets are ``SecretStr``: they never appear in ``repr``, logs or error messages.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, get_args
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from reportwatch.errors import ConfigError

DEFAULT_UNDL_URL = "https://digitallibrary.un.org"
DEFAULT_ODS_URL = "https://documents.un.org"
DEFAULT_RELIEFWEB_URL = "https://api.reliefweb.int"
# Sources hand files out from sibling hosts of their own domain: ODS redirects to its PDF store
# (documents-dds-ny.un.org and others), ReliefWeb serves attachments from reliefweb.int. A source
# configured under one of these domains therefore lets the whole domain in by default.
SOURCE_DOMAINS = ("un.org", "reliefweb.int")
_OUTSIDE_QUOTES = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')


class Settings(BaseSettings):
    """All of reportwatch's configuration, read from ``REPORTWATCH_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="REPORTWATCH_", extra="ignore")

    data_dir: Path = Field(
        Path("data"), description="Warehouse, raw archive and analysts' snapshot."
    )
    series_dir: Path | None = Field(
        None, description="Folder of series YAML files (default: bundled)."
    )

    # sources
    undl_url: str = Field(DEFAULT_UNDL_URL, description="UN Digital Library base URL.")
    ods_url: str = Field(DEFAULT_ODS_URL, description="Official Document System base URL.")
    reliefweb_url: str = Field(DEFAULT_RELIEFWEB_URL, description="ReliefWeb API base URL.")
    undl_api_key: SecretStr | None = Field(None, description="UN Digital Library API key.")
    reliefweb_appname: str | None = Field(None, description="Approved ReliefWeb appname.")

    # fetch policy
    contact: str = Field("ops@example.org", description="Contact address sent in the User-Agent.")
    # NoDecode: the environment gives "a,b" (split below), not JSON.
    allowed_hosts: Annotated[list[str] | None, NoDecode] = Field(
        None, description="Hosts that may be contacted (default: the configured sources' hosts)."
    )
    min_request_interval: float = Field(
        5.0, ge=0, description="Seconds between requests to one host."
    )
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    total_timeout: float = Field(120.0, gt=0, description="Deadline for one download attempt.")
    download_deadline: float = Field(
        300.0,
        gt=0,
        description="Seconds one document may take in all: every attempt, every URL, every wait.",
    )
    max_retries: int = Field(4, ge=0)
    max_bytes: int = Field(50_000_000, gt=0, description="Byte cap on any response body.")
    max_pages: int = Field(500, gt=0, description="Page cap on any PDF.")
    oai_window_days: int = Field(31, gt=0, description="Days per OAI-PMH harvest window.")

    # alerts
    slack_webhook_url: SecretStr | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    email_from: str | None = None
    email_to: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("allowed_hosts", "email_to", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                try:
                    return json.loads(value)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"expected a,b or a JSON list ({exc.msg})") from exc
            # A comma inside a quoted display name ("Doe, Jane" <jane@...>) is not a separator.
            return [part.strip() for part in _OUTSIDE_QUOTES.split(value) if part.strip()]
        return value

    # derived paths -------------------------------------------------------------------------
    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def snapshot_path(self) -> Path:
        return self.data_dir / "snapshot.duckdb"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def drop_dir(self) -> Path:
        return self.data_dir / "drop"

    def source_hosts(self) -> list[str]:
        hosts = []
        for url in (self.undl_url, self.ods_url, self.reliefweb_url):
            host = urlsplit(url).hostname
            if host:
                hosts.append(host)
        return hosts

    def effective_allowed_hosts(self) -> set[str]:
        """Hosts the fetcher may contact, redirects included (``.domain`` means any host in it).

        ``REPORTWATCH_ALLOWED_HOSTS`` replaces the default entirely. The default is each
        configured source's host, plus its whole domain when that is one of
        :data:`SOURCE_DOMAINS` (``un.org`` and ``.un.org`` for documents.un.org).
        """
        if self.allowed_hosts:
            return {h.lower() for h in self.allowed_hosts}
        allowed: set[str] = set()
        for host in self.source_hosts():
            host = host.lower().rstrip(".")
            allowed.add(host)
            for domain in SOURCE_DOMAINS:
                if host == domain or host.endswith(f".{domain}"):
                    allowed.update({domain, f".{domain}"})
        return allowed


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (used by the CLI and tests).

    An invalid value raises :class:`ConfigError` naming each bad variable, its value (never a
    secret's) and what it should be, in one line.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error, hides_secret = _config_error(exc)
        # pydantic's own message echoes every input: keep it out of tracebacks when a secret failed.
        raise error from (None if hides_secret else exc)


def _config_error(exc: ValidationError) -> tuple[ConfigError, bool]:
    problems: dict[str, str] = {}  # variable -> problem; a union type reports one field twice
    hides_secret = False
    for detail in exc.errors(include_url=False):
        field = str(detail["loc"][0]) if detail["loc"] else ""
        variable = f"REPORTWATCH_{field.upper()}" if field else "a REPORTWATCH_* variable"
        if variable in problems:
            continue
        if _is_secret(field):
            hides_secret = True
            shown = "(hidden)"
        else:
            shown = repr(detail["input"])
            shown = shown if len(shown) <= 80 else f"{shown[:77]}..."
        expected = str(detail["msg"]).removeprefix("Value error, ")
        expected = expected[:1].lower() + expected[1:]
        problems[variable] = f"{variable}={shown} is invalid: {expected}"
    message = "; ".join(problems.values()) or f"invalid settings: {exc.error_count()} error(s)"
    hint = "fix or unset the variable; the README's Configuration table says what each takes"
    return ConfigError(message, hint=hint), hides_secret


def _is_secret(field: str) -> bool:
    info = Settings.model_fields.get(field)
    if info is None:
        return False
    return info.annotation is SecretStr or SecretStr in get_args(info.annotation)
