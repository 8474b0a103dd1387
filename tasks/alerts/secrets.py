"""Channel secrets from Prefect Secret blocks, for deployments that keep them out of the environment.

The environment wins: ``REPORTWATCH_SLACK_WEBHOOK_URL`` and ``REPORTWATCH_SMTP_PASSWORD`` are
used when set. When one is unset and the channel needs it, the Prefect Secret block of the
matching name is read (``prefect.blocks.system.Secret.load``):

    ===============================  ==================================
    setting                          Secret block
    ===============================  ==================================
    REPORTWATCH_SLACK_WEBHOOK_URL    ``reportwatch-slack-webhook-url``
    REPORTWATCH_SMTP_PASSWORD        ``reportwatch-smtp-password``
    ===============================  ==================================

Blocks live in the Prefect API, so they are read only where one is at hand: inside a flow or
task run, or when the caller asks (``reportwatch alerts test``). Values become ``SecretStr``
at once; no value, and no part of a webhook URL, is ever logged or put in an error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from reportwatch.errors import ConfigError
from reportwatch.settings import Settings

log = logging.getLogger(__name__)

SLACK_WEBHOOK_BLOCK = "reportwatch-slack-webhook-url"
SMTP_PASSWORD_BLOCK = "reportwatch-smtp-password"


@dataclass(frozen=True)
class SecretSetting:
    """A setting that may come from a Secret block, and the channel that needs it."""

    field: str
    env: str
    block: str
    channel: str


SECRET_SETTINGS = (
    SecretSetting(
        "slack_webhook_url", "REPORTWATCH_SLACK_WEBHOOK_URL", SLACK_WEBHOOK_BLOCK, "slack"
    ),
    SecretSetting("smtp_password", "REPORTWATCH_SMTP_PASSWORD", SMTP_PASSWORD_BLOCK, "email"),
)


def in_prefect_run() -> bool:
    """True inside a flow or task run, where the Prefect API is already up."""
    from prefect.context import FlowRunContext, TaskRunContext

    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def read_secret_block(name: str) -> SecretStr | None:
    """The value of the Secret block ``name``; None when no such block exists.

    Raises ConfigError when the Prefect API cannot be asked or the block holds no string.
    """
    from prefect.blocks.system import Secret

    try:
        # _sync: a plain call from synchronous code, even if an event loop runs somewhere.
        block: Any = Secret.load(name, _sync=True)  # type: ignore[call-arg]
    except ValueError as exc:
        if "Unable to find block document" in str(exc):
            return None
        raise ConfigError(
            f"Secret block {name!r} could not be read ({type(exc).__name__})",
            hint="check it with `prefect block ls`",
        ) from None
    except Exception as exc:  # the API is down or refuses: say which block, never its value
        raise ConfigError(
            f"Prefect API unavailable while reading Secret block {name!r} ({type(exc).__name__})",
            hint="check PREFECT_API_URL, or set the value in the environment",
        ) from None
    # The raw value: Secret.get() would JSON-decode it (a password "1e3" would become 1000.0).
    raw = block.value.get_secret_value()
    if not isinstance(raw, str) or not raw:
        raise ConfigError(
            f"Secret block {name!r} must hold a non-empty string",
            hint=f"save it with Secret(value='...').save({name!r}, overwrite=True)",
        )
    return SecretStr(raw)


def _needed(setting: SecretSetting, settings: Settings) -> bool:
    if getattr(settings, setting.field) is not None:
        return False
    if setting.field == "smtp_password":
        return bool(settings.smtp_username)  # no login, no password needed
    return True


def with_secret_blocks(
    settings: Settings,
    channels: Iterable[str],
    *,
    use_blocks: bool | None = None,
) -> Settings:
    """``settings`` with unset secrets of ``channels`` filled from Secret blocks.

    ``use_blocks``: True always asks Prefect, False never, None (default) only inside a flow
    or task run. A block that cannot be read is logged (name and reason) and left unset, so
    the channel is reported as not configured rather than failing the run.
    """
    if use_blocks is False:
        return settings
    wanted = [s for s in SECRET_SETTINGS if s.channel in set(channels) and _needed(s, settings)]
    if not wanted or (use_blocks is None and not in_prefect_run()):
        return settings
    found: dict[str, SecretStr] = {}
    for setting in wanted:
        try:
            value = read_secret_block(setting.block)
        except ConfigError as exc:
            log.warning("%s channel: %s", setting.channel, exc.one_line())
            continue
        if value is not None:
            log.info("%s is unset; using the Secret block %r", setting.env, setting.block)
            found[setting.field] = value
    return settings.model_copy(update=found) if found else settings


def secret_hint(missing: Iterable[str]) -> str | None:
    """For a 'not configured' message: the Secret blocks that could stand in for ``missing``."""
    names = [f"'{s.block}'" for s in SECRET_SETTINGS if s.env in set(missing)]
    if not names:
        return None
    return f"or save the Prefect Secret block {' and '.join(names)}"
