"""Event calendars: bundled US CPI releases and FOMC decisions, or a user's `date,label` CSV.

Events are data. A params file lists `events: [cpi, fomc, path/to/earnings.csv]`; each
becomes rows of (date, label, kind) that the facts layer studies (moves on the day, and
from the event to the next one or to the as-of session).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pandas as pd

from marketnotes.errors import CorruptData

BUNDLED = {"cpi": "us_cpi_releases.csv", "fomc": "fomc_decisions.csv"}


def _bundled(kind: str) -> pd.DataFrame:
    with resources.files("marketnotes.events").joinpath(BUNDLED[kind]).open("r") as fh:
        raw = pd.read_csv(fh)
    if kind == "cpi":
        months = pd.to_datetime(raw["reference_month"], format="%Y-%m")
        labels = months.dt.strftime("%B") + " CPI"
        return pd.DataFrame({"date": pd.to_datetime(raw["date"]), "label": labels, "kind": kind, "reference": raw["reference_month"]})
    return pd.DataFrame({"date": pd.to_datetime(raw["date"]), "label": raw["label"], "kind": kind, "reference": ""})


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
    frames = [_bundled(n) if n in BUNDLED else _user_csv(Path(n), base) for n in names]
    if not frames:
        return pd.DataFrame(columns=["date", "label", "kind", "reference"])
    return pd.concat(frames, ignore_index=True).sort_values(["date", "kind"]).reset_index(drop=True)
