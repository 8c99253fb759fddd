"""Retention: which old notes to remove (a pure choice over records), and removing them
safely (under each note's lock).

`--keep N` keeps the newest N notes of each name; `--older-than AGE` removes notes whose
as-of session is more than AGE before today (`90d`, `26w`, `6m`, `1y`; months and years
are calendar ones). Every published note counts, intact or not: a damaged old note is still
an old note.

A note is removed through a `NoteTransaction` on its own folder, the same lock and recovery
a render takes: if another run holds the lock the note is rendering and is kept (said so,
and removed by a later run); otherwise the folder is renamed onto the transaction's hidden
staging folder in one step (readers see the whole note or none of it), and the transaction
deletes it on exit, as it deletes a replaced version. A kill mid-delete leaves a hidden
staging folder, which the note's next transaction removes. The note's lock file and failed
notebook go with it, so that a date folder left empty can be removed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from marketnotes.archive.listing import NoteRecord
from marketnotes.errors import ArchiveError, NoteBusy
from marketnotes.transaction import NoteTransaction

AGE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
AGE_HELP = "a number and a unit: 90d, 26w, 6m or 1y"


@dataclass(frozen=True)
class Rule:
    """One retention rule: keep the newest `keep` per name, or drop sessions before `before`."""

    keep: int | None = None
    before: str | None = None  # ISO date: notes with an earlier session are removed

    @classmethod
    def parse(cls, keep: int | None, older_than: str | None, today: dt.date) -> Rule:
        """The rule from the command's options; refused with one line when it makes no sense."""
        if keep is not None and older_than is not None:
            raise ArchiveError("--keep and --older-than", "choose one retention rule")
        if keep is not None and keep < 1:
            raise ArchiveError(f"--keep {keep}", "keep at least 1 note per name")
        if older_than is not None:
            return cls(before=cutoff(older_than, today).isoformat())
        if keep is None:
            raise ArchiveError("--dry-run", "says what --keep or --older-than would remove; give one of them")
        return cls(keep=keep)


def cutoff(age: str, today: dt.date) -> dt.date:
    """The first date `age` keeps: today minus 90d, 26w, 6m or 1y (a month back from
    March 31 is February's last day)."""
    match = AGE.match(age)
    if not match or int(match[1]) < 1:
        raise ArchiveError(f"--older-than {age!r}", f"expected {AGE_HELP}")
    n, unit = int(match[1]), match[2].lower()
    if unit in "dw":
        return today - dt.timedelta(days=n * (7 if unit == "w" else 1))
    months = today.year * 12 + today.month - 1 - n * (12 if unit == "y" else 1)
    year, month = divmod(months, 12)
    return dt.date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def to_remove(records: list[NoteRecord], rule: Rule) -> list[NoteRecord]:
    """The notes the rule removes, oldest first. `records` come newest first within a name."""
    if rule.before is not None:
        doomed = [r for r in records if r.session < rule.before]
    else:
        doomed, rank = [], dict.fromkeys((r.name for r in records), 0)
        for r in records:
            rank[r.name] += 1
            if rank[r.name] > rule.keep:
                doomed.append(r)
    return sorted(doomed, key=lambda r: (r.session, r.name))


@dataclass(frozen=True)
class Outcome:
    record: NoteRecord
    status: str  # "removed", "would remove", "kept"
    reason: str = ""

    def __str__(self) -> str:
        why = f": {self.reason}" if self.reason else ""
        return f"{self.status} {self.record.folder} (as of {self.record.session}){why}"


def remove(record: NoteRecord, root: Path, dry_run: bool = False) -> Outcome:
    """Remove one note folder under its lock (a note being rendered is kept), then its
    date folder if that is left empty (never `root` itself)."""
    if dry_run:
        return Outcome(record, "would remove")
    folder = record.folder
    try:
        with NoteTransaction(folder) as txn:
            os.rename(folder, txn.staging)  # onto the empty staging folder: gone in one step
            (folder.parent / f"{folder.name}.failed.ipynb").unlink(missing_ok=True)
            (folder.parent / f".{folder.name}.lock").unlink(missing_ok=True)  # still held until exit
    except NoteBusy as busy:
        who = f" (pid {busy.holder})" if busy.holder.isdigit() else ""
        return Outcome(record, "kept", f"being rendered by another marketnotes run{who}; a later run removes it")
    except OSError as exc:
        raise ArchiveError(folder, f"cannot remove: {(exc.strerror or str(exc)).lower()}") from None
    if folder.parent != root:
        try:
            folder.parent.rmdir()  # the date folder, once its last note is gone
        except OSError:
            pass  # other notes (or anything else) are still in it
    return Outcome(record, "removed")
