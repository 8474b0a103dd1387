"""Settings: one pydantic-settings object, environment prefix ``REPORTWATCH_``.

Every setting is documented in the README table (a test keeps the two in step).
Secrets are ``SecretStr``: they never appear in ``repr``, logs or error messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_UNDL_URL = "https://digitallibrary.un.org"
DEFAULT_ODS_URL = "https://documents.un.org"
DEFAULT_RELIEFWEB_URL = "https://api.reliefweb.int"


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
    total_timeout: float = Field(120.0, gt=0, description="Deadline for one whole download.")
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
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
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
        if self.allowed_hosts:
            return {h.lower() for h in self.allowed_hosts}
        return {h.lower() for h in self.source_hosts()}


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (used by the CLI and tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
