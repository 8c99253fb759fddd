"""Event calendars: bundled US CPI releases and FOMC decisions, or a user's `date,label` CSV.

Events are data. A params file lists `events: [cpi, fomc, path/to/earnings.csv]`; each
becomes rows of (date, label, kind) that the facts layer studies (moves on the day, and
from the event to the next one or to the as-of session). `cpi` and `fomc` are the bundled
calendars with the user's cached copy merged over them (`calendars.py`), refreshed by
`marketnotes events update` (`feeds.py` reads the official sources, `update.py` writes the cache).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from marketnotes.errors import CorruptData
from marketnotes.events.calendars import BUNDLED, known

UPDATABLE = tuple(BUNDLED)  # the calendars `marketnotes events update` refreshes


def _known(kind: str) -> pd.DataFrame:
    """The bundled calendar with the cached copy merged over it (calendars.py says why)."""
    return known(kind).events.assign(kind=kind)[["date", "label", "kind", "reference"]]


def _user_csv(path: Path, base: Path | None) -> pd.DataFrame:
    full = path if path.is_absolute() or base is None else base / path
    try:
        raw = pd.read_csv(full)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise CorruptData("events", full, f"cannot be read ({exc})") from None
    if not {"date", "label"} <= set(raw.columns):
        raise CorruptData("events", full, f"needs columns date,label (has {', '.join(raw.columns)})")
    dates = pd.to_datetime(raw["date"], errors="coerce")
    if dates.isna().any():
        raise CorruptData("events", full, f"unreadable date {raw['date'][dates.isna()].iloc[0]!r}")
    kind = re.sub(r"[^a-z0-9]+", "_", full.stem.lower()).strip("_") or "events"
    return pd.DataFrame({"date": dates, "label": raw["label"].astype(str), "kind": kind, "reference": ""})


def load_events(names: tuple[str, ...] | list[str], base: Path | None = None) -> pd.DataFrame:
    """All requested events, sorted by date; `base` resolves relative CSV paths (the params folder)."""
    frames = [_known(n) if n in BUNDLED else _user_csv(Path(n), base) for n in names]
    if not frames:
        return pd.DataFrame(columns=["date", "label", "kind", "reference"])
    return pd.concat(frames, ignore_index=True).sort_values(["date", "kind"]).reset_index(drop=True)
