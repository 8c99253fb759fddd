"""The note archive: a static site over the reports folder, and retention of old notes.

`build(root)` lists the published notes (`listing`: folders -> records), groups the intact
ones by name and writes `index.html` and each name's `latest/index.html` (`site`: records
-> pages). `prune(root, …)` chooses old notes by a rule (`retention.to_remove`, pure),
removes them under their locks and rebuilds the index. The archive reads note folders and
never writes into one; it imports the stages it reads (manifest, transaction), never the
runtime that renders notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from marketnotes.archive.listing import NoteRecord, list_notes
from marketnotes.archive.retention import Outcome, Rule, remove, to_remove
from marketnotes.archive.site import series_of, write_site

__all__ = ["Archive", "NoteRecord", "Outcome", "build", "default_root", "prune"]


@dataclass(frozen=True)
class Archive:
    """What `build` wrote: the index, how many notes it lists, and the notes it left out."""

    index: Path
    listed: int
    series: int
    skipped: list[NoteRecord] = field(default_factory=list)  # published but not intact


def default_root() -> Path:
    """Where notes go when neither params nor --output-dir say otherwise."""
    from marketnotes.params import NoteParams

    return Path(NoteParams.model_fields["output_dir"].default)


def build(root: Path) -> Archive:
    """(Re)write the archive's pages for every intact note under `root`."""
    records = list_notes(root)
    series = series_of(records)
    index = write_site(root, series)
    return Archive(index, sum(len(s.notes) for s in series), len(series), [r for r in records if not r.intact])


def prune(root: Path, keep: int | None, older_than: str | None, dry_run: bool = False, today: dt.date | None = None) -> list[Outcome]:
    """Remove the notes the retention rule names (or, with `dry_run`, only say which)."""
    rule = Rule.parse(keep, older_than, today or dt.date.today())
    return [remove(record, root, dry_run) for record in to_remove(list_notes(root), rule)]
