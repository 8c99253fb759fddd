"""The `marketnotes` command line. One handler turns every typed error into one line and an exit code.

`common` holds the apps and shared options; `inspect` the commands that look (data, params,
facts, templates check); `notes` those that make, send, check and archive notes; `events`
those that refresh and show the CPI and FOMC calendars.
"""

from __future__ import annotations

import logging
import signal
import sys
from typing import Annotated

import typer
from rich.markup import escape

from marketnotes import __version__, stopping
from marketnotes.cli import events, init, inspect, notes  # noqa: F401  (their commands register on the app)
from marketnotes.cli.common import app, err, out
from marketnotes.errors import MarketNotesError

def _decline_slow_optional_imports() -> None:
    """jsonschema (imported by nbformat) loads `rfc3987_syntax` when it is installed, as it is
    beside JupyterLab, and that module builds a parser on import: ~1 s for every marketnotes
    process. It only serves the "iri" string format, which the notebook schema never uses, so
    marketnotes' own process declines it (jsonschema treats it as not installed). Kernels and
    Jupyter itself are untouched."""
    sys.modules.setdefault("rfc3987_syntax", None)


def main() -> None:
    """Entry point: run the app; map expected failures to one line and an exit code."""
    _decline_slow_optional_imports()
    # nbclient logs through papermill's logger ("Kernel died while waiting for execute
    # reply."), above the one line our handler prints for the same failure.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    stopping.install()
    try:
        app()
    except MarketNotesError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, SystemExit) as exc:
        # Ctrl-C also reached Playwright's driver (same process group), and asyncio would log
        # its closed connection at exit. The user asked us to stop: say so, and only that.
        stop = stopping.reason(exc)
        if stop is None:
            raise
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the exit
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        err.print(stop[0])
        sys.exit(stop[1])


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
