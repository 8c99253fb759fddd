"""Calendar months (facts/months.py) on constructed series with answers known by hand, then on
the bundled sample at month-ends whose moves are known."""

import pandas as pd
import pytest

from conftest import sessions
from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.facts.months import is_month_complete, monthly_returns


def constructed():
    """Flat at 100 for 2022 and 2023 except: -20% in March 2022, +5% over January 2024 with
    a +3% best day on Jan. 10 and a -1% worst day on Jan. 17."""
    idx = sessions("2022-01-03", 560)
    values = pd.Series(100.0, index=idx)
    values.loc["2022-03-15":] *= 0.8
    jan = values.loc["2024-01"].index
    daily = pd.Series(0.0, index=jan)
    daily.loc["2024-01-10"], daily.loc["2024-01-17"] = 0.03, -0.01
    rest = (1.05 / (1.03 * 0.99)) ** (1 / (len(jan) - 2)) - 1
    daily[(daily.index != "2024-01-10") & (daily.index != "2024-01-17")] = rest
    values.loc[jan] = values.loc["2023-12-29"] * (1 + daily).cumprod()
    values.loc["2024-02-01":] = values.loc["2024-01-31"]
    return pd.DataFrame({"A": values.to_numpy()}, index=idx)


def facts_for(closes, as_of, kind="monthly-review"):
    config = FactsConfig({"A": "Index A"}, ("1d", "1w", "1m", "ytd"), None, 1.0, frozenset(), kind)
    return compute_facts(closes.loc[:as_of], pd.Timestamp(as_of), config)


def test_the_month_its_best_and_worst_days_and_how_rare_it_was():
    f = facts_for(constructed(), "2024-01-31")
    assert f.value("month.complete") == 1 and f.value("month.start") == "2023-12-29"
    assert f.value("A.month.ret") == pytest.approx(0.05)
    assert (f["A.month.ret"].start, f["A.month.ret"].end) == ("2023-12-29", "2024-01-31")
    assert f.value("A.month.best.date") == "2024-01-10" and f.value("A.month.best.ret") == pytest.approx(0.03)
    assert f.value("A.month.worst.date") == "2024-01-17" and f.value("A.month.worst.ret") == pytest.approx(-0.01)
    assert f["A.month.best.ret"].start is None  # one session: its verb is sized for a day
    assert f.value("A.month.sessions") == 21 and f.value("A.month.up_days") == 20
    # no earlier month gained 5%, but 23 months are too few to say "its best in the data"
    assert "A.month.since" not in f and "A.month.data_start" not in f
    assert "A.month.best.since" not in f and f.value("A.month.best.data_start") == "2022-01-03"  # no +3% day before it


def test_the_heat_table_holds_twelve_calendar_months_ending_with_the_notes():
    f = facts_for(constructed(), "2024-01-31")
    months = sorted(x.id for x in f if x.id.startswith("A.month.20"))
    assert months[0] == "A.month.2023_02" and months[-1] == "A.month.2024_01" and len(months) == 12
    assert f.value("A.month.2024_01") == f.value("A.month.ret")
    assert f.value("A.months.count") == 12 and f.value("A.months.up") == 1
    g = facts_for(constructed(), "2022-03-31")
    assert g.value("A.month.2022_03") == pytest.approx(-0.2) and g.value("A.months.count") == 2  # the data's first month has no base


@pytest.mark.parametrize("fall, since", [(0.10, "2022-03-31"), (0.25, None)])
def test_a_worst_month_dates_from_the_last_one_as_bad(fall, since):
    closes = constructed()
    closes.loc["2024-02-01":, "A"] *= 1 - fall
    f = facts_for(closes, "2024-02-29")
    assert f.value("A.month.ret") == pytest.approx(-fall)
    assert f.value("A.month.since") == since  # the end of March 2022, its -20% month
    assert ("A.month.data_start" in f) == (since is None)


def test_a_month_still_running_is_told_to_date_and_not_ranked():
    closes = constructed()
    f = facts_for(closes, "2024-01-12")
    assert f.value("month.complete") == 0
    assert f.value("A.month.ret") == pytest.approx(closes.loc["2024-01-12", "A"] / closes.loc["2023-12-29", "A"] - 1)
    assert f.value("A.month.sessions") == 9
    assert "A.month.since" not in f and "A.month.data_start" not in f


def test_month_end_follows_the_exchange_calendar():
    assert is_month_complete(pd.Timestamp("2018-03-29"))  # Good Friday 2018 was March 30
    assert not is_month_complete(pd.Timestamp("2018-03-28"))
    assert is_month_complete(pd.Timestamp("2018-12-31"))


def test_monthly_returns_run_from_each_previous_month_end():
    closes = constructed()["A"]
    months = monthly_returns(closes, pd.Timestamp("2022-04-29"))
    assert list(months.index.astype(str)) == ["2022-02", "2022-03", "2022-04"]
    assert months.loc["2022-03", "ret"] == pytest.approx(-0.2) and str(months.loc["2022-03", "start"].date()) == "2022-02-28"


def test_only_a_monthly_review_pays_for_month_facts():
    weekly = facts_for(constructed(), "2024-01-31", kind="weekly")
    assert not [f.id for f in weekly if ".month" in f.id or f.id.startswith(("month.", "note."))]


@pytest.fixture(scope="module")
def sample():
    symbols = ["^IXIC", "^GSPC", "^DJI"]
    prices = load_prices(make_source("sample", {}), symbols, resolve_as_of("2018-12-31"))
    config = FactsConfig({"^IXIC": "NASDAQ Composite", "^GSPC": "S&P 500", "^DJI": "Dow"}, ("1d", "1w", "1m", "ytd"), ("^IXIC", "^DJI"), complete=prices.complete, kind="monthly-review")
    return prices, config


def test_december_2018_the_worst_month_since_the_financial_crisis(sample):
    prices, config = sample
    as_of = pd.Timestamp("2018-12-31")
    f = compute_facts(prices.closes, as_of, config, prices.highs)
    assert f.value("DJI.month.ret") == pytest.approx(-0.0866, abs=0.0001)
    assert f.value("DJI.month.since") == "2009-02-27" and f.value("IXIC.month.since") == "2008-11-28"
    assert f.value("DJI.month.best.date") == "2018-12-26" and f.value("DJI.month.best.since") == "2009-03-23"
    assert f.value("IXIC.month.worst.date") == "2018-12-04" and f.value("IXIC.month.sessions") == 19
    assert f.value("GSPC.month.2018_01") == pytest.approx(0.0562, abs=0.0001)
