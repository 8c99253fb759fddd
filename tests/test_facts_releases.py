"""Release-day reactions (facts/releases.py) on constructed series with answers known by hand,
then on the bundled sample at releases whose reactions are known."""

import numpy as np
import pandas as pd
import pytest

from conftest import sessions
from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.facts.releases import release_moves

N = 40 * 21  # about 40 months of sessions: 40 monthly releases


def constructed():
    """Two indices with a quiet drift; on each release session A moves by a chosen amount.
    Releases fall on the 10th session of each 21-session block."""
    idx = sessions("2015-01-02", N)
    release_at = list(range(10, N, 21))
    moves = np.full(len(release_at), 0.002)  # routine release days: +0.2%
    moves[5] = -0.03  # a -3% release day long ago
    moves[20] = -0.015
    moves[-1] = -0.02  # the note's release: -2%
    a, b = np.ones(N) * 100.0, np.ones(N) * 100.0
    for i in range(1, N):
        a[i] = a[i - 1] * 1.0005
        b[i] = b[i - 1] * 1.0005
    for pos, move in zip(release_at, moves, strict=True):
        a[pos:] *= (1 + move) / 1.0005  # the drift of that session is replaced by the move
    closes = pd.DataFrame({"A": a, "B": b}, index=idx)
    events = pd.DataFrame({"date": idx[release_at], "label": [f"R{i}" for i in range(len(release_at))], "kind": "cpi", "reference": ""})
    return closes, events, idx[release_at]


def facts_for(closes, events, as_of, kind="cpi-reaction"):
    config = FactsConfig({"A": "Index A", "B": "Index B"}, ("1d", "1w", "1m"), ("A", "B"), 1.0, frozenset(), kind)
    return compute_facts(closes.loc[:as_of], pd.Timestamp(as_of), config, None, events)


def test_the_release_day_move_against_every_earlier_release_day():
    closes, events, days = constructed()
    f = facts_for(closes, events, days[-1])
    assert f.value("cpi.release.date") == days[-1].date().isoformat() and f.value("cpi.release.label") == f"R{len(days) - 1}"
    assert f.value("A.cpi.release.day") == pytest.approx(-0.02)
    assert f["A.cpi.release.day"].start is None  # one session: its verb is sized for a day
    assert f.value("A.cpi.release.count") == len(days) - 1
    assert f.value("A.cpi.release.rank") == 2  # only the -3% day was bigger
    assert f.value("A.cpi.release.share_smaller") == pytest.approx((len(days) - 2) / (len(days) - 1))  # all but the -3% day
    assert f.value("A.cpi.release.share_bigger") == pytest.approx(1 / (len(days) - 1))
    earlier = np.array([0.002] * (len(days) - 1))
    earlier[5], earlier[20] = -0.03, -0.015
    assert f.value("A.cpi.release.avg_abs") == pytest.approx(np.abs(earlier).mean())
    assert f.value("A.cpi.release.avg_abs_other") == pytest.approx(0.0005)
    # the last release day that fell as far is the -3% one (the -1.5% one fell less)
    assert f.value("A.cpi.release.since") == days[5].date().isoformat()
    assert "A.cpi.release.after" not in f  # the note is on the release day itself
    assert f.value("cpi.release.sessions_after") == 0


def test_a_biggest_ever_move_dates_from_the_first_release_and_the_pair_gap():
    closes, events, days = constructed()
    f = facts_for(closes, events, days[5])
    assert f.value("A.cpi.release.rank") == 1 and "A.cpi.release.since" not in f
    assert "A.cpi.release.data_start" not in f  # five earlier releases are too few to say "since the data starts"
    # the pair's gap, in points: A fell 3%, B drifted up 0.05%
    assert f.value("rot.cpi.release.gap") == pytest.approx((-0.03 - 0.0005) * 100)
    g = facts_for(closes, events, days[-1])
    assert g.value("rot.cpi.release.gap") == pytest.approx((-0.02 - 0.0005) * 100)
    assert g.value("rot.cpi.release.gap_since") == days[5].date().isoformat()


def test_the_note_is_about_the_latest_release_on_or_before_its_as_of():
    closes, events, days = constructed()
    two_after = closes.index[closes.index.get_loc(days[-1]) + 2]
    f = facts_for(closes, events, two_after)
    assert f.value("cpi.release.date") == days[-1].date().isoformat()
    assert f.value("cpi.release.sessions_after") == 2
    assert f.value("A.cpi.release.after") == pytest.approx(1.0005**2 - 1)
    assert f["A.cpi.release.after"].start == days[-1].date().isoformat()
    the_day_before = closes.index[closes.index.get_loc(days[-1]) - 1]
    assert facts_for(closes, events, the_day_before).value("cpi.release.date") == days[-2].date().isoformat()


def test_a_release_dated_on_a_weekend_moves_the_next_session():
    closes, _, _ = constructed()
    saturday = pd.DataFrame({"date": [pd.Timestamp("2016-01-09")], "label": ["R"], "kind": "cpi", "reference": ""})
    moves = release_moves(closes, saturday, closes.index[-1], "cpi")
    assert list(moves.index) == [pd.Timestamp("2016-01-11")] and moves["A"].iloc[0] == pytest.approx(closes["A"].pct_change().loc["2016-01-11"])


def test_only_a_cpi_note_pays_for_release_facts():
    closes, events, days = constructed()
    weekly = facts_for(closes, events, days[-1], kind="weekly")
    assert not [f.id for f in weekly if ".release." in f.id or f.id.startswith("note.")]
    cpi = facts_for(closes, events, days[-1])
    assert cpi.value("note.kind") == "cpi-reaction"
    assert {f.id for f in weekly} < {f.id for f in cpi}  # the weekly facts are all there, unchanged
    assert all(cpi.value(f.id) == f.value for f in weekly)


@pytest.fixture(scope="module")
def sample():
    symbols = ["^IXIC", "^GSPC", "^DJI"]
    prices = load_prices(make_source("sample", {}), symbols, resolve_as_of("2018-12-31"))
    config = FactsConfig({"^IXIC": "NASDAQ Composite", "^GSPC": "S&P 500", "^DJI": "Dow"}, ("1d", "1w", "1m", "ytd"), ("^IXIC", "^DJI"), complete=prices.complete, kind="cpi-reaction")
    return prices, config, load_events(["cpi"])


def sample_facts(sample, day):
    prices, config, events = sample
    as_of = pd.Timestamp(day)
    return compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of], events)


def test_october_2018_the_dows_biggest_release_day_drop_since_2011(sample):
    f = sample_facts(sample, "2018-10-11")
    assert f.value("cpi.release.label") == "September CPI"
    assert f.value("DJI.cpi.release.day") == pytest.approx(-0.0213, abs=0.0001)
    assert f.value("DJI.cpi.release.since") == "2011-08-18"
    # 237 releases before it; the March 2017 CPI came out on Good Friday, markets shut: not a release session
    assert f.value("DJI.cpi.release.count") == 236 and f.value("DJI.cpi.release.first") == "1999-01-14"
    assert f.value("DJI.cpi.release.share_smaller") == pytest.approx(0.932, abs=0.001)
    assert f.value("rot.cpi.release.gap") == pytest.approx(0.88, abs=0.01)  # the Nasdaq fell less
    assert f.value("cpi.next.date") == "2018-11-14"


def test_october_2008_the_nasdaqs_biggest_release_day_gain_in_the_data(sample):
    f = sample_facts(sample, "2008-10-17")  # the day after the release
    assert f.value("cpi.release.date") == "2008-10-16" and f.value("cpi.release.sessions_after") == 1
    assert f.value("IXIC.cpi.release.day") == pytest.approx(0.0549, abs=0.0001)
    assert f.value("IXIC.cpi.release.data_start") == "1999-01-14" and f.value("IXIC.cpi.release.rank") == 2
    assert f.value("IXIC.cpi.release.after") == pytest.approx(-0.0038, abs=0.0001)


def test_a_release_day_is_also_set_against_every_earlier_day():
    closes, events, days = constructed()
    f = facts_for(closes, events, days[-1])  # -2%: the -3% release day is the last day as bad
    assert f.value("A.cpi.release.day_since") == days[5].date().isoformat()
    g = facts_for(closes, events, days[5])  # -3%: no earlier day of any kind was as bad, but under a year of days says nothing
    assert "A.cpi.release.day_since" not in g and "A.cpi.release.day_data_start" not in g


def test_april_2000_the_nasdaqs_release_day_was_its_worst_day_in_the_data(sample):
    f = sample_facts(sample, "2000-04-14")
    assert f.value("IXIC.cpi.release.day") == pytest.approx(-0.0967, abs=0.0001)
    assert f.value("IXIC.cpi.release.day_data_start") == "1999-01-04" and "IXIC.cpi.release.since" not in f
    assert f.value("DJI.cpi.release.day_since") == "1998-08-31"
