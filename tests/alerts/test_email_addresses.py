"""Email as real mail setups take it: bare envelopes, IDNA domains, encoded display names, and
errors that name the real cause. Against aiosmtpd on 127.0.0.1, with and without SMTPUTF8."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest

from reportwatch.errors import ConfigError, TerminalNotifyError
from reportwatch.settings import Settings, load_settings
from tasks.alerts.channels import build_notifier
from tasks.alerts.examples import sample_alert
from tests.smtp_server import LoopbackSMTP


def settings(port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "email_from": "Reportwatch Alerts <alerts@example.org>",
        "email_to": ["ops@example.org"],
        **overrides,
    }
    return Settings(**values)


def raw_header(raw: bytes, name: str) -> str:
    """A header exactly as it crossed the wire (unfolded), before any decoding."""
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    value = parsed[name]
    assert value is not None, name
    return " ".join(str(value).split())


def test_the_envelope_carries_bare_addresses_and_the_headers_keep_the_names() -> None:
    to = ["Duty Officer <duty@example.org>", '"Doe, Jane" <jane@example.org>']
    with LoopbackSMTP() as server:
        build_notifier("email", settings(server.port, email_to=to)).send([sample_alert()])
    [mail] = server.mail
    assert mail.mail_from == "alerts@example.org"
    assert mail.rcpt_tos == ["duty@example.org", "jane@example.org"]
    assert raw_header(mail.raw, "From") == "Reportwatch Alerts <alerts@example.org>"
    assert raw_header(mail.raw, "To") == (
        'Duty Officer <duty@example.org>, "Doe, Jane" <jane@example.org>'
    )
    assert "SMTPUTF8" not in mail.mail_options


def test_a_quoted_comma_in_the_recipients_setting_is_not_a_separator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPORTWATCH_EMAIL_TO", '"Doe, Jane" <jane@example.org>, ops@example.org')
    assert load_settings().email_to == ['"Doe, Jane" <jane@example.org>', "ops@example.org"]


def test_an_internationalised_domain_is_idna_encoded_for_a_server_without_smtputf8() -> None:
    to = ["Ops <ops@bücher.example>"]
    with LoopbackSMTP(smtputf8=False) as server:
        build_notifier("email", settings(server.port, email_to=to)).send([sample_alert()])
    [mail] = server.mail
    assert mail.rcpt_tos == ["ops@xn--bcher-kva.example"]
    assert raw_header(mail.raw, "To") == "Ops <ops@xn--bcher-kva.example>"
    assert mail.raw.isascii()
    assert "SMTPUTF8" not in mail.mail_options


def test_a_non_ascii_display_name_is_encoded_and_reads_back_whole() -> None:
    with LoopbackSMTP(smtputf8=False) as server:
        notifier = build_notifier(
            "email",
            settings(
                server.port,
                email_from="Zoë Müller <alerts@example.org>",
                email_to=["Équipe de veille <ops@example.org>"],
            ),
        )
        notifier.send([sample_alert()])
    [mail] = server.mail
    assert mail.mail_from == "alerts@example.org"
    assert mail.rcpt_tos == ["ops@example.org"]
    assert raw_header(mail.raw, "From") == "=?utf-8?q?Zo=C3=AB_M=C3=BCller?= <alerts@example.org>"
    assert mail.raw.isascii()
    assert mail.message["From"].addresses[0].display_name == "Zoë Müller"
    assert mail.message["To"].addresses[0].display_name == "Équipe de veille"


def test_a_server_with_smtputf8_gets_the_addresses_as_written() -> None:
    to = ["Jürgen <jürgen@bücher.example>"]
    with LoopbackSMTP(smtputf8=True) as server:
        build_notifier("email", settings(server.port, email_to=to)).send([sample_alert()])
    [mail] = server.mail
    assert mail.rcpt_tos == ["jürgen@bücher.example"]
    assert "SMTPUTF8" in mail.mail_options
    assert "To: Jürgen <jürgen@bücher.example>\r\n".encode() in mail.raw
    utf8 = email.message_from_string(mail.raw.decode("utf-8"), policy=email.policy.default)
    assert utf8["To"].addresses[0].display_name == "Jürgen"


def test_a_non_ascii_local_part_without_smtputf8_names_the_address_not_tls() -> None:
    to = ["ops@example.org", "jürgen@example.org"]
    with LoopbackSMTP(smtputf8=False) as server:
        notifier = build_notifier("email", settings(server.port, email_to=to))
        with pytest.raises(TerminalNotifyError) as caught:
            notifier.send([sample_alert()])
    assert server.mail == []
    assert caught.value.one_line() == (
        f"email: 127.0.0.1:{server.port} does not offer SMTPUTF8, which 'jürgen@example.org' "
        "(REPORTWATCH_EMAIL_TO) needs: its part before the @ is not ASCII (use an ASCII address "
        "in REPORTWATCH_EMAIL_TO, or a mail server that offers SMTPUTF8)"
    )


def test_a_server_without_login_says_so_instead_of_blaming_tls() -> None:
    with LoopbackSMTP() as server:  # no AUTH offered
        notifier = build_notifier(
            "email", settings(server.port, smtp_username="alerts", smtp_password="pw")
        )
        with pytest.raises(TerminalNotifyError) as caught:
            notifier.send([sample_alert()])
    assert server.mail == []
    assert caught.value.message == f"email: 127.0.0.1:{server.port} offers no login (AUTH)"
    assert caught.value.hint is not None and "REPORTWATCH_SMTP_USERNAME" in caught.value.hint


@pytest.mark.parametrize(
    ("field", "value", "setting"),
    [
        ("email_from", "Reportwatch Alerts", "REPORTWATCH_EMAIL_FROM"),
        ("email_to", ["ops@example.org", "duty officer"], "REPORTWATCH_EMAIL_TO"),
        ("email_to", ["ops@bad..domain"], "REPORTWATCH_EMAIL_TO"),
    ],
)
def test_an_address_that_is_not_one_is_refused_by_name(
    field: str, value: Any, setting: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        build_notifier("email", settings(25, **{field: value}))
    assert setting in caught.value.message
