"""Email addresses the way mail servers take them.

* The **envelope** (``MAIL FROM``, ``RCPT TO``; RFC 5321 section 4.1.2) carries the bare
  address: ``alerts@example.org``, never ``Alerts <alerts@example.org>``. Settings may be
  written either way; :func:`parse_address` reads both with :func:`email.utils.parseaddr`.
* **Non-ASCII addresses** travel as they are only when the server advertises SMTPUTF8
  (RFC 6531). Otherwise an internationalised domain is written in its ASCII form (IDNA,
  RFC 5891, by the ``idna`` package with UTS #46 mapping: ``bücher.example`` becomes
  ``xn--bcher-kva.example``), in the envelope and in the headers alike; a non-ASCII *local
  part* has no ASCII form, so that message cannot go through that server, and the error says
  which address and why (:func:`envelope_for`).
* **Display names** stay in the headers, encoded by the email package (RFC 2047 encoded words
  when the message must be ASCII).
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass, replace
from email.headerregistry import Address

import idna

from reportwatch.errors import ConfigError, TerminalNotifyError

_ADDRESS_HINT = "write it as name@example.org or Name <name@example.org>"


@dataclass(frozen=True)
class MailAddress:
    """One address from the settings: display name, local part, domain (as written)."""

    display_name: str
    local: str
    domain: str
    setting: str

    @property
    def addr_spec(self) -> str:
        return f"{self.local}@{self.domain}"

    @property
    def is_ascii(self) -> bool:
        return self.addr_spec.isascii()

    def in_ascii(self) -> MailAddress | None:
        """The same address with its domain in IDNA form; None when the local part is not ASCII."""
        if not self.local.isascii():
            return None
        return replace(self, domain=idna_domain(self.domain, self.setting))

    def header(self) -> Address:
        return Address(display_name=self.display_name, username=self.local, domain=self.domain)

    def __str__(self) -> str:
        return self.addr_spec


def idna_domain(domain: str, setting: str = "the address") -> str:
    """``bücher.example`` → ``xn--bcher-kva.example``; ASCII domains are checked and lower-cased."""
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ConfigError(
            f"{setting}: the domain {domain!r} is not a valid internationalised domain ({exc})",
            hint=_ADDRESS_HINT,
        ) from exc


def parse_address(text: str, setting: str) -> MailAddress:
    """Read ``name@example.org`` or ``Name <name@example.org>``; ConfigError naming ``setting``."""
    name, addr = email.utils.parseaddr(text)
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in addr) or "@" in local:
        raise ConfigError(
            f"{setting} holds {text!r}, which is not an email address", hint=_ADDRESS_HINT
        )
    address = MailAddress(display_name=name.strip(), local=local, domain=domain, setting=setting)
    idna_domain(domain, setting)  # refuse an impossible domain now, not at the first alert
    return address


def parse_addresses(texts: list[str], setting: str) -> list[MailAddress]:
    return [parse_address(text, setting) for text in texts]


@dataclass(frozen=True)
class Envelope:
    """What one SMTP session sends: bare addresses, and whether the message is UTF-8."""

    sender: MailAddress
    recipients: list[MailAddress]
    utf8: bool

    @property
    def mail_from(self) -> str:
        return self.sender.addr_spec

    @property
    def rcpt_to(self) -> list[str]:
        return [r.addr_spec for r in self.recipients]


def envelope_for(
    sender: MailAddress, recipients: list[MailAddress], *, smtputf8: bool, where: str
) -> Envelope:
    """The envelope for a server that does (``smtputf8``) or does not advertise SMTPUTF8.

    Raises :class:`TerminalNotifyError` naming the address when one needs SMTPUTF8 and the
    server lacks it: retrying cannot help until the address or the server changes.
    """
    everyone = [sender, *recipients]
    if smtputf8 and not all(a.is_ascii for a in everyone):
        return Envelope(sender, list(recipients), utf8=True)
    converted: list[MailAddress] = []
    for address in everyone:
        ascii_form = address.in_ascii()
        if ascii_form is None:
            raise TerminalNotifyError(
                f"email: {where} does not offer SMTPUTF8, which {address.addr_spec!r} "
                f"({address.setting}) needs: its part before the @ is not ASCII",
                hint=f"use an ASCII address in {address.setting}, or a mail server that "
                "offers SMTPUTF8",
            )
        converted.append(ascii_form)
    return Envelope(converted[0], converted[1:], utf8=False)
