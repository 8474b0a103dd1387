"""Render alerts into messages with Jinja2 templates.

Every channel renders the same facts, worded the same way (:mod:`tasks.alerts.notifiers.views`),
from templates in ``tasks/alerts/templates/``. A series may override any of them:
``template_dir`` is searched first (by file name), then the bundled folder, so an override is a
copy of one bundled file.

Templates use ``StrictUndefined`` (a typo in an override fails loudly instead of rendering
blanks) and HTML templates are autoescaped. Template problems are :class:`ConfigError`.

``python -m tasks.alerts.examples --examples`` prints ``docs/alerts-messages.md``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from reportwatch.errors import ConfigError
from reportwatch.models import Alert
from tasks.alerts.notifiers.views import (
    SEVERITY_EMOJI,
    AlertView,
    action_text,
    alert_title,
    alert_view,
    digest_order,
    format_date,
    format_figure,
    format_number,
    format_pct,
    format_signed,
    link_for_receivers,
    most_severe,
    one_line,
    slack_escape,
    summary_counts,
)

__all__ = [
    "BUNDLED_TEMPLATE_DIR",
    "BUNDLED_TEMPLATE_NAMES",
    "SEVERITY_EMOJI",
    "TEST_BANNER",
    "AlertView",
    "TemplateRenderer",
    "action_text",
    "alert_title",
    "alert_view",
    "digest_order",
    "format_date",
    "format_figure",
    "format_number",
    "format_pct",
    "format_signed",
    "link_for_receivers",
    "message_context",
    "most_severe",
    "one_line",
    "resolve_template_dir",
    "slack_escape",
    "summary_counts",
]

BUNDLED_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

TEST_BANNER = "TEST MESSAGE — reportwatch alerts test"


# -- the Jinja2 environment ---------------------------------------------------------------------
def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html", ".html.j2", ".htm.j2"))


def _json_default(value: object) -> object:
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


@lru_cache(maxsize=16)
def _environment(template_dir: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.FileSystemLoader(BUNDLED_TEMPLATE_DIR))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # tojson of an undefined value should say which one, not "not JSON serializable".
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": _json_default}
    env.filters.update(
        number=format_number,
        signed=format_signed,
        pct=format_pct,
        isodate=format_date,
        slack=slack_escape,
        one_line=one_line,
    )
    return env


class TemplateRenderer:
    """Renders the named templates, override folder first; errors become ConfigError."""

    def __init__(self, template_dir: Path | None = None) -> None:
        if template_dir is not None and not Path(template_dir).is_dir():
            raise ConfigError(
                f"template folder {template_dir} does not exist",
                hint="fix the channel's 'template:' in the series file",
            )
        self.template_dir = Path(template_dir).resolve() if template_dir is not None else None
        self._env = _environment(self.template_dir)

    def render(self, name: str, **context: Any) -> str:
        try:
            template = self._env.get_template(name)
            return template.render(**context)
        except jinja2.TemplateNotFound as exc:
            raise ConfigError(
                f"template {name} not found in {self._searched()}",
                hint="copy the bundled one from tasks/alerts/templates/ and edit it",
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"template {exc.filename or name} line {exc.lineno}: {exc.message}",
                hint="fix the template's Jinja2 syntax",
            ) from exc
        except jinja2.UndefinedError as exc:
            raise ConfigError(
                f"template {self.origin(name)}: {exc.message}",
                hint="see docs/alerts-messages.md for the variables templates receive",
            ) from exc
        except Exception as exc:
            # A template is code a series owner wrote (a filter fed an undefined value, a
            # division by zero...): whatever it raises is a configuration problem.
            raise ConfigError(
                f"template {self.origin(name)} failed: {type(exc).__name__}: {exc}",
                hint="see docs/alerts-messages.md for the variables templates receive",
            ) from exc

    def render_json(self, name: str, **context: Any) -> dict[str, Any]:
        text = self.render(name, **context)
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"template {self.origin(name)} did not produce JSON: {exc.msg} at line {exc.lineno}",
                hint="values must go through the 'tojson' filter",
            ) from exc
        if not isinstance(payload, dict):
            raise ConfigError(f"template {self.origin(name)} must produce a JSON object")
        return payload

    def origin(self, name: str) -> str:
        """The file a template name resolves to, for error messages."""
        if self.template_dir is not None and (self.template_dir / name).is_file():
            return str(self.template_dir / name)
        return str(BUNDLED_TEMPLATE_DIR / name)

    def _searched(self) -> str:
        folders = (
            [self.template_dir, BUNDLED_TEMPLATE_DIR]
            if self.template_dir
            else [BUNDLED_TEMPLATE_DIR]
        )
        return " and ".join(str(f) for f in folders)


def message_context(alerts: list[Alert], *, test: bool, digest: bool) -> dict[str, Any]:
    """The variables every template receives (documented in docs/alerts-messages.md).

    A digest lists its alerts in :func:`digest_order`, most severe and newest first.
    """
    views = [alert_view(a) for a in (digest_order(alerts) if digest else alerts)]
    return {
        "alerts": views,
        "alert": views[0] if views else None,
        "test": test,
        "test_banner": TEST_BANNER,
        "digest": digest,
        "total": len(views),
        "overflow": 0,
        "summary": summary_counts(alerts),
        "severity": most_severe(alerts),
        "series": sorted({a.series for a in alerts}),
    }


BUNDLED_TEMPLATE_NAMES = (
    "slack.json.j2",
    "slack_digest.json.j2",
    "email_subject.txt.j2",
    "email.txt.j2",
    "email.html.j2",
    "email_digest_subject.txt.j2",
    "email_digest.txt.j2",
    "email_digest.html.j2",
    "console.txt.j2",
    "console_digest.txt.j2",
)


def resolve_template_dir(template: str | Path | None, base_dir: Path | None = None) -> Path | None:
    """Turn a channel's ``template:`` setting into an override folder.

    ``template`` may name a folder of overrides, or one override file whose name is one of
    the bundled names (its folder is then searched). Relative paths are read from
    ``base_dir`` (the series file's folder).
    """
    if template is None:
        return None
    path = Path(template).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if path.is_dir():
        return path
    if path.is_file():
        if path.name not in BUNDLED_TEMPLATE_NAMES:
            raise ConfigError(
                f"template override {path} has an unknown name",
                hint=f"name it after the template it replaces: {', '.join(BUNDLED_TEMPLATE_NAMES)}",
            )
        return path.parent
    raise ConfigError(
        f"template override {path} does not exist", hint="fix the channel's 'template:' setting"
    )
