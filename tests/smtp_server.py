"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd in a thread) that keeps what it got.

``LoopbackSMTP()`` is plain SMTP; ``users=`` adds AUTH (login success and 535 refusals),
``starttls=`` a server TLS context offered through STARTTLS, ``implicit_tls=`` one used from
the first byte (port-465 style), ``smtputf8=True`` advertises SMTPUTF8 (RFC 6531; off by
default, as on many relays, so the server refuses non-ASCII in commands). ``self_signed_certificate`` makes the certificate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
from collections.abc import Awaitable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    tls: bool
    authenticated_as: str | None
    mail_options: list[str] = field(default_factory=list)

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def part(self, content_type: str) -> str:
        body = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert body is not None and body.get_content_type() == content_type, content_type
        content = body.get_content()
        assert isinstance(content, str)
        return content


@dataclass
class _Handler:
    mail: list[ReceivedMail] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    refuse_rcpt: str | None = None  # e.g. "550 5.1.1 no such user"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        user = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            user = session.auth_data.login.decode()
        content = envelope.original_content or b""
        self.mail.append(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                raw=content,
                tls=session.ssl is not None,
                authenticated_as=user,
                mail_options=list(envelope.mail_options),
            )
        )
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        ok = self.users.get(login) == password
        self.logins.append((login, ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


class _PreboundController(Controller):
    """Listens on a socket bound before start, so port 0 (any free port) works without races."""

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1], **kwargs)
        self._sock = sock

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class LoopbackSMTP:
    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        refuse_rcpt: str | None = None,
        smtputf8: bool = False,
    ) -> None:
        self.handler = _Handler(users=dict(users or {}), refuse_rcpt=refuse_rcpt)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port: int = sock.getsockname()[1]
        kwargs: dict[str, Any] = {
            # A fixed name: the default asks DNS for this machine's name.
            "server_hostname": "mail.reportwatch.test",
            "ssl_context": implicit_tls,
            "enable_SMTPUTF8": smtputf8,
        }
        if users is not None:
            # Offered without TLS (auth_require_tls=False) so login can be tested over plain
            # SMTP; not *required* (auth_required=False) because aiosmtpd warns about that.
            kwargs.update(authenticator=self.handler.authenticate, auth_require_tls=False)
        if starttls is not None:
            kwargs.update(tls_context=starttls, require_starttls=True)
        self._controller = _PreboundController(self.handler, sock, **kwargs)

    @property
    def mail(self) -> list[ReceivedMail]:
        return self.handler.mail

    @property
    def logins(self) -> list[tuple[str, bool]]:
        return self.handler.logins

    def __enter__(self) -> LoopbackSMTP:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, written to ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reportwatch test mail server")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def client_tls_context(cert_path: Path) -> ssl.SSLContext:
    """A client context that trusts only the test certificate (hostname still checked)."""
    return ssl.create_default_context(cafile=str(cert_path))
