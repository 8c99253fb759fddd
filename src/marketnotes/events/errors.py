"""What can go wrong with an event calendar, as the project's typed errors (one line, an exit code).

They subclass `marketnotes.errors` so the CLI's single handler prints them like any other:
a `--from` the user mistyped is bad input (exit 2); a source that cannot be reached, is not a
calendar, or lists no event of its kind is a data problem (exit 3), as a corrupt price file
or a network failure is for prices.
"""

from __future__ import annotations

from pathlib import Path

from marketnotes.errors import DataError, MarketNotesError


class CalendarInputError(MarketNotesError):
    """A calendar source that cannot even be tried: a missing file, an unknown URL scheme,
    a URL while offline, a calendar name marketnotes does not keep."""

    exit_code = 2

    def __init__(self, subject: str | Path, reason: str):
        self.subject, self.reason = str(subject), reason
        super().__init__(f"{self.subject}: {reason}")


class CalendarSourceError(DataError):
    """A calendar source that was read but gave no calendar: unreachable (transient), not a
    feed or page marketnotes knows, or without a single event of the kind asked for."""

    def __init__(self, source: str | Path, problem: str, transient: bool = False):
        self.source, self.problem, self.transient = str(source), problem, transient
        super().__init__(f"{self.source}: {problem}")


class CalendarCacheError(DataError):
    """A cached calendar that cannot be read back; renders would otherwise fail obscurely."""

    def __init__(self, path: str | Path, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"event calendar cache {self.path}: {problem}; run `marketnotes events update` or delete the file")
