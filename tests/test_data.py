import gzip

import numpy as np
import pandas as pd
import pytest

from conftest import price_frame, sessions, write_yahoo_csv
from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.errors import AsOfError, CorruptData, DataError, ParamsError, UnknownSource, UnknownSymbol


def csv_source(folder):
    return make_source("csv", {"path": str(folder)})


def test_sample_covers_the_documented_ranges():
    prices = load_prices(make_source("sample", {}), ["^GSPC", "^IXIC", "^DJI"], resolve_as_of("2018-12-31"))
    ranges = prices.ranges()
    assert ranges["^GSPC"] == ("1999-01-04", "2018-12-31")
    assert ranges["^IXIC"] == ("1999-01-04", "2018-12-31")
    assert ranges["^DJI"][0] == "1885-02-16"
    # a real number: the S&P 500 closed at 2506.85 on the last session of 2018
    assert prices.closes.loc["2018-12-31", "^GSPC"] == pytest.approx(2506.85, abs=0.01)


def test_holiday_as_of_resolves_and_data_is_cut_there():
    prices = load_prices(make_source("sample", {}), ["^GSPC"], resolve_as_of("2018-12-25"))
    assert prices.as_of == pd.Timestamp("2018-12-24")
    assert prices.closes.index.max() == pd.Timestamp("2018-12-24")


def test_as_of_outside_data_names_the_range():
    with pytest.raises(AsOfError, match=r"after \^GSPC's data ends \(available 1999-01-04 .. 2018-12-31\)"):
        load_prices(make_source("sample", {}), ["^GSPC"], resolve_as_of("2019-03-01"))
    with pytest.raises(AsOfError, match="before .* data starts \\(1999-01-04\\)"):
        load_prices(make_source("sample", {}), ["^GSPC"], resolve_as_of("1998-06-01"))


def test_unknown_symbol_and_source():
    with pytest.raises(UnknownSymbol) as exc:
        load_prices(make_source("sample", {}), ["^RUTX"], resolve_as_of("2018-12-21"))
    assert exc.value.symbol == "^RUTX" and "^GSPC" in str(exc.value)
    with pytest.raises(UnknownSource, match="known sources: csv, sample, yahoo"):
        make_source("bloomberg", {})
    with pytest.raises(ParamsError, match="source_options.path"):
        make_source("csv", {})


def test_csv_folder_accepts_caret_free_names_and_parquet(tmp_path):
    write_yahoo_csv(tmp_path / "RUT.csv", price_frame([100, 101, 102]))
    price_frame([50, 51, 52]).to_parquet(tmp_path / "^NDX.parquet")
    prices = load_prices(csv_source(tmp_path), ["^RUT", "^NDX"], resolve_as_of("latest"))
    assert prices.as_of == pd.Timestamp("2024-01-04")  # "latest" = latest close every index has
    assert list(prices.closes["^RUT"]) == [100, 101, 102] and list(prices.closes["^NDX"]) == [50, 51, 52]


def test_gaps_are_reported_not_forward_filled(tmp_path):
    frame = price_frame([100, 101, 102, 103, 104]).drop(index=price_frame([0] * 5).index[2])
    write_yahoo_csv(tmp_path / "X.csv", frame)
    prices = load_prices(csv_source(tmp_path), ["X"], resolve_as_of("2024-01-08"))
    assert prices.gaps == {"X": ["2024-01-04"]}
    assert len(prices.closes) == 4


@pytest.mark.parametrize(
    "content,problem",
    [
        ("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,1,1,1\n2024-01-02,1,1,1,1,1,1\n", "duplicate date at 2024-01-02"),
        ("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-03,1,1,1,1,1,1\n2024-01-02,1,1,1,1,1,1\n", "out of date order at 2024-01-02"),
        ("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,0,1,1\n", "non-positive close 0.0 at 2024-01-02"),
        ("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,,1,1\n", "missing close at 2024-01-02"),
        ("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,abc,1,1\n", "non-numeric close value 'abc' at 2024-01-02"),
        ("Date,Open,High,Low,Close,Adj Close,Volume\nnot-a-date,1,1,1,1,1,1\n", "unreadable date 'not-a-date' on data row 1"),
        ("Open,Close\n1,2\n", "has no Date column"),
        ("", "cannot be read as a price table"),
    ],
)
def test_corrupt_csv_gives_a_typed_error_naming_symbol_file_and_date(tmp_path, content, problem):
    path = tmp_path / "^RUT.csv"
    path.write_text(content)
    with pytest.raises(CorruptData) as exc:
        load_prices(csv_source(tmp_path), ["^RUT"], resolve_as_of("2024-01-05"))
    assert exc.value.symbol == "^RUT" and str(path) in str(exc.value)
    assert problem in str(exc.value)


def test_binary_garbage_is_corrupt_not_a_traceback(tmp_path):
    (tmp_path / "X.csv").write_bytes(gzip.compress(b"\x00\x01garbage" * 50))
    with pytest.raises(CorruptData, match="X"):
        load_prices(csv_source(tmp_path), ["X"], resolve_as_of("2024-01-05"))


def test_missing_csv_file_names_what_was_looked_for(tmp_path):
    with pytest.raises(UnknownSymbol, match=r"no file named \^RUT.csv, \^RUT.csv.gz"):
        load_prices(csv_source(tmp_path), ["^RUT"], resolve_as_of("2024-01-05"))


YF_OFFSETS = {"Close": 0.0, "High": 1.0, "Low": -1.0, "Open": 0.5}


def write_yfinance_csv(path, closes: dict, group_by: str = "column"):
    """What `yf.download(list(closes)).to_csv(path)` writes (yfinance 1.x, multi.py): columns a
    (Price, Ticker) MultiIndex sorted by Price, a "Date" DatetimeIndex; None = no session for that ticker."""
    tickers = list(closes)
    columns = pd.MultiIndex.from_product([["Close", "High", "Low", "Open", "Volume"], tickers], names=["Price", "Ticker"])
    values = {t: np.asarray(c, dtype=float) for t, c in closes.items()}
    data = {(f, t): v + off for f, off in YF_OFFSETS.items() for t, v in values.items()}
    data |= {("Volume", t): np.where(np.isnan(v), np.nan, 1e6) for t, v in values.items()}
    index = sessions("2024-01-02", len(values[tickers[0]])).rename("Date")
    frame = pd.DataFrame(data, index=index).reindex(columns=columns)
    if group_by == "ticker":  # yf.download(..., group_by="ticker"): (Ticker, Price)
        frame = frame.swaplevel(axis=1).sort_index(axis=1, level=0)
    frame.to_csv(path)
    return path


@pytest.mark.parametrize("group_by", ["column", "ticker"])
def test_yfinance_single_ticker_export_in_the_folder(tmp_path, group_by):
    path = write_yfinance_csv(tmp_path / "RUT.csv", {"^RUT": [1993.5, 1980.0, 1965.25]}, group_by)
    if group_by == "column":  # the layout of issue 12, item 8
        assert path.read_text().splitlines()[:3] == ["Price,Close,High,Low,Open,Volume", "Ticker,^RUT,^RUT,^RUT,^RUT,^RUT", "Date,,,,,"]
    prices = load_prices(csv_source(tmp_path), ["^RUT"], resolve_as_of("latest"))
    frame = prices.frames["^RUT"]
    assert list(frame["close"]) == [1993.5, 1980.0, 1965.25]
    assert list(frame["high"]) == [1994.5, 1981.0, 1966.25]
    assert list(frame["open"]) == [1994.0, 1980.5, 1965.75] and list(frame["volume"]) == [1e6] * 3
    assert frame.index.equals(pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04"], name="date"))


def test_yfinance_multi_ticker_export_named_as_path_serves_each_ticker(tmp_path):
    # ^N225-style: a session only one ticker traded is a row of NaN for the other, not a gap to fill
    path = write_yfinance_csv(tmp_path / "indices.csv", {"^NDX": [16500.0, 16400.0, 16300.0], "^RUT": [2000.0, None, 1960.0]})
    assert path.read_text().splitlines()[0] == "Price,Close,Close,High,High,Low,Low,Open,Open,Volume,Volume"
    prices = load_prices(make_source("csv", {"path": str(path)}), ["^RUT", "^NDX"], resolve_as_of("2024-01-04"))
    assert list(prices.closes["^NDX"]) == [16500.0, 16400.0, 16300.0]
    assert list(prices.frames["^NDX"]["high"]) == [16501.0, 16401.0, 16301.0]
    assert list(prices.frames["^RUT"]["close"]) == [2000.0, 1960.0]
    assert list(prices.frames["^RUT"]["high"]) == [2001.0, 1961.0]
    assert prices.gaps == {"^RUT": ["2024-01-03"]}


@pytest.mark.parametrize("named", [True, False], ids=["file-as-path", "symbol-file-in-folder"])
def test_yfinance_export_without_the_ticker_names_the_tickers_it_holds(tmp_path, named):
    path = write_yfinance_csv(tmp_path / ("indices.csv" if named else "^SPX.csv"), {"^NDX": [1.0, 2.0], "^RUT": [3.0, 4.0]})
    source = make_source("csv", {"path": str(path if named else tmp_path)})
    with pytest.raises(CorruptData) as exc:
        load_prices(source, ["^SPX"], resolve_as_of("latest"))
    assert str(exc.value) == f"^SPX in {path}: has no ^SPX columns (its tickers: ^NDX, ^RUT)"
    assert exc.value.symbol == "^SPX" and "\n" not in str(exc.value)


def test_a_plain_file_as_path_is_refused_not_served_to_every_symbol(tmp_path):
    path = write_yahoo_csv(tmp_path / "RUT.csv", price_frame([100, 101, 102]))
    with pytest.raises(DataError, match="not a yfinance export naming its tickers; set path to a folder"):
        load_prices(make_source("csv", {"path": str(path)}), ["^NDX"], resolve_as_of("latest"))


def test_a_history_export_whose_utc_offset_changes_at_daylight_saving_reads_local_dates(tmp_path):
    """`Ticker.history().to_csv()` prints local midnight with the offset of the day: -05:00
    before the March switch, -04:00 after. Each row keeps its own session date."""
    from marketnotes.data import make_source

    lines = ["Date,Open,High,Low,Close,Volume"]
    for day, offset, close in [("2024-03-07", "-05:00", 100.0), ("2024-03-08", "-05:00", 101.0), ("2024-03-11", "-04:00", 102.0), ("2024-03-12", "-04:00", 103.0)]:
        lines.append(f"{day} 00:00:00{offset},{close},{close},{close},{close},1000")
    (tmp_path / "SPX.csv").write_text("\n".join(lines) + "\n")
    frame = make_source("csv", {"path": str(tmp_path)}).load("^SPX", pd.Timestamp("2024-03-12"))
    assert [d.date().isoformat() for d in frame.index] == ["2024-03-07", "2024-03-08", "2024-03-11", "2024-03-12"]
    assert frame["close"].tolist() == [100.0, 101.0, 102.0, 103.0]


def test_the_snapshot_the_kernel_reads_holds_exactly_the_hosts_prices(tmp_path):
    from marketnotes.data import PriceData

    prices = load_prices(make_source("sample", {}), ["^IXIC", "^GSPC", "^DJI"], resolve_as_of("2018-12-21"))
    prices.to_parquet(tmp_path / "prices.parquet")
    read = PriceData.from_parquet(tmp_path / "prices.parquet")
    assert list(read.frames) == list(prices.frames)
    for symbol, frame in prices.frames.items():
        pd.testing.assert_frame_equal(read.frames[symbol], frame, check_freq=False)
    assert (read.as_of, read.source, read.complete) == (prices.as_of, prices.source, prices.complete)
    assert read.sha256() == prices.sha256()
