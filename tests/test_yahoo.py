"""The yfinance source, tested at the yfinance boundary: `yf.Ticker(...).history` is replaced
by a fake that returns what yfinance really returns (tz-aware index, `Adj Close`, empty frames
for bad symbols, `YFRateLimitError`), and the Parquet cache is exercised for real."""

import logging

import pandas as pd
import pytest
import yfinance as yf
from yfinance.exceptions import YFRateLimitError

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.data.yahoo import tidy_yahoo_frame
from marketnotes.errors import CacheMiss, SourceUnavailable, UnknownSymbol


def yahoo_like(start, end, base=100.0):
    """A frame shaped like `Ticker.history(auto_adjust=False, actions=False)` for an index."""
    days = pd.bdate_range(start, end, tz="America/New_York")
    days = days[~days.normalize().tz_localize(None).isin([pd.Timestamp("2024-01-15")])]  # MLK day
    n = len(days)
    close = [base + i for i in range(n)]
    return pd.DataFrame(
        {"Open": close, "High": [c + 1 for c in close], "Low": [c - 1 for c in close], "Close": close, "Adj Close": close, "Volume": [0] * n},
        index=pd.DatetimeIndex(days, name="Date"),
    )


class FakeTicker:
    calls: list = []
    behaviour: dict = {}

    def __init__(self, symbol):
        self.symbol = symbol

    def history(self, start, end, interval, auto_adjust, actions):
        FakeTicker.calls.append((self.symbol, start, end, auto_adjust))
        action = FakeTicker.behaviour.get(self.symbol, "ok")
        if action == "empty":
            return pd.DataFrame()
        if action == "delisted":  # what yfinance 0.2.5x+ does for a bad ticker: log, return empty
            logging.getLogger("yfinance").error(f"${self.symbol}: possibly delisted; no price data found")
            return pd.DataFrame()
        if isinstance(action, list) and action:
            raise action.pop(0)
        full = yahoo_like("2024-01-02", "2024-02-29")
        frame = full.loc[(full.index.tz_localize(None) >= pd.Timestamp(start)) & (full.index.tz_localize(None) < pd.Timestamp(end))]
        return frame


@pytest.fixture
def fake_yf(monkeypatch):
    FakeTicker.calls = []
    FakeTicker.behaviour = {}
    monkeypatch.setattr(yf, "Ticker", FakeTicker)
    return FakeTicker


def source(tmp_path, offline=False):
    src = make_source("yahoo", {"cache_dir": str(tmp_path)}, offline=offline)
    src.sleep = lambda s: None
    return src


def test_tz_aware_multiindex_frame_becomes_session_dates():
    raw = yahoo_like("2024-01-02", "2024-01-05")
    raw.columns = pd.MultiIndex.from_product([raw.columns, ["^RUT"]], names=["Price", "Ticker"])
    tidy = tidy_yahoo_frame(raw, "^RUT")
    assert tidy.index.tz is None and tidy.index[0] == pd.Timestamp("2024-01-02")
    assert list(tidy.columns) == ["open", "high", "low", "close", "adj_close", "volume"]


def test_passes_auto_adjust_explicitly_and_caches(fake_yf, tmp_path):
    src = source(tmp_path)
    prices = load_prices(src, ["^RUT"], resolve_as_of("2024-01-31"))
    assert prices.as_of == pd.Timestamp("2024-01-31")
    assert fake_yf.calls[0][3] is False  # auto_adjust passed explicitly
    assert fake_yf.calls[0][2] == "2024-02-01"  # yfinance's end is exclusive
    assert (tmp_path / "^RUT.parquet").exists()
    # same range again: served from the cache, no network call
    load_prices(source(tmp_path), ["^RUT"], resolve_as_of("2024-01-31"))
    assert len(fake_yf.calls) == 1


def test_later_as_of_fetches_only_missing_sessions(fake_yf, tmp_path):
    load_prices(source(tmp_path), ["^RUT"], resolve_as_of("2024-01-31"))
    prices = load_prices(source(tmp_path), ["^RUT"], resolve_as_of("2024-02-09"))
    assert fake_yf.calls[-1][1] == "2024-02-01" and len(fake_yf.calls) == 2
    assert prices.closes.index.max() == pd.Timestamp("2024-02-09")
    assert not prices.closes.index.duplicated().any()


def test_offline_serves_cache_and_names_what_is_missing(fake_yf, tmp_path):
    load_prices(source(tmp_path), ["^RUT"], resolve_as_of("2024-01-31"))
    ok = load_prices(source(tmp_path, offline=True), ["^RUT"], resolve_as_of("2024-01-26"))
    assert ok.as_of == pd.Timestamp("2024-01-26")
    with pytest.raises(CacheMiss, match=r"lacks sessions 2024-02-01 .. 2024-02-09"):
        load_prices(source(tmp_path, offline=True), ["^RUT"], resolve_as_of("2024-02-09"))
    with pytest.raises(CacheMiss, match="all history"):
        load_prices(source(tmp_path, offline=True), ["^NDX"], resolve_as_of("2024-01-31"))
    assert len(fake_yf.calls) == 1


def test_empty_frame_is_unknown_symbol(fake_yf, tmp_path):
    fake_yf.behaviour["^NOPE"] = "empty"
    with pytest.raises(UnknownSymbol, match=r"'\^NOPE' for source 'yahoo'.*delisted"):
        load_prices(source(tmp_path), ["^NOPE"], resolve_as_of("2024-01-31"))
    assert not (tmp_path / "^NOPE.parquet").exists()


def test_rate_limit_is_retried_then_reported(fake_yf, tmp_path):
    fake_yf.behaviour["^RUT"] = [YFRateLimitError(), YFRateLimitError()]
    prices = load_prices(source(tmp_path), ["^RUT"], resolve_as_of("2024-01-31"))
    assert len(fake_yf.calls) == 3 and prices.as_of == pd.Timestamp("2024-01-31")
    fake_yf.behaviour["^NDX"] = [YFRateLimitError() for _ in range(10)]
    with pytest.raises(SourceUnavailable, match="rate limited after 5 attempts"):
        load_prices(source(tmp_path), ["^NDX"], resolve_as_of("2024-01-31"))


def test_cache_write_is_atomic(fake_yf, tmp_path, monkeypatch):
    load_prices(source(tmp_path), ["^RUT"], resolve_as_of("2024-01-31"))
    before = (tmp_path / "^RUT.parquet").read_bytes()

    def crash(self, *a, **k):
        raise KeyboardInterrupt  # killed mid-write

    monkeypatch.setattr(pd.DataFrame, "to_parquet", crash)
    with pytest.raises(KeyboardInterrupt):
        load_prices(source(tmp_path), ["^RUT"], resolve_as_of("2024-02-09"))
    assert (tmp_path / "^RUT.parquet").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["^RUT.parquet"]


def test_delisted_symbol_quotes_yfinance_instead_of_printing_its_log(fake_yf, tmp_path, capsys, caplog):
    fake_yf.behaviour["^RUTX"] = "delisted"
    with caplog.at_level(logging.DEBUG), pytest.raises(UnknownSymbol) as exc:
        load_prices(source(tmp_path), ["^RUTX"], resolve_as_of("2024-01-31"))
    assert "^RUTX" in str(exc.value) and "possibly delisted" in str(exc.value)
    captured = capsys.readouterr()
    assert "delisted" not in captured.err + captured.out
    assert not [r for r in caplog.records if r.name.startswith("yfinance")]
