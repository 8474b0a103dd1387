"""Email: multipart/alternative (text and HTML) over SMTP, with STARTTLS or implicit TLS.

One email per alert, or one for all with ``digest``. Receivers can deduplicate: every email
carries ``X-Reportwatch-Alert-Key`` (one per alert) and a ``Message-ID`` derived from what the
message is (one alert, a run's, a day's or a week's digest) and the alert keys, so a resend
after a half-finished attempt has the same id and a weekly digest of mailed alerts does not. Test messages get a
fresh id each time, so two tests in a row are both shown.

Addresses (:mod:`tasks.alerts.notifiers.addresses`): the envelope carries bare addresses;
an internationalised domain is IDNA-encoded unless the server advertises SMTPUTF8, in which
case the message goes as UTF-8; display names are encoded in the headers.

SMTP errors are mapped here: connection refused, timeouts and 4xx replies are transient;
535 (login refused), 5xx refusals and TLS failures are terminal, each with a hint naming the
setting at fault (the address, the login, or TLS). Once the server accepted a message (250
after DATA) it is sent: a QUIT that fails afterwards is logged, never raised.
"""

from __future__ import annotations

import email.policy
import email.utils
import hashlib
import logging
import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from pydantic import SecretStr

from reportwatch.errors import ConfigError, NotifyError, TerminalNotifyError, TransientNotifyError
from reportwatch.models import Alert
from reportwatch.settings import Settings
from tasks.alerts.notifiers.addresses import (
    MailAddress,
    envelope_for,
    idna_domain,
    parse_address,
    parse_addresses,
)
from tasks.alerts.notifiers.render import TemplateRenderer, message_context, most_severe, one_line

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
_POLICY = email.policy.SMTP.clone(max_line_length=998)
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_AUTH_HINT = "check REPORTWATCH_SMTP_USERNAME and REPORTWATCH_SMTP_PASSWORD"
_NO_AUTH_HINT = (
    "unset REPORTWATCH_SMTP_USERNAME for a relay that needs no login, or set "
    "REPORTWATCH_SMTP_STARTTLS=true: many servers offer AUTH only after STARTTLS"
)
_ADDRESS_HINT = "check the addresses in REPORTWATCH_EMAIL_FROM and REPORTWATCH_EMAIL_TO"
_TLS_HINT = (
    "use REPORTWATCH_SMTP_SSL=true for port 465 and REPORTWATCH_SMTP_STARTTLS=true for 587; "
    "a private CA can be trusted with SSL_CERT_FILE"
)


def build_email_parts(
    alerts: list[Alert],
    *,
    digest: bool = False,
    test: bool = False,
    renderer: TemplateRenderer | None = None,
) -> tuple[str, str, str]:
    """Subject, text body and HTML body for one email."""
    renderer = renderer or TemplateRenderer()
    context = message_context(alerts, test=test, digest=digest)
    prefix = "email_digest" if digest else "email"
    subject = one_line(renderer.render(f"{prefix}_subject.txt.j2", **context))
    text = renderer.render(f"{prefix}.txt.j2", **context)
    html = renderer.render(f"{prefix}.html.j2", **context)
    return subject, text, html


def build_email_message(
    alerts: list[Alert],
    *,
    sender: str | MailAddress,
    recipients: Sequence[str | MailAddress],
    digest: bool = False,
    test: bool = False,
    renderer: TemplateRenderer | None = None,
    parts: tuple[str, str, str] | None = None,
    utf8: bool = False,
    occasion: str | None = None,
) -> EmailMessage:
    """One email; addresses as given (``Name <a@b>`` or bare), headers encoded by the policy.

    ``parts`` are the subject, text and HTML already rendered (:func:`build_email_parts`).
    ``utf8``: headers and bodies as raw UTF-8, for a server that advertised SMTPUTF8;
    otherwise the whole message is 7-bit (RFC 2047 headers, quoted-printable bodies), which any
    server takes. ``occasion`` (see :func:`message_id`) defaults to ``alert``, or ``digest``.
    """
    subject, text, html = parts or build_email_parts(
        alerts, digest=digest, test=test, renderer=renderer
    )
    author = sender if isinstance(sender, MailAddress) else parse_address(sender, "sender")
    readers = [
        r if isinstance(r, MailAddress) else parse_address(r, "recipients") for r in recipients
    ]
    # Long header values (alert keys) must not be folded: a folded key comes back with a
    # leading space on some parsers, which defeats deduplication. SMTP allows 998 per line.
    message = EmailMessage(policy=_POLICY.clone(utf8=utf8, cte_type="8bit" if utf8 else "7bit"))
    message["Subject"] = subject
    message["From"] = author.header()
    message["To"] = tuple(r.header() for r in readers)
    message["Date"] = email.utils.formatdate(usegmt=True)
    occasion = occasion or ("digest" if digest else "alert")
    message["Message-ID"] = message_id(
        alerts, idna_domain(author.domain), test=test, occasion=occasion
    )
    # RFC 3834: tells vacation responders not to answer.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Reportwatch-Severity"] = most_severe(alerts)
    for alert in alerts:
        message["X-Reportwatch-Alert-Key"] = alert.key
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def message_id(alerts: list[Alert], domain: str, *, test: bool, occasion: str) -> str:
    """``<hash.reportwatch@domain>``: the same message sent again has the same id, another
    message (another occasion) never does.

    Derived from ``occasion`` (``alert``; a digest's ``run``, ``day`` or the weekly
    ``digest <start> to <end>``) and the alert keys, so a resend after a half-finished attempt repeats the id
    (docs/runbook.md, "What a kill can and cannot do") while the weekly digest of alerts
    already mailed one by one, or in the run's digest, is a new message a mail client shows.
    A run or day digest is not tied to its run id or date: the ledger sends each alert in one
    such message per channel, and its resend may come from the next run, on the next day.
    Test messages get a fresh id each time.
    """
    domain = domain or "reportwatch.invalid"
    if test:
        return email.utils.make_msgid("reportwatch-test", domain=domain)
    material = "\n".join([occasion, *sorted(a.key for a in alerts)])
    digest = hashlib.sha256(material.encode()).hexdigest()
    return f"<{digest[:32]}.reportwatch@{domain}>"


def _reply_text(code: int | None, reply: bytes | str | None) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    text = " ".join((reply or "").split())[:200]
    return f"{code} {text}".strip() if code else text


def _by_code(code: int | None, message: str, *, hint: str | None = None) -> NotifyError:
    """SMTP's own classification: 4xx is temporary, 5xx permanent."""
    if code is not None and 500 <= code < 600:
        return TerminalNotifyError(message, hint=hint)
    return TransientNotifyError(message, hint=hint or "reportwatch retries on the next attempt")


def map_smtp_error(exc: BaseException, *, where: str) -> NotifyError:
    """Map smtplib, ssl and socket errors to transient or terminal."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        reply = _reply_text(exc.smtp_code, exc.smtp_error)
        return TerminalNotifyError(f"email: {where} refused the login ({reply})", hint=_AUTH_HINT)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = {addr: _reply_text(code, reply) for addr, (code, reply) in exc.recipients.items()}
        listed = "; ".join(f"{addr}: {reply}" for addr, reply in refused.items())
        codes = [code for code, _ in exc.recipients.values()]
        temporary = bool(codes) and all(400 <= code < 500 for code in codes)
        return _by_code(
            None if temporary else 550,
            f"email: {where} refused every recipient ({listed})",
            hint=None if temporary else "check REPORTWATCH_EMAIL_TO",
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        reply = _reply_text(exc.smtp_code, exc.smtp_error)
        return _by_code(
            exc.smtp_code,
            f"email: {where} refused the sender {exc.sender} ({reply})",
            hint="check REPORTWATCH_EMAIL_FROM" if exc.smtp_code >= 500 else None,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        text = str(exc)
        if "AUTH" in text.upper():
            return TerminalNotifyError(f"email: {where} offers no login (AUTH)", hint=_NO_AUTH_HINT)
        if "SMTPUTF8" in text.upper():
            return TerminalNotifyError(f"email: {where}: {text}", hint=_ADDRESS_HINT)
        if text.startswith("does not offer STARTTLS"):
            return TerminalNotifyError(f"email: {where} {text}")  # the remedy is in the text
        return TerminalNotifyError(f"email: {where}: {text}", hint=_TLS_HINT)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return TransientNotifyError(f"email: {where} closed the connection ({exc})")
    if isinstance(exc, smtplib.SMTPResponseException):
        # SMTPDataError, SMTPConnectError, SMTPHeloError and any reply code we did not expect.
        reply = _reply_text(exc.smtp_code, exc.smtp_error)
        return _by_code(exc.smtp_code, f"email: {where} answered {reply} ({name})")
    if isinstance(exc, smtplib.SMTPException):
        return TerminalNotifyError(f"email: {where}: {exc} ({name})", hint=_AUTH_HINT)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TerminalNotifyError(
            f"email: {where} presented a certificate we do not trust "
            f"({getattr(exc, 'verify_message', None) or exc})",
            hint=_TLS_HINT,
        )
    if isinstance(exc, ssl.SSLError):
        return TerminalNotifyError(f"email: TLS with {where} failed ({exc.reason})", hint=_TLS_HINT)
    if isinstance(exc, ConnectionRefusedError):
        return TransientNotifyError(
            f"email: {where} refused the connection",
            hint="is the mail server running? check REPORTWATCH_SMTP_HOST and REPORTWATCH_SMTP_PORT",
        )
    if isinstance(exc, TimeoutError):
        return TransientNotifyError(f"email: {where} timed out")
    if isinstance(exc, socket.gaierror):
        return TransientNotifyError(
            f"email: cannot resolve {where} ({exc.strerror})", hint="check REPORTWATCH_SMTP_HOST"
        )
    if isinstance(exc, OSError):
        return TransientNotifyError(f"email: connection to {where} failed ({exc})")
    return TerminalNotifyError(f"email: unexpected {name} talking to {where}: {exc}")


class EmailNotifier:
    """Sends alerts through one SMTP server."""

    channel = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        recipients: list[str],
        username: str | None = None,
        password: SecretStr | None = None,
        starttls: bool = True,
        use_ssl: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
        template_dir: Path | None = None,
    ) -> None:
        if not recipients:
            raise ConfigError("email channel needs REPORTWATCH_EMAIL_TO")
        encrypted = use_ssl or starttls
        if username and not encrypted and host not in _LOOPBACK_HOSTS:
            raise ConfigError(
                f"refusing to send the SMTP password to {host} unencrypted",
                hint="set REPORTWATCH_SMTP_STARTTLS=true or REPORTWATCH_SMTP_SSL=true",
            )
        self.host = host
        self.port = port
        self.sender = sender
        self.recipients = list(recipients)
        self._from = parse_address(sender, "REPORTWATCH_EMAIL_FROM")
        self._to = parse_addresses(self.recipients, "REPORTWATCH_EMAIL_TO")
        self._username = username
        self._password = password
        self._starttls = starttls and not use_ssl  # implicit TLS needs no upgrade
        self._use_ssl = use_ssl
        self._timeout = timeout
        self._ssl_context = ssl_context
        self._renderer = TemplateRenderer(template_dir)
        self._where = f"{host}:{port}"

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        template_dir: Path | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> EmailNotifier:
        missing = [
            name
            for name, value in (
                ("REPORTWATCH_SMTP_HOST", settings.smtp_host),
                ("REPORTWATCH_EMAIL_FROM", settings.email_from),
                ("REPORTWATCH_EMAIL_TO", settings.email_to),
            )
            if not value
        ]
        if settings.smtp_username and not settings.smtp_password:
            missing.append("REPORTWATCH_SMTP_PASSWORD")
        if missing:
            raise ConfigError(f"email channel needs {' and '.join(missing)}")
        assert settings.smtp_host is not None and settings.email_from is not None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.email_from,
            recipients=settings.email_to,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            use_ssl=settings.smtp_ssl,
            timeout=settings.read_timeout,
            ssl_context=ssl_context,
            template_dir=template_dir,
        )

    def __repr__(self) -> str:
        tls = "ssl" if self._use_ssl else "starttls" if self._starttls else "plain"
        user = f", user={self._username!r}" if self._username else ""
        return f"EmailNotifier({self._where}, {tls}, to={self.recipients!r}{user})"

    def send(
        self,
        alerts: list[Alert],
        *,
        digest: bool = False,
        test: bool = False,
        occasion: str | None = None,
    ) -> None:
        if not alerts:
            return
        batches = [alerts] if digest else [[a] for a in alerts]
        # Rendered before connecting: a broken template override fails without a session.
        rendered = [
            (batch, build_email_parts(batch, digest=digest, test=test, renderer=self._renderer))
            for batch in batches
        ]
        delivered = 0
        try:
            smtp = self._session()
            try:
                envelope = envelope_for(
                    self._from, self._to, smtputf8=smtp.has_extn("smtputf8"), where=self._where
                )
                options = ["SMTPUTF8"] if envelope.utf8 else []
                if envelope.utf8 and smtp.has_extn("8bitmime"):
                    options.append("BODY=8BITMIME")
                for batch, parts in rendered:
                    message = build_email_message(
                        batch, sender=envelope.sender, recipients=envelope.recipients,
                        test=test, parts=parts, utf8=envelope.utf8,
                        occasion=(occasion or "digest") if digest else "alert",
                    )  # fmt: skip
                    refused = smtp.sendmail(
                        envelope.mail_from, envelope.rcpt_to, message.as_bytes(),
                        mail_options=options,
                    )  # fmt: skip
                    delivered += 1
                    if refused:
                        # Some recipients got it: raising would resend to them on retry.
                        log.warning(
                            "email: %s refused some recipients: %s",
                            self._where,
                            "; ".join(
                                f"{addr}: {_reply_text(code, reply)}"
                                for addr, (code, reply) in refused.items()
                            ),
                        )
            except BaseException:
                smtp.close()
                raise
        except (smtplib.SMTPException, OSError) as exc:
            error = map_smtp_error(exc, where=self._where)
            if len(rendered) > 1:
                error.message = (
                    f"{error.message}; message {delivered + 1} of {len(rendered)}, "
                    f"{delivered} delivered before it"
                )
                error.args = (error.message,)
            raise error from exc
        self._quit(smtp)

    def _quit(self, smtp: smtplib.SMTP) -> None:
        """Say goodbye; every message was accepted (250 after DATA), so nothing here fails.

        The server owns the mail once it answered DATA: a QUIT refused (421) or cut off
        changes nothing for the recipients, and reporting it would resend every message.
        """
        try:
            code, reply = smtp.docmd("QUIT")
            if code != 221:
                log.warning(
                    "email: %s answered QUIT with %s after accepting the mail; counted as sent",
                    self._where,
                    _reply_text(code, reply),
                )
        except (smtplib.SMTPException, OSError) as exc:
            log.warning(
                "email: QUIT to %s failed after the mail was accepted (%s); counted as sent",
                self._where,
                type(exc).__name__,
            )
        finally:
            smtp.close()

    def _session(self) -> smtplib.SMTP:
        """A connected, encrypted (as configured) and logged-in SMTP session."""
        context = self._ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if self._use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self._timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self._timeout)
        try:
            smtp.ehlo()
            if self._starttls:
                if not smtp.has_extn("starttls"):
                    raise smtplib.SMTPNotSupportedError(
                        "does not offer STARTTLS (set REPORTWATCH_SMTP_STARTTLS=false only for a "
                        "trusted relay, or use its TLS port with REPORTWATCH_SMTP_SSL=true)"
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if self._username:
                password = self._password.get_secret_value() if self._password else ""
                smtp.login(self._username, password)
        except BaseException:
            smtp.close()
            raise
        return smtp
