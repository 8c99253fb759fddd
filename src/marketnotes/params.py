"""Parameter sets: YAML files validated by one pydantic model before anything runs.

Overrides from the command line (`--as-of`, `--set key=value`) are merged into the raw
mapping and validated by the same model, so `--set as_of=20240614` is judged as a date
field (and refused with a clear message), never guessed into an int as papermill's `-p` does.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from marketnotes.errors import ParamsError

WINDOWS = ("1d", "1w", "1m", "3m", "ytd", "1y")
AsOfKeyword = Literal["latest", "last-friday"]
NoteKind = Literal["weekly", "cpi-reaction", "monthly-review"]


class RecordSpec(BaseModel):
    """A record close the data does not hold ("the S&P 500 closed at a record 1,565.15 on
    Oct. 9, 2007; it was first beaten on March 28, 2013"), so a file that starts later can say
    "record" honestly (data/records.py has a bundled table of the major indices)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    close: float = Field(gt=0)
    until: dt.date | None = Field(default=None, description="the first close above it; needed when the record is before the data starts")


class IndexSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    symbol: str = Field(min_length=1, max_length=32)
    label: str = Field(min_length=1, max_length=80)
    record: RecordSpec | None = None


class RotationSpec(BaseModel):
    """The pair whose ratio tells the rotation story ("small caps vs big tech")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lead: str
    lag: str
    threshold_pct: float = Field(default=1.0, gt=0, le=20)


class NoteParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    template: str = "weekly-rotation"
    title: str = Field(default="Weekly market note", min_length=1, max_length=200)
    name: str | None = Field(default=None, description="note folder name; defaults to the params file stem")
    as_of: dt.date | AsOfKeyword = "latest"
    indices: tuple[IndexSpec, ...] = Field(min_length=1, max_length=12)
    source: Literal["sample", "csv", "yahoo"] | str = "sample"
    source_options: dict[str, Any] = Field(default_factory=dict)
    lookback: tuple[Literal["1d", "1w", "1m", "3m", "ytd", "1y"], ...] = ("1d", "1w", "1m", "ytd")
    chart_years: float = Field(default=1.0, gt=0, le=30)
    rotation: RotationSpec | None = None
    events: tuple[str, ...] = ("cpi",)
    formats: tuple[Literal["html", "pdf"], ...] = ("html", "pdf")
    page_size: Literal["A4", "Letter"] = "A4"
    output_dir: Path = Path("reports")
    timeout: float = Field(default=600, gt=0, le=86400, description="seconds a note may take from facts to publish; then it fails and its kernel is killed")
    note_kind: NoteKind = Field(default="weekly", description="what the note is about, which decides its extra facts and its prose: weekly (the week), cpi-reaction (the latest CPI release on or before as_of), monthly-review (the calendar month of as_of)")
    macro: str | None = Field(default=None, description="where a CPI note's readings (core and headline CPI) come from: sample, fred, csv, a registered macro source, or none; default: sample with source sample, fred with yahoo, else none")
    macro_options: dict[str, Any] = Field(default_factory=dict, description="per macro source: csv -> path, series; fred -> cache_dir, url, timeout")

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of_text(cls, value: Any) -> Any:
        # YAML gives dates as date objects; CLI gives strings. An int (20240614) is refused.
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return dt.date.fromisoformat(value.strip())
        if isinstance(value, int | float):
            raise ValueError("expected a date as YYYY-MM-DD, 'latest' or 'last-friday'")
        return value

    @field_validator("macro")
    @classmethod
    def _macro_name(cls, value: str | None) -> str | None:
        # the registry (data/macro.py) knows user-registered sources; here only the shape of a name
        if value is not None and not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", value):
            raise ValueError("expected sample, fred, csv, none or the name of a registered macro source")
        return value

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str | None) -> str | None:
        return None if value is None else sanitise_name(value)

    @model_validator(mode="after")
    def _consistent(self) -> NoteParams:
        """Rules across fields that the facts and prose rely on, so a file that passes
        `params check` renders: a rotation pair is two different listed indices (a ratio of
        an index to itself has no story, and its facts would collide), and the week's return
        that every note's lead is told from is computed. Each message starts with its field
        (`_describe` names it)."""
        symbols = [i.symbol for i in self.indices]
        dupes = sorted({s for s in symbols if symbols.count(s) > 1})
        if dupes:
            raise ValueError(f"indices: symbol listed twice: {', '.join(dupes)}")
        if self.rotation:
            for side in (self.rotation.lead, self.rotation.lag):
                if side not in symbols:
                    raise ValueError(f"rotation: {side!r} is not one of the indices ({', '.join(symbols)})")
            if self.rotation.lead == self.rotation.lag:
                raise ValueError(f"rotation: lead and lag are both {self.rotation.lead!r}; the pair is two different indices")
        if "1w" not in self.lookback:
            raise ValueError(f"lookback: must include 1w, the week every note's lead is told from (got {', '.join(self.lookback) or 'none'})")
        if len(set(self.lookback)) < len(self.lookback):
            raise ValueError(f"lookback: a window listed twice ({', '.join(self.lookback)})")
        if not self.formats:
            raise ValueError("formats: at least one of html, pdf")
        if self.note_kind == "cpi-reaction" and "cpi" not in self.events:
            raise ValueError("note_kind: a cpi-reaction note needs 'cpi' in events")
        return self

    @property
    def symbols(self) -> list[str]:
        return [i.symbol for i in self.indices]

    @property
    def labels(self) -> dict[str, str]:
        return {i.symbol: i.label for i in self.indices}

    @property
    def rotation_pair(self) -> tuple[str, str] | None:
        """Explicit pair, or the first two indices, or none for a single index."""
        if self.rotation:
            return self.rotation.lead, self.rotation.lag
        return (self.symbols[0], self.symbols[1]) if len(self.symbols) > 1 else None

    @property
    def rotation_threshold(self) -> float:
        return self.rotation.threshold_pct if self.rotation else 1.0


def sanitise_name(value: str) -> str:
    """Make a note name safe as one folder name: no separators, no `..`, no hidden files."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-.")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    if not cleaned:
        raise ValueError(f"name {value!r} has no usable characters")
    return cleaned[:80]


def _describe(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    cross = re.fullmatch(r"Value error, (\w+): (.*)", err["msg"], re.S)
    if not err["loc"] and cross and cross[1] in NoteParams.model_fields:
        return f"field {cross[1]!r}: {cross[2]}"  # a rule across fields (_consistent), named by its field
    if err["type"] == "extra_forbidden":
        return f"unknown field {loc!r}"
    if err["type"] == "missing":
        return f"field {loc!r} is required"
    msg = err["msg"].removeprefix("Value error, ")
    bad = err.get("input")
    shown = "" if isinstance(bad, dict | list) else f" (got {bad!r})"
    return f"field {loc!r}: {msg}{shown}"


def validate(raw: dict[str, Any], origin: str | Path) -> NoteParams:
    try:
        return NoteParams.model_validate(raw)
    except ValidationError as exc:
        # A literal-union field reports one error per branch; keep one line per field.
        seen: dict[str, str] = {}
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"][:1])
            seen.setdefault(key, _describe(err))
        if "as_of" in seen:
            seen["as_of"] = (
                f"field 'as_of': expected a date as YYYY-MM-DD, 'latest' or 'last-friday' "
                f"(got {raw.get('as_of')!r})"
            )
        raise ParamsError(origin, list(seen.values())) from None


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `key=value` strings; list/mapping fields take YAML, scalars stay strings."""
    merged = dict(raw)
    fields = NoteParams.model_fields
    for item in overrides:
        if "=" not in item:
            raise ParamsError("--set", [f"expected key=value, got {item!r}"])
        key, value = item.split("=", 1)
        key = key.strip().replace("-", "_")
        top, _, sub = key.partition(".")
        if top not in fields:
            raise ParamsError("--set", [f"unknown field {top!r}"])
        structured = top in {"indices", "lookback", "events", "formats", "rotation", "source_options", "macro_options"}
        parsed: Any = yaml.safe_load(value) if structured or top == "chart_years" else value
        if sub:
            nested = dict(merged.get(top) or {})
            nested[sub] = yaml.safe_load(value)
            merged[top] = nested
        else:
            merged[top] = parsed
    return merged


def load_params(path: str | Path, overrides: list[str] | None = None, as_of: str | None = None) -> NoteParams:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(path, ["file not found"]) from None
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ParamsError(path, [f"not valid YAML{where}"]) from None
    if not isinstance(raw, dict):
        raise ParamsError(path, ["expected a mapping of field: value at the top level"])
    raw = apply_overrides(raw, list(overrides or []))
    if as_of is not None:
        raw["as_of"] = as_of
    raw.setdefault("name", path.stem)
    return validate(raw, path)
