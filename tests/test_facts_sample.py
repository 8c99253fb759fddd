"""History facts on the bundled sample at dates whose headlines are known: the notes promise
these claims, so the numbers behind them are pinned here."""

import pandas as pd
import pytest

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.facts import FactsConfig, compute_facts

SYMBOLS = ["^GSPC", "^IXIC", "^DJI"]
LABELS = {"^GSPC": "S&P 500", "^IXIC": "NASDAQ Composite", "^DJI": "Dow"}


@pytest.fixture(scope="module")
def prices():
    return load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))


def facts_at(prices, day):
    as_of = pd.Timestamp(day)
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "3m", "ytd"), ("^IXIC", "^DJI"))
    return compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of])


def test_october_2008_dow_best_day_since_the_1930s(prices):
    f = facts_at(prices, "2008-10-17")
    assert f.value("session.week_complete") == 1
    assert f.value("DJI.week.best.date") == "2008-10-13"
    assert f.value("DJI.week.best.ret") == pytest.approx(0.111, abs=0.001)
    assert f.value("DJI.week.best.since") == "1933-03-15"


def test_december_2018_nasdaq_bear_and_sp500_correction(prices):
    f = facts_at(prices, "2018-12-21")
    assert f.value("IXIC.regime.state") == "bear" and f.value("IXIC.regime.peak.date") == "2018-08-29"
    assert f.value("IXIC.regime.drawdown") == pytest.approx(-0.219, abs=0.001)
    assert f.value("IXIC.regime.entered") == "2018-12-21" and f.value("IXIC.regime.prev_state") == "correction"
    assert f.value("GSPC.regime.state") == "correction" and f.value("GSPC.regime.peak.date") == "2018-09-20"


def test_april_2000_nasdaq_worst_week_in_the_data(prices):
    f = facts_at(prices, "2000-04-14")
    assert f.value("IXIC.ret.1w") == pytest.approx(-0.253, abs=0.001)
    assert f.value("IXIC.week_extreme.data_start") == "1999-01-04"


def test_july_2017_nasdaq_ten_session_winning_streak_ended(prices):
    f = facts_at(prices, "2017-07-21")
    assert f.value("IXIC.streak.ended") == 10
    assert f["IXIC.streak.ended"].start == "2017-07-07" and f["IXIC.streak.ended"].end == "2017-07-20"
    assert f.value("IXIC.streak.ended_date") == "2017-07-21"
    assert f.value("IXIC.streak.ended_change") == pytest.approx(0.049, abs=0.001)
    assert f.value("IXIC.streak.ended_since") == "2015-02-24"  # its longest since February 2015


def test_october_2007_records_on_tuesday(prices):
    f = facts_at(prices, "2007-10-12")
    for key in ("GSPC", "DJI"):
        assert f.value(f"{key}.week.records") == 1 and f.value(f"{key}.week.record.date") == "2007-10-09"
        assert f.value(f"{key}.ath.today") == 0  # Friday itself was no record: only the week facts tell it
    assert f.value("GSPC.week.record.value") == pytest.approx(1565.15, abs=0.01)
    assert f.value("DJI.week.record.value") == pytest.approx(14164.53, abs=0.01)
    assert f.value("IXIC.week.records") == 0 and "IXIC.week.record.date" not in f
