"""The one frozen object that travels through every stage of a note.

It holds the validated params, the as-of session actually used (and how it was resolved),
and every output path. Stages take a `NoteSpec` rather than loose keyword arguments, so an
option set on the command line cannot be lost between stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from marketnotes.calendar import ResolvedAsOf
from marketnotes.params import NoteParams, sanitise_name


@dataclass(frozen=True)
class NoteSpec:
    params: NoteParams
    as_of: pd.Timestamp
    requested_as_of: str
    output_root: Path
    offline: bool = False
    params_path: Path | None = None

    @classmethod
    def build(
        cls,
        params: NoteParams,
        resolved: ResolvedAsOf,
        as_of: pd.Timestamp,
        output_dir: Path | None = None,
        offline: bool = False,
        params_path: Path | None = None,
    ) -> NoteSpec:
        return cls(
            params=params,
            as_of=as_of,
            requested_as_of=resolved.requested,
            output_root=Path(output_dir or params.output_dir),
            offline=offline,
            params_path=Path(params_path) if params_path else None,
        )

    @property
    def name(self) -> str:
        return sanitise_name(self.params.name or "note")

    @property
    def as_of_iso(self) -> str:
        return self.as_of.date().isoformat()

    @property
    def as_of_phrase(self) -> str:
        """"as of Friday 2018-12-21 close", saying so when the requested day was not a session."""
        day = self.as_of.strftime("%A %Y-%m-%d")
        if self.requested_as_of not in {"latest", "last-friday", self.as_of_iso}:
            return f"as of {day} close ({self.requested_as_of} was not a trading session)"
        return f"as of {day} close"

    @property
    def out_dir(self) -> Path:
        return self.output_root / self.as_of_iso / self.name

    def path(self, kind: str) -> Path:
        """The published path of note.ipynb, note.html, note.pdf, facts.json or manifest.json
        (stages write into the note's staging folder: transaction.py)."""
        return self.out_dir / kind
