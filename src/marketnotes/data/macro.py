"""Economic series beside the prices: the CPI readings a CPI note states, as data.

A small registry of macro sources, the built-ins registered exactly as a user's would be:

    from marketnotes.data.macro import MacroSource, register_macro_source

    @register_macro_source
    class MyVendor(MacroSource):
        name = "myvendor"
        class Options(MacroSource.Options):
            api_key_env: str = "MYVENDOR_KEY"
        def load(self, series, through): ...   # -> Series

A params file then says `macro: myvendor` with `macro_options:` validated by `Options`.
Built in: `sample` (the bundled US core CPI, FRED CPILFESL: core only, the headline series
is not bundled), `fred` (FRED's public CSV download, cached: data/fred.py) and `csv` (a
user's file: `date,value`, or a FRED download as it comes).

Series are FRED ids (CPIAUCSL headline CPI, CPILFESL core CPI), monthly, indexed by the
first day of the month they measure. Every series carries its vintage: FRED's latest values
as fetched on a given day, revisions included, not the first print the release published.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from marketnotes.errors import CorruptData, ParamsError, UnknownSeries

HEADLINE, CORE = "CPIAUCSL", "CPILFESL"
CPI_SERIES = {"core": CORE, "headline": HEADLINE}  # what a CPI note reads, by role
REQUIRED = frozenset({CORE})  # a CPI reading is told from core; headline joins where the source has it
# the Fed funds target (a single rate to Dec. 15, 2008) and its range since: daily, in percent,
# never revised (data/policy.py loads them for a note that covers an FOMC decision)
TARGET, TARGET_LOW, TARGET_HIGH = "DFEDTAR", "DFEDTARL", "DFEDTARU"
DAILY = frozenset({TARGET, TARGET_LOW, TARGET_HIGH})
NONE = "none"  # params `macro: none`: no readings at all

_SOURCES: dict[str, type[MacroSource]] = {}


@dataclass(frozen=True)
class Series:
    """One monthly series as a note uses it, and where it came from."""

    id: str
    values: pd.Series  # month-start dates -> level (float), sorted, no gaps filled
    source: str  # the macro source's describe()
    vintage: str  # "FRED latest, as fetched on 2024-07-12"
    fetched: str | None = None  # ISO time of the fetch (UTC), where there was one

    def sha256(self) -> str:
        digest = hashlib.sha256(self.id.encode())
        digest.update(pd.util.hash_pandas_object(self.values, index=True).to_numpy().tobytes())
        return digest.hexdigest()

    def describe(self) -> dict:
        return {
            "source": self.source,
            "vintage": self.vintage,
            "fetched": self.fetched,
            "first": self.values.index[0].strftime("%Y-%m"),
            "last": self.values.index[-1].strftime("%Y-%m"),
            "sha256": self.sha256(),
        }


@dataclass(frozen=True)
class MacroData:
    """The series a note reads (by FRED id), and those its source does not carry."""

    source: str  # the macro source's name
    series: dict[str, Series] = field(default_factory=dict)
    lacking: dict[str, str] = field(default_factory=dict)  # series id -> why the note has none

    def get(self, series_id: str) -> Series | None:
        return self.series.get(series_id)

    def sha256(self) -> str:
        digest = hashlib.sha256(self.source.encode())
        for sid in sorted(self.series):
            digest.update(self.series[sid].sha256().encode())
        return digest.hexdigest()

    def manifest(self) -> dict:
        """What manifest.json records: each series' vintage, range and hash."""
        return {
            "source": self.source,
            "series": {sid: s.describe() for sid, s in self.series.items()},
            "lacking": dict(self.lacking),
        }


class MacroSource:
    """Loads one economic series, at least through the month `through` where it exists."""

    name: ClassVar[str] = ""

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, options: MacroSource.Options, offline: bool = False):
        self.options = options
        self.offline = offline

    def carries(self, series_id: str) -> bool:
        """Whether this source has the series at all (a source that cannot know says True
        and lets `load` fail): a CPI note leaves out the headline where a source lacks it."""
        return True

    def lacks_why(self, series_id: str) -> str:
        return f"{self.name} has no {series_id}"

    def load(self, series_id: str, through: pd.Timestamp | None = None) -> Series:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


def register_macro_source(cls: type[MacroSource]) -> type[MacroSource]:
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a `name`")
    _SOURCES[cls.name] = cls
    return cls


def known_macro_sources() -> list[str]:
    return sorted(_SOURCES)


def make_macro_source(name: str, options: dict, offline: bool = False) -> MacroSource:
    try:
        cls = _SOURCES[name]
    except KeyError:
        raise ParamsError("macro", [f"unknown macro source {name!r}; known: {', '.join(known_macro_sources())}, or none"]) from None
    try:
        opts = cls.Options.model_validate(options or {})
    except ValidationError as exc:
        problems = [
            f"macro_options.{'.'.join(map(str, e['loc']))}: " + ("unknown option" if e["type"] == "extra_forbidden" else e["msg"])
            for e in exc.errors()
        ]
        raise ParamsError(f"macro source {name!r}", problems) from None
    return cls(opts, offline=offline)


def macro_choice(params) -> str:
    """The macro source a note reads: params `macro`, else one that follows the prices --
    the bundled sample with the bundled prices, FRED with live Yahoo prices, and none with a
    user's files or source (a note on your own data reaches no network unless you say
    `macro: fred`)."""
    if getattr(params, "macro", None):
        return params.macro
    return {"sample": "sample", "yahoo": "fred"}.get(params.source, NONE)


def load_series(source: MacroSource, ids: Iterable[str], through: pd.Timestamp | None = None, required: frozenset[str] = REQUIRED) -> MacroData:
    """Each series through the month `through`; one the source does not carry is left out
    (and said so in `lacking`) unless it is required."""
    series, lacking = {}, {}
    for sid in ids:
        if sid not in required and not source.carries(sid):
            lacking[sid] = source.lacks_why(sid)
            continue
        series[sid] = source.load(sid, through)
    return MacroData(source.name, series, lacking)


# -- reading monthly CSVs (FRED's download, the sample, a user's file) -------------------

DATE_COLUMNS = ("date", "observation_date", "month")


def read_series_csv(data: str | bytes | Path, series_id: str, origin: str | Path, column: str | None = None) -> pd.Series:
    """A monthly series from CSV text or a file: a date column (`date`, `DATE`,
    `observation_date`), and the value in `column`, else the column named by the series id.
    FRED writes "." for a missing value: such months are left out.
    Anything else unreadable is `CorruptData` naming the series, the file and the row."""
    try:
        if isinstance(data, Path):
            raw = pd.read_csv(data, dtype=str)
        else:
            text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
            raw = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CorruptData(series_id, origin, f"cannot be read as a CSV ({type(exc).__name__}: {exc})") from None
    columns = {str(c).strip().lower(): c for c in raw.columns}
    date_col = next((columns[c] for c in DATE_COLUMNS if c in columns), None)
    if date_col is None:
        raise CorruptData(series_id, origin, f"has no date column (columns: {', '.join(map(str, raw.columns))})")
    value_col = columns.get((column or series_id).strip().lower())
    if value_col is None:
        raise CorruptData(series_id, origin, f"has no {column or series_id} column (columns: {', '.join(map(str, raw.columns))})")
    dates = pd.to_datetime(raw[date_col].str.strip(), errors="coerce", format="%Y-%m-%d")
    if dates.isna().any():
        row = int(dates.isna().to_numpy().nonzero()[0][0])
        raise CorruptData(series_id, origin, f"unreadable date {raw[date_col].iloc[row]!r} on data row {row + 1} (expected YYYY-MM-DD)")
    text = raw[value_col].fillna(".").str.strip()
    values = pd.to_numeric(text.where(text != ".", None), errors="coerce")
    bad = values.isna() & (text != ".") & (text != "")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise CorruptData(series_id, origin, f"non-numeric value {text.iloc[row]!r}", dates.iloc[row].date())
    series = pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(dates, name="date"), name=series_id).dropna()
    return check_series(series, series_id, origin)


def check_series(series: pd.Series, series_id: str, origin: str | Path) -> pd.Series:
    """A daily rate series (DAILY) by the daily rules, any other by the monthly ones."""
    return check_daily(series, series_id, origin) if series_id in DAILY else check_monthly(series, series_id, origin)


def check_daily(series: pd.Series, series_id: str, origin: str | Path) -> pd.Series:
    """A rate by day (all days, or only the days it changed): dates in order, no duplicate,
    no negative rate (a target range's floor was zero from 2008 to 2015)."""
    if series.empty:
        raise CorruptData(series_id, origin, "has no values")
    if series.index.has_duplicates:
        raise CorruptData(series_id, origin, "duplicate date", series.index[series.index.duplicated()][0].date())
    if not series.index.is_monotonic_increasing:
        raise CorruptData(series_id, origin, "rows out of date order")
    if (series < 0).any():
        raise CorruptData(series_id, origin, f"negative rate {series[series < 0].iloc[0]}", series.index[(series < 0).to_numpy()][0].date())
    return series


def check_monthly(series: pd.Series, series_id: str, origin: str | Path) -> pd.Series:
    """Refuse what would make a wrong reading: no rows, dates not month starts, duplicates,
    rows out of order, non-positive index levels."""
    if series.empty:
        raise CorruptData(series_id, origin, "has no values")
    index = series.index
    if (index.day != 1).any():
        raise CorruptData(series_id, origin, "dates are not the first of a month (a monthly series, as FRED dates it)", index[index.day != 1][0].date())
    if index.has_duplicates:
        raise CorruptData(series_id, origin, "duplicate month", index[index.duplicated()][0].date())
    if not index.is_monotonic_increasing:
        raise CorruptData(series_id, origin, "rows out of date order")
    if (series <= 0).any():
        raise CorruptData(series_id, origin, f"non-positive value {series[series <= 0].iloc[0]}", series.index[(series <= 0).to_numpy()][0].date())
    return series


# -- built-in sources --------------------------------------------------------------------


@register_macro_source
class SampleMacro(MacroSource):
    """The bundled US core CPI (FRED CPILFESL, 1957-01 .. 2018-11) and the Fed funds target
    (DFEDTAR to 2008, then the range DFEDTARL/DFEDTARU, 1990 .. 2018: every change, from the
    Fed's statements; data/sample/PROVENANCE.md). Core only: the headline series (CPIAUCSL)
    is not bundled, so sample notes state core."""

    name = "sample"
    # series id -> (file, column, vintage)
    FILES: ClassVar[dict[str, tuple[str, str, str]]] = {
        CORE: ("core_cpi.csv.gz", "core_cpi", "FRED latest as bundled from arch 8.0.0, through November 2018"),
        **{sid: ("fed_target.csv.gz", sid, "FOMC target history as bundled (never revised), through December 2018") for sid in DAILY},
    }

    def carries(self, series_id: str) -> bool:
        return series_id in self.FILES

    def lacks_why(self, series_id: str) -> str:
        return f"the bundled sample has core CPI ({CORE}) and the Fed funds target only"

    def load(self, series_id: str, through: pd.Timestamp | None = None) -> Series:
        from marketnotes.data.files import sample_folder

        if series_id not in self.FILES:
            raise UnknownSeries(series_id, self.name, self.lacks_why(series_id))
        file, column, vintage = self.FILES[series_id]
        path = sample_folder() / file
        return Series(series_id, read_series_csv(path, series_id, path, column), self.describe(), vintage)

    def describe(self) -> str:
        return "bundled sample (FRED CPILFESL via the arch package; FOMC target history)"


@register_macro_source
class CsvMacro(MacroSource):
    """A user's CSV: one file of `date,value` (`series` says which series it holds), one file
    with a column per series id (`date,CPILFESL,CPIAUCSL`, or a FRED download as it comes),
    or a folder of `<ID>.csv` files."""

    name = "csv"

    class Options(MacroSource.Options):
        path: Path
        series: str = CORE  # the series a plain date,value file holds

    def _where(self, series_id: str) -> tuple[Path, str] | None:
        """The file holding the series and its column, or None."""
        path = self.options.path.expanduser()
        if path.is_dir():
            path = path / f"{series_id}.csv"
            if not path.exists():
                return None
        elif not path.exists():
            return None
        try:
            columns = {str(c).strip().lower(): str(c) for c in pd.read_csv(path, nrows=0).columns}
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise CorruptData(series_id, path, f"cannot be read as a CSV ({type(exc).__name__}: {exc})") from None
        if series_id.lower() in columns:
            return path, columns[series_id.lower()]
        if "value" in columns and (series_id == self.options.series or self.options.path.expanduser().is_dir()):
            return path, columns["value"]
        return None

    def carries(self, series_id: str) -> bool:
        return self._where(series_id) is not None

    def lacks_why(self, series_id: str) -> str:
        path = self.options.path.expanduser()
        if not path.exists():
            return f"{path} does not exist"
        if path.is_dir():
            return f"no {series_id}.csv (date,value or date,{series_id}) in {path}"
        return f"{path} has no {series_id} column (a date,value file holds `series`: {self.options.series})"

    def load(self, series_id: str, through: pd.Timestamp | None = None) -> Series:
        found = self._where(series_id)
        if found is None:
            raise UnknownSeries(series_id, self.name, self.lacks_why(series_id))
        path, column = found
        stamp = pd.Timestamp(path.stat().st_mtime, unit="s").strftime("%Y-%m-%d")
        return Series(series_id, read_series_csv(path, series_id, path, column), self.describe(), f"user file {path.name}, modified {stamp}")

    def describe(self) -> str:
        return f"CSV in {self.options.path}"

