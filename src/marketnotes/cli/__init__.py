"""The `marketnotes` command line. One handler turns every typed error into one line and an exit code.

`common` holds the apps and shared options; `inspect` the commands that look (data, params,
facts, templates check); `notes` those that make, send, check and archive notes; `events`
those that refresh and show the CPI and FOMC calendars.
"""

from __future__ import annotations

import atexit
import gc
import logging
import signal
import sys
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from marketnotes.runtime import lean_imports  # noqa: F401,I001  (first: declines optional packages nbformat would import)
from marketnotes import __version__, stopping
from marketnotes.cli import events, init, inspect, notes  # noqa: F401  (their commands register on the app)
from marketnotes.cli.common import app, err, out
from marketnotes.errors import MarketNotesError, full_disk


def main() -> None:
    """Entry point: run the app; map expected failures to one line and an exit code.

    The app runs with standalone_mode=False so that Click's usage errors (a bad option
    value, a missing argument, an unknown command) reach this handler too and are one
    `error:` line with exit 2 like every other bad input, not Typer's framed usage box.
    """
    # The last exit handler to run (every other one, temporary folders included, has run by
    # then): the interpreter's teardown skips its full garbage collections over the heap
    # (~0.1 s each with pandas, papermill and nbconvert loaded: ~0.3 s at the end of every
    # render). Objects are still freed as their references go; only cyclic garbage is left
    # to the operating system, which takes back the whole process a moment later anyway.
    atexit.register(gc.freeze)
    # nbclient logs through papermill's logger ("Kernel died while waiting for execute
    # reply."), above the one line our handler prints for the same failure.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    stopping.install()
    try:
        code = app(standalone_mode=False)
    except MarketNotesError as exc:
        _fail(str(exc), exc.exit_code)
    except _ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.exit(2)  # Typer printed the help while building this error; it is the whole answer
        _fail(_usage_line(exc), exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except OSError as exc:
        # A full disk, a quota or a read-only mount met outside a note's transaction (the
        # batch summary, note.eml, the archive page): the folder it names, in one line.
        unwritable = full_disk(exc)
        if unwritable is None:
            raise
        _fail(str(unwritable), unwritable.exit_code)
    except (KeyboardInterrupt, SystemExit) as exc:
        _stop(stopping.reason(exc), exc)
    _stop(stopping.asked(code), None)
    sys.exit(code or 0)


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True)
    sys.exit(code)


def _stop(stop: tuple[str, int] | None, exc: BaseException | None) -> None:
    """A run stopped by a signal: say so, and only that. Ctrl-C also reached Playwright's
    driver (same process group), and asyncio would log its closed connection at exit."""
    if stop is None:
        if exc is not None:
            raise exc
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the exit
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    err.print(stop[0])
    sys.exit(stop[1])


# Click's exception classes as the installed Typer raises them: Typer 0.12 raises click's own,
# newer Typers a copy of click inside typer; `typer.BadParameter` is one of them either way.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def _usage_line(exc: Exception) -> str:
    """Click's message on one line (`No such command 'x'. Did you mean …`), lower-cased like
    our own errors, and where to read the command's usage."""
    message = " ".join(exc.format_message().split()).removesuffix(".")
    message = message[:1].lower() + message[1:] if message[1:2].islower() else message
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, _UsageError) and ctx is not None:
        message += f" (see `{ctx.command_path} --help`)"
    return message


def _print_version(value: bool) -> None:
    if value:
        out.print(f"marketnotes {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="print the version", callback=_print_version, is_eager=True)] = False,
) -> None:
    """Weekly market notes from Jupyter templates."""


# --- data ---------------------------------------------------------------------------------


if __name__ == "__main__":  # pragma: no cover
    main()
