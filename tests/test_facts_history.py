"""Known record closes (facts/history.py, data/records.py): "record" said only when it is true,
also on data that starts after an index's record was set."""

from __future__ import annotations

import pandas as pd
import pytest

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.data.records import bundled_records, known_records
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.narrative import write_note
from marketnotes.params import NoteParams

SYMBOLS = ["^GSPC", "^IXIC", "^DJI"]
LABELS = {"^GSPC": "S&P 500", "^IXIC": "Nasdaq Composite", "^DJI": "Dow"}


@pytest.fixture(scope="module")
def prices():
    return load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))


def test_every_bundled_row_the_sample_covers_is_true_to_it(prices):
    """A row is a record close (above every earlier close) and `until` is the first close above
    it, wherever the bundled sample reaches; rows past it carry a source."""
    dow = load_prices(make_source("sample", {}), ["^DJI"], resolve_as_of("2023-11-21"))  # the Dow's sample runs on
    closes = {**{s: prices.closes[s].dropna() for s in SYMBOLS}, "^DJI": dow.closes["^DJI"].dropna()}
    checked = 0
    for symbol, rows in bundled_records().items():
        for row in rows:
            assert row.source, (symbol, row.date)
            if symbol not in closes or row.date not in closes[symbol].index:
                continue
            series = closes[symbol]
            assert series.loc[row.date] == pytest.approx(row.close, abs=0.01)
            if symbol in prices.complete:
                assert series.loc[: row.date].iloc[:-1].max() < row.close
            later = series.loc[row.date:].iloc[1:]
            above = later[later > row.close]
            if len(above):
                assert above.index[0] == row.until, (symbol, row.date)
            checked += 1
    assert checked >= 8


def facts_from(prices, start: str, as_of: str, known=True):
    closes = prices.closes.loc[start:as_of, ["^GSPC", "^DJI"]]
    labels = {s: LABELS[s] for s in closes.columns}
    config = FactsConfig(labels, ("1d", "1w", "1m"), None, known_records=bundled_records() if known else {})
    return compute_facts(closes, closes.index[-1], config)


def test_a_file_that_starts_in_2010_knows_the_2007_record(prices):
    """The S&P 500 from 2010: its 2013-03-28 close is its first record since Oct. 9, 2007, and
    in 2012 it is measured against that record, not against the file's own high."""
    f = facts_from(prices, "2010-01-04", "2012-06-01")
    assert f.value("GSPC.history.records") == 1 and f.value("GSPC.history.complete") == 0
    assert f.value("GSPC.ath.date") == "2007-10-09" and f.value("GSPC.ath.value") == pytest.approx(1565.15)
    assert f.value("GSPC.regime.peak.record") == 0  # its April 2011 high was no record
    f = facts_from(prices, "2010-01-04", "2013-03-28")
    assert f.value("GSPC.ath.today") == 1 and f.value("GSPC.records.prev_date") == "2007-10-09"
    assert f.value("GSPC.week.records") == 1


def test_without_a_known_record_the_prose_says_peak_not_record(prices):
    f = facts_from(prices, "2010-01-04", "2013-03-28", known=False)
    assert f.value("GSPC.history.records") == 0
    narrative, check = write_note(f, ["^GSPC", "^DJI"], None)
    assert check.ok and "S&P 500 closed at a record" not in narrative.to_text()
    f = facts_from(prices, "2010-01-04", "2013-03-28")
    narrative, check = write_note(f, ["^GSPC", "^DJI"], None)
    assert check.ok and not check.style and "record" in narrative.to_text()


def test_a_record_inside_the_data_makes_records_honest_from_that_day(prices):
    """A file from June 1999 (after the Dec. 29, 1998 record was beaten, before the March 2000
    one): records are unknown until the bundled record of March 24, 2000 is in the data; from
    then the file's high is the all-time high."""
    assert facts_from(prices, "1999-06-01", "1999-07-16").value("GSPC.history.records") == 0
    f = facts_from(prices, "1999-06-01", "2000-03-24")
    assert f.value("GSPC.history.records") == 1 and f.value("GSPC.ath.today") == 1


def test_the_sample_knows_the_1998_records_it_starts_after(prices):
    """The sample's S&P 500 starts on Jan. 4, 1999 at 1,228.10, below the Dec. 29, 1998 record
    of 1,241.81: that day is no record, Jan. 5 (1,244.78) is, and records are told from the start."""
    f = facts_from(prices, "1999-01-04", "1999-01-04")
    assert f.value("GSPC.history.records") == 1 and f.value("GSPC.ath.date") == "1998-12-29" and f.value("GSPC.ath.today") == 0
    assert facts_from(prices, "1999-01-04", "1999-01-05").value("GSPC.ath.today") == 1


def test_a_params_record_is_used_and_checked():
    params = NoteParams.model_validate({"indices": [{"symbol": "^RUT", "label": "Russell 2000", "record": {"date": "2021-11-08", "close": 2442.74, "until": "2025-09-18"}}, {"symbol": "XYZ", "label": "Mine", "record": {"date": "2020-01-02", "close": 100}}]})
    known = known_records(params)
    assert known["^RUT"][-1].source == "params" and known["XYZ"][0].until is None
    with pytest.raises(ValueError):
        NoteParams.model_validate({"indices": [{"symbol": "XYZ", "label": "Mine", "record": {"date": "2020-01-02", "close": -1}}]})


def test_a_standing_record_needs_its_end_date(prices):
    """A record before the data without `until` may have been beaten before the file starts: it
    proves nothing, and "record" stays unsaid."""
    closes = prices.closes.loc["2010-01-04":"2013-03-28", ["^GSPC"]]
    rows = {"^GSPC": tuple(r.__class__(r.date, r.close, None, r.source) for r in bundled_records()["^GSPC"])}
    f = compute_facts(closes, closes.index[-1], FactsConfig({"^GSPC": "S&P 500"}, ("1d", "1w"), None, known_records=rows))
    assert f.value("GSPC.history.records") == 0 and pd.Timestamp(f.value("GSPC.ath.date")) >= pd.Timestamp("2010-01-04")
