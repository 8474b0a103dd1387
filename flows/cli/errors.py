"""The one error path of the command line: every expected failure is one line on stderr.

    error: <what is wrong> (<what to do>)

* A ReportwatchError (ours, from any layer) and an OSError (a path that cannot be read or
  written, a port in use) exit with code 1.
* A usage error (an unknown option, a bad date, ``--limit -5``) exits with code 2 and names the
  command's ``--help``; click's own usage block is not printed.
* Ctrl-C prints one line and exits with 130 (128 + SIGINT, as shells do); a stop signal
  (SIGTERM: ``systemctl stop``, ``timeout``, ``kill``) is handled the same way, exit 143.
* Anything else is a bug and keeps its traceback.

:class:`OneLineErrors` is the class of every command group, so ``CliRunner`` tests and the real
entry point take the same path (the model is typer's ``docs_src/terminating``: expected failures
are a message and ``typer.Exit(code=1)``).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer._click.exceptions import NoArgsIsHelpError  # typer vendors click (0.29)
from typer.core import TyperGroup

from reportwatch import interrupt
from reportwatch.errors import ReportwatchError

USAGE = 2
INTERRUPTED = 130


def say(line: str) -> None:
    """One line on stderr, nothing interpreted (and nothing raised if the terminal is gone)."""
    try:
        sys.stderr.write(" ".join(line.split()) + "\n")
        sys.stderr.flush()
    except OSError:
        pass


def fail(message: str, hint: str | None = None) -> NoReturn:
    say(f"error: {message}" + (f" ({hint})" if hint else ""))
    raise typer.Exit(code=1)


def os_error_line(exc: OSError) -> str:
    """``cannot write /no/such/dir/x.csv: No such file or directory (...)``."""
    name = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    return f"{reason}:{name}" if name else reason


def writable(path: Path, *, create: bool = False, option: str = "--out") -> Path:
    """Refuse now, in one line, an output file that cannot be written (before any work).

    With ``create``, a missing folder is created (``chart`` and ``report`` always did);
    without it, a missing folder is an error (a typo should not scatter folders about).
    """
    folder = path.parent
    if path.is_dir():
        fail(f"{path} is a folder", f"give {option} a file name")
    if create and not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"cannot create the folder {folder}: {exc.strerror or exc}",
                 f"choose another {option}")  # fmt: skip
    if not folder.exists():
        fail(f"cannot write {path}: the folder {folder} does not exist",
             f"create it first or choose another {option}")  # fmt: skip
    if not folder.is_dir():
        fail(f"cannot write {path}: {folder} is not a folder", f"choose another {option}")
    return path


@contextmanager
def stop_signal_interrupts() -> Iterator[None]:
    """SIGTERM interrupts a command as Ctrl-C does (in the main thread; elsewhere, untouched)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, frame: Any) -> None:
        interrupt.request(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class OneLineErrors(TyperGroup):
    """Catches expected failures once, at the edge (see the module docstring)."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context is private
        interrupt.clear()  # a new command: an earlier one's interruption is over
        with stop_signal_interrupts():
            return self._invoke(ctx)

    def _invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ReportwatchError as exc:
            say(f"error: {exc.one_line()}")
            raise typer.Exit(code=1) from None
        except OSError as exc:
            say(f"error: {os_error_line(exc)} (check the path and its permissions)")
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            say(f"interrupted ({interrupt.reason()})")
            raise typer.Exit(code=interrupt.exit_code()) from None

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:  # `reportwatch` alone: the help, not an error
            sys.stdout.write(exc.format_message() + "\n")
            result = 0
        except typer.TyperException as exc:  # click's usage errors, vendored by typer
            message = exc.format_message().replace("Value error, ", "").rstrip(".")
            message = message[:1].lower() + message[1:]
            ctx = getattr(exc, "ctx", None)
            if exc.exit_code == USAGE:
                message += f" (see `{ctx.command_path if ctx else 'reportwatch'} --help`)"
            say(f"error: {message}")
            result = exc.exit_code
        except typer.Abort:
            say("interrupted")
            result = INTERRUPTED
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def command_group(help: str, name: str | None = None) -> typer.Typer:
    """A command group: one-line errors, plain help (no markup read in it), no completion."""
    return typer.Typer(
        cls=OneLineErrors,
        name=name,
        help=help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"max_content_width": 120},
    )
