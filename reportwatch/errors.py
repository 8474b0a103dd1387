"""One exception tree for reportwatch.

Every error we raise on purpose derives from :class:`ReportwatchError` and says whether it is
*transient* (retrying later may help: a timeout, a 503, a locked database) or *terminal*
(retrying cannot help: a 404, an encrypted PDF, a missing setting). Prefect retries only
transient errors (see ``tasks.retry.retry_transient``).

Third-party errors (``httpx.*``, ``duckdb.*``, ``pdfminer.*``) are mapped to this tree at the
boundary that calls the library (``raise ... from exc``); nothing above that boundary catches them.

    ReportwatchError                      base; .transient, .hint
    ├── ConfigError                       a setting is missing or invalid (terminal)
    ├── SeriesError                       a series file is missing or invalid (terminal)
    ├── FetchError                        a network fetch failed
    │   ├── TransientFetchError           timeout, connection reset, 429, 5xx (transient)
    │   ├── NotFoundError                 404 / 410 (terminal)
    │   ├── AccessDeniedError             401 / 403, WAF challenge (terminal: needs a key or approval)
    │   ├── DisallowedHostError           redirect or URL to a host outside the allowlist (terminal)
    │   ├── TooLargeError                 body larger than the byte cap (terminal)
    │   └── NotPublishedError             empty or non-PDF body: not published yet (transient)
    ├── SourceError                       a source answered with something we cannot read (terminal)
    ├── ExtractError                      a file is not a readable report PDF (terminal)
    │   ├── NotAPdfError                  empty, HTML, truncated
    │   ├── EncryptedPdfError             password protected
    │   ├── NeedsOcrError                 no text layer
    │   └── PdfTooLargeError              over the page or byte cap
    ├── NormalizeError                    required facts missing (terminal: the document is quarantined)
    ├── WarehouseError                    DuckDB failed
    │   ├── WarehouseLockedError          another process holds the file (transient)
    │   ├── LeaseHeldError                a live run holds the series' lease (transient)
    │   ├── LeaseLostError                another run took this run's lease over (terminal)
    │   └── MigrationError                a migration failed or was edited after it ran (terminal)
    └── NotifyError                       a channel did not accept a message
        ├── TransientNotifyError          429 / 5xx / connection refused (transient)
        └── TerminalNotifyError           bad webhook, auth refused (terminal)
"""

from __future__ import annotations


class ReportwatchError(Exception):
    """Base of every error reportwatch raises on purpose.

    ``hint`` is one sentence telling the user what to do; the CLI prints
    ``error: <message> (<hint>)`` on one line.
    """

    transient: bool = False

    def __init__(self, message: str, *, hint: str | None = None, transient: bool | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if transient is not None:
            self.transient = transient

    def one_line(self) -> str:
        text = " ".join(self.message.split())
        if self.hint:
            text = f"{text} ({self.hint})"
        return text

    @property
    def kind(self) -> str:
        return "transient" if self.transient else "terminal"


class ConfigError(ReportwatchError):
    """A setting is missing or invalid."""


class SeriesError(ReportwatchError):
    """A series definition is missing or invalid."""


class FetchError(ReportwatchError):
    """A network fetch failed."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        attempts: int = 1,
        hint: str | None = None,
        transient: bool | None = None,
    ):
        super().__init__(message, hint=hint, transient=transient)
        self.url = url
        self.status = status
        self.attempts = attempts


class TransientFetchError(FetchError):
    transient = True


class NotFoundError(FetchError):
    pass


class AccessDeniedError(FetchError):
    pass


class DisallowedHostError(FetchError):
    pass


class TooLargeError(FetchError):
    pass


class NotPublishedError(FetchError):
    transient = True


class SourceError(ReportwatchError):
    """A source answered with something we cannot read."""


class ExtractError(ReportwatchError):
    """A file is not a readable report PDF."""


class NotAPdfError(ExtractError):
    pass


class EncryptedPdfError(ExtractError):
    pass


class NeedsOcrError(ExtractError):
    pass


class PdfTooLargeError(ExtractError):
    pass


class NormalizeError(ReportwatchError):
    """Required facts could not be found; the document is quarantined."""


class WarehouseError(ReportwatchError):
    """DuckDB failed."""


class WarehouseLockedError(WarehouseError):
    transient = True


class LeaseHeldError(WarehouseError):
    """Another live run of the series holds its lease (warehouse/leases.py)."""

    transient = True


class LeaseLostError(WarehouseError):
    """This run was taken for dead and its lease taken over: it must stop writing."""


class MigrationError(WarehouseError):
    pass


class NotifyError(ReportwatchError):
    """A channel did not accept a message."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        hint: str | None = None,
        transient: bool | None = None,
    ):
        super().__init__(message, hint=hint, transient=transient)
        self.retry_after = retry_after


class TransientNotifyError(NotifyError):
    transient = True


class TerminalNotifyError(NotifyError):
    pass


def is_transient(exc: BaseException) -> bool:
    """True when retrying ``exc`` later may help."""
    return isinstance(exc, ReportwatchError) and exc.transient
