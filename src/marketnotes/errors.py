"""Typed errors for every failure a user can cause or meet.

Each class carries the context a user needs to fix the problem (the symbol, the file, the
date, the cell) and knows its own one-line message and exit code. The CLI has a single
handler that maps any `MarketNotesError` to that line and code, so no stage ever has to
print or exit by itself, and no traceback reaches the terminal for an expected failure.

Exit codes: 2 bad input (params, dates, symbols, files, an unwritable output folder), 3 data
problems, 4 template or rendering failures (a note over its time limit too), 5 delivery
failures, 6 missing system dependency (Chromium), 7 the note is being rendered by another run,
130 interrupted (SIGINT), 143 terminated (SIGTERM).

`transient` marks failures that may pass on a second try (a network error, a kernel or browser
that failed to start or crashed): `batch --retries` retries those and never the others.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


class MarketNotesError(Exception):
    """Base of every expected failure; `str(err)` is the one-line message shown to the user."""

    exit_code = 1
    transient = False

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def _render_traceback_(self) -> list[str]:
        """What IPython shows when this error ends a cell (IPython's `_render_traceback_`
        protocol): in JupyterLab, and as the `traceback` of the cell's error output that
        papermill reports, the one documented line (`SayCheckFailed: unsourced number …`),
        not a traceback through marketnotes' own code. The cell is the one it is shown under."""
        return [f"{type(self).__name__}: {self}"]

    def __reduce__(self):
        """Pickle by state, not by constructor arguments (each subclass has its own), so an
        error crosses process boundaries whole: from a shared printer or a Dask worker."""
        return _rebuild, (type(self), self.__dict__.copy())


def _rebuild(cls: type[MarketNotesError], state: dict) -> MarketNotesError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


# --- parameters and dates -------------------------------------------------------------


class ParamsError(MarketNotesError):
    """A params file or override that the params model refuses; lists every bad field."""

    exit_code = 2

    def __init__(self, source: str | Path, problems: list[str]):
        self.source = str(source)
        self.problems = problems
        super().__init__(f"{self.source}: " + "; ".join(problems))


class OutputNotWritable(MarketNotesError):
    """The reports folder (or a note's folder in it) cannot be created or written: no
    permission, or a full disk, a quota or a read-only mount (`full_disk`) met while writing."""

    exit_code = 2

    def __init__(self, folder: str | Path, reason: str = "permission denied", hint: str = "choose another --output-dir or fix its permissions", os_errno: int | None = None):
        self.folder, self.reason, self.hint, self.os_errno = str(folder), reason, hint, os_errno
        super().__init__(f"cannot write notes to {self.folder}: {reason.lower()}; {hint}")

    @property
    def disk_full(self) -> bool:
        """The filesystem itself refused (full, over quota, read-only): no note fits there."""
        return self.os_errno in FULL_DISK


# A write that fails for lack of room (or of a writable mount) is the output's fault, not a
# bug: said as one line naming the folder, with what the user can do about it.
FULL_DISK = {
    errno.ENOSPC: ("no space left on device", "free some space there or choose another --output-dir"),
    errno.EDQUOT: ("disk quota exceeded", "free some space there or choose another --output-dir"),
    errno.EROFS: ("read-only file system", "choose another --output-dir"),
}


def full_disk(exc: BaseException, folder: str | Path | None = None) -> OutputNotWritable | None:
    """The `OutputNotWritable` that `exc` means if it is an OSError for a full disk, a quota
    or a read-only mount, else None (the caller re-raises it). `folder` is the folder to name;
    without it, the folder of the file the error names (atomic writes always name theirs)."""
    if not isinstance(exc, OSError) or exc.errno not in FULL_DISK:
        return None
    if folder is None:
        if not exc.filename:
            return None
        folder = Path(os.fsdecode(exc.filename)).parent
    return OutputNotWritable(folder, *FULL_DISK[exc.errno], os_errno=exc.errno)


class NoteBusy(MarketNotesError):
    """Another marketnotes run holds this note's lock: two runs must not render one folder."""

    exit_code = 7

    def __init__(self, folder: str | Path, holder: str = ""):
        self.folder, self.holder = str(folder), holder
        who = f" (pid {holder})" if holder.isdigit() else ""
        super().__init__(f"{self.folder} is being rendered by another marketnotes run{who}; try again when it has finished")


class ArchiveError(MarketNotesError):
    """`marketnotes archive` cannot do what was asked: a reports folder that is missing or is
    a note folder, a retention rule it cannot read (`--older-than 1x`, `--keep 0`, both at
    once), or a folder it cannot write or prune. `subject` names what the user typed."""

    exit_code = 2

    def __init__(self, subject: str | Path, reason: str):
        self.subject, self.reason = str(subject), reason
        super().__init__(f"{self.subject}: {reason}")


class AsOfError(MarketNotesError):
    """An as-of date that cannot be resolved to a trading session of the loaded data."""

    exit_code = 2

    def __init__(self, requested: object, reason: str):
        self.requested = requested
        self.reason = reason
        super().__init__(f"as-of {requested}: {reason}")


# --- data -----------------------------------------------------------------------------


class DataError(MarketNotesError):
    exit_code = 3


class UnknownSymbol(DataError):
    """The source has no data at all for this symbol (typo, delisted, not in the bundle)."""

    def __init__(self, symbol: str, source: str, hint: str = ""):
        self.symbol = symbol
        self.source = source
        msg = f"unknown symbol {symbol!r} for source {source!r}"
        super().__init__(msg + (f": {hint}" if hint else ""))


class UnknownSource(DataError):
    def __init__(self, name: str, known: list[str]):
        self.name = name
        super().__init__(f"unknown data source {name!r}; known sources: {', '.join(known)}")


class CorruptData(DataError):
    """A price file that cannot be parsed or whose rows break an invariant."""

    def __init__(self, symbol: str, path: str | Path | None, problem: str, date: object = None):
        self.symbol = symbol
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.date = date
        where = f" in {self.path}" if self.path else ""
        when = f" at {date}" if date is not None else ""
        super().__init__(f"{symbol}{where}: {problem}{when}")


class EmptyData(DataError):
    """A symbol that exists but has no rows in the requested range."""

    def __init__(self, symbol: str, start: object, end: object, available: str = ""):
        self.symbol = symbol
        self.start, self.end = start, end
        extra = f" (available: {available})" if available else ""
        super().__init__(f"{symbol}: no prices between {start} and {end}{extra}")


class CacheMiss(DataError):
    """`--offline` asked for sessions the local cache does not hold."""

    def __init__(self, symbol: str, missing: str, cache_path: str | Path):
        self.symbol = symbol
        self.missing = missing
        self.cache_path = str(cache_path)
        super().__init__(
            f"{symbol}: offline, and the cache ({self.cache_path}) lacks {missing}; "
            "run `marketnotes data update` with network access first"
        )


class SourceUnavailable(DataError):
    """The live source failed after retries (rate limit, network)."""

    transient = True

    def __init__(self, symbol: str, source: str, reason: str):
        self.symbol, self.source, self.reason = symbol, source, reason
        super().__init__(f"{source} could not deliver {symbol}: {reason}")


class UnknownSeries(DataError):
    """An economic series (params `macro`) the macro source does not have: a mistyped FRED
    id, a file or column missing from a user's CSV, a series the bundled sample lacks."""

    def __init__(self, series: str, source: str, hint: str = ""):
        self.series, self.source, self.hint = series, source, hint
        super().__init__(f"unknown series {series!r} for macro source {source!r}" + (f": {hint}" if hint else ""))


class SeriesCacheMiss(DataError):
    """`--offline` needed an economic series (or a month of it) the local cache does not hold."""

    def __init__(self, series: str, missing: str, cache_path: str | Path):
        self.series, self.missing, self.cache_path = series, missing, str(cache_path)
        super().__init__(
            f"{series}: offline, and the cache ({self.cache_path}) lacks {missing}; "
            "render once with network access first, or set `macro: sample` or `macro: csv`"
        )


# --- templates and rendering ------------------------------------------------------------


class TemplateError(MarketNotesError):
    exit_code = 4


class TemplateNotFound(TemplateError):
    def __init__(self, template: str, searched: list[str]):
        self.template = template
        super().__init__(f"template {template!r} not found (looked in {', '.join(searched)})")


class TemplateCellFailed(TemplateError):
    """A template cell raised; carries what the user needs to find and fix that cell."""

    def __init__(
        self,
        template: str,
        cell: int,
        ename: str,
        evalue: str,
        source_head: str,
        failed_notebook: str | Path | None,
    ):
        self.template, self.cell, self.ename, self.evalue = template, cell, ename, evalue
        self.source_head = source_head
        self.failed_notebook = str(failed_notebook) if failed_notebook else None
        kept = f" (executed notebook kept at {self.failed_notebook})" if failed_notebook else ""
        first = source_head.strip().splitlines()[0] if source_head.strip() else ""
        super().__init__(
            f"template {template} failed in cell {cell} [{first}]: {ename}: {evalue}{kept}"
        )


class CellAborted(TemplateError):
    """A cell never finished: its kernel died (killed, out of memory) or it timed out."""

    what = "was aborted"

    def __init__(self, template: str, cell: int | None, source_head: str, failed_notebook: str | Path | None):
        self.template, self.cell, self.source_head = template, cell, source_head
        self.failed_notebook = str(failed_notebook) if failed_notebook else None
        first = source_head.strip().splitlines()[0] if source_head.strip() else ""
        where = f"cell {cell} [{first}]" if cell else "a cell"
        kept = f" (partial notebook kept at {self.failed_notebook})" if failed_notebook else ""
        super().__init__(f"template {template}: {where} {self.what}{kept}")


class KernelDied(CellAborted):
    what = "killed its kernel (the process died: out of memory, or killed by the system?)"


class CellTimedOut(CellAborted):
    what = "timed out"


class NoteTimedOut(TemplateError):
    """The whole note ran past its time limit (params `timeout`, `--timeout`); its kernel is killed."""

    def __init__(self, note: str, seconds: float, stage: str):
        self.note, self.seconds, self.stage = note, seconds, stage
        super().__init__(f"{note}: timed out after {seconds:g}s (in {stage}); raise `timeout` in the params or --timeout")


class FactCheckFailed(TemplateError):
    """Generated prose states something the facts table does not support."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("fact check failed: " + "; ".join(problems[:5]))


class SayCheckFailed(TemplateError):
    """A template's own prose (`note.say`, a `note.plot` title) states a number, date or move
    verb that does not come from a fact, or cites a fact or label the note does not have.

    Raised in the kernel, it reaches the user through `TemplateCellFailed`, which names the
    cell; `cell` (the kernel's execution count) and `source` (the cell's first line) let the
    host name it too when its own re-check of the template's prose fails.
    """

    HINT = "numbers, dates and move verbs come only from facts: {{ n('ID') }}, {{ move('ID') }}; note.facts_frame() lists the ids"

    def __init__(self, problems: list[str], text: str = "", cell: int | None = None, source: str = ""):
        self.problems, self.text, self.cell, self.source = problems, text, cell, source
        super().__init__("; ".join(problems[:3]) + f" ({self.HINT})")


class FactRejected(TemplateError):
    """`note.add_fact` refused a fact: its id is malformed or already taken, or its value or
    unit cannot be a fact. A template's facts join the note's table, so ids must be unique."""

    def __init__(self, fid: str, reason: str):
        self.fid, self.reason = fid, reason
        super().__init__(f"note.add_fact({fid!r}): {reason}")


class RenderError(TemplateError):
    def __init__(self, stage: str, reason: str, transient: bool = False):
        self.stage, self.reason, self.transient = stage, reason, transient
        super().__init__(f"{stage} failed: {reason}")


class ExecutorError(MarketNotesError):
    """A batch executor that cannot run: unknown, not installed, its cluster unreachable,
    or workers running another marketnotes version than this client."""

    exit_code = 2

    def __init__(self, executor: str, reason: str):
        self.executor, self.reason = executor, reason
        super().__init__(f"executor {executor}: {reason}")


class BrowserNotFound(MarketNotesError):
    exit_code = 6

    def __init__(self, searched: list[str]):
        self.searched = searched
        super().__init__(
            "no Chromium found for PDF output (looked at: "
            + ", ".join(searched)
            + "). Install one with `apt-get install chromium` (Debian/Ubuntu) or "
            "`playwright install chromium`, or set MARKETNOTES_CHROMIUM to its path; "
            "or render HTML only with --format html"
        )


# --- published notes --------------------------------------------------------------------


class NotANote(MarketNotesError):
    """A folder given as a rendered note that is none: missing, a file, or without a
    marketnotes manifest (a reports folder, a date folder, a typo). Bad input, not delivery."""

    exit_code = 2

    def __init__(self, folder: str | Path, reason: str):
        self.folder, self.reason = str(folder), reason
        super().__init__(f"{self.folder} is not a rendered note ({reason}); give a note folder such as reports/<as-of>/<name>")


class DamagedNote(MarketNotesError):
    """A note folder that differs from its manifest (what `verify` reports): a file changed,
    missing or added since it was rendered. Nothing is sent from it; exit 4, as `verify`."""

    exit_code = 4

    def __init__(self, folder: str | Path, problems: list[str]):
        self.folder, self.problems = str(folder), problems
        first = f"{self.folder}/{problems[0]}"
        more = f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}: the note is damaged, nothing sent; `marketnotes verify {self.folder}` lists it all, render the note again")


# --- delivery ---------------------------------------------------------------------------


class DeliveryError(MarketNotesError):
    exit_code = 5


class SmtpConfigError(DeliveryError):
    def __init__(self, missing: str):
        super().__init__(f"SMTP is not configured: {missing}")


class SmtpRefused(DeliveryError):
    """The server answered with a permanent failure (5xx, authentication)."""

    def __init__(self, host: str, code: int | None, response: str, what: str):
        self.host, self.code, self.response, self.what = host, code, response, what
        code_s = f"{code} " if code is not None else ""
        super().__init__(f"SMTP server {host} refused {what}: {code_s}{response}")
