"""The story arc: phases with known turning points on constructed series, and on real episodes."""

import time

import numpy as np
import pandas as pd
import pytest

from marketnotes.facts.arc import add_arc_facts, arc_phases
from marketnotes.facts.table import FactTable
from marketnotes.facts.trend import last_leg, reversal_threshold
from test_facts import panel

PEAK, RANGE_START, RALLY = 60, 80, 106  # positions in `story()`: the peak, the fall's low, the rally's first session


def story(seed=7):
    """Rise 20% into a peak on a CPI day, fall 12%, 25 sessions sideways, rally hard from the next CPI day."""
    rng = np.random.default_rng(seed)
    rise = 100 * np.cumprod(1 + rng.normal(0.003, 0.004, PEAK))
    peak = rise.max() * 1.01
    fall = peak * np.cumprod(1 + rng.normal(-0.0065, 0.003, RANGE_START - PEAK))
    flat = fall[-1] * (1 + rng.normal(0.001, 0.002, RALLY - RANGE_START - 1))
    rally = flat[-1] * np.cumprod(1 + rng.normal(0.01, 0.003, 15))
    return np.concatenate([rise, [peak], fall, flat, rally])


def events_at(days, labels, kinds):
    return pd.DataFrame({"date": pd.DatetimeIndex(days), "label": labels, "kind": kinds, "reference": ""})


def story_frame():
    closes = panel(A=story())
    idx = closes.index
    events = events_at([idx[PEAK + 1], idx[RALLY], idx[RALLY - 2]], ["April CPI", "June CPI", "FOMC decision"], ["cpi", "cpi", "fomc"])
    return closes, events


def near(day, target, index, sessions=1):
    return abs(index.get_loc(day) - target) <= sessions


def test_fall_range_rally_with_their_events():
    closes, events = story_frame()
    idx = closes.index
    phases = arc_phases(closes["A"], idx[-1], events)
    assert [p.kind for p in phases] == ["fall", "range", "rise"]
    fall, flat, rally = phases
    assert fall.start == idx[PEAK]  # the zigzag's turning point, exactly
    assert fall.start_event == "April CPI" and fall.start_event_date == idx[PEAK + 1]  # the fall's first session
    assert fall.change == pytest.approx(-0.12, abs=0.03)
    assert near(flat.start, RANGE_START, idx) and flat.start == fall.end
    assert 20 <= flat.sessions <= 28 and flat.width < 0.03 and flat.start_event is None
    # the rally starts from the close before the June CPI session; CPI beats an FOMC as near
    assert near(rally.start, RALLY, idx) and rally.end == idx[-1] and rally.change > 0.08
    assert rally.start_event == "June CPI" and rally.start_event_date == idx[RALLY]
    assert fall.sessions + flat.sessions + rally.sessions == len(idx) - 1 - PEAK


def test_max_phases_keeps_the_latest():
    closes, events = story_frame()
    phases = arc_phases(closes["A"], closes.index[-1], events, max_phases=2)
    assert [p.kind for p in phases] == ["range", "rise"]


def test_only_a_release_on_the_legs_first_session_is_tied_to_the_turn():
    """A release is named for a turn only when its session made the new leg's first move: one
    on the turning day itself closed the old leg, and one days away caused neither."""
    values = list(np.linspace(100, 130, 40)) + list(np.linspace(129, 110, 20))
    closes = panel(A=np.array(values) * (1 + np.random.default_rng(1).normal(0, 0.001, 60)))
    idx = closes.index
    peak = int(np.argmax(closes["A"].to_numpy()))
    tied = events_at([idx[peak + 1], idx[peak + 1]], ["FOMC decision", "March CPI"], ["fomc", "cpi"])
    (fall,) = arc_phases(closes["A"], idx[-1], tied)
    assert fall.start == idx[peak] and fall.start_event == "March CPI"  # CPI first on a shared session
    for day in (peak, peak - 1, peak + 2, peak + 3):
        assert arc_phases(closes["A"], idx[-1], events_at([idx[day]], ["March CPI"], ["cpi"]))[0].start_event is None


def test_current_phase_starts_where_the_trend_facts_say():
    rng = np.random.default_rng(3)
    values = np.concatenate([np.linspace(100, 150, 120), np.linspace(149, 120, 30)]) * (1 + rng.normal(0, 0.002, 150))
    closes = panel(A=values)
    series = closes["A"]
    vol = series.pct_change().iloc[-63:].std()
    _, pivot, _ = last_leg(values, reversal_threshold(vol))
    phases = arc_phases(series, closes.index[-1])
    assert phases[-1].kind == "fall" and phases[-1].start == closes.index[pivot]


def test_steady_uptrend_has_no_phase_at_the_window_edge():
    rng = np.random.default_rng(11)
    closes = panel("2023-01-03", A=100 * np.cumprod(1 + rng.normal(0.003, 0.006, 300)))
    idx = closes.index
    phases = arc_phases(closes["A"], idx[-1])
    assert phases == []  # nothing turned in the last 130 sessions, and the window edge is no turning point
    assert all(p.start not in (idx[-130], idx[0]) for p in arc_phases(closes["A"], idx[-1], lookback_sessions=60))


@pytest.mark.parametrize("shape", ["falls_from_the_first_row", "flat_from_the_first_row"])
def test_short_data_never_starts_the_arc_at_its_first_row(shape):
    rng = np.random.default_rng(5)
    if shape == "falls_from_the_first_row":
        head = 100 * np.cumprod(1 + rng.normal(-0.006, 0.004, 30))
    else:
        head = 100 * (1 + rng.normal(0, 0.002, 25))
    tail = head[-1] * np.cumprod(1 + rng.normal(0.007, 0.004, 30))
    closes = panel(A=np.concatenate([head, tail]))
    idx = closes.index
    phases = arc_phases(closes["A"], idx[-1])  # 55-60 closes: shorter than the 130-session lookback
    assert phases and all(p.start != idx[0] for p in phases)
    assert phases[-1].kind == "rise" and near(phases[-1].start, len(head) - 1, idx, 2)


def test_arc_facts_for_the_pair():
    closes, events = story_frame()
    rng = np.random.default_rng(2)
    closes["B"] = 50 * np.cumprod(1 + rng.normal(0.002, 0.004, len(closes)))  # sets records as A slides
    as_of = closes.index[-1]
    table = FactTable(as_of.date().isoformat(), {"A": "Index A", "B": "Index B"})
    add_arc_facts(table, closes, as_of, ("A", "B"), events)
    phases = arc_phases(closes["A"], as_of, events)
    assert table.value("A.arc.count") == 3
    for i, p in enumerate(phases):
        assert table.value(f"A.arc.{i}.kind") == p.kind
        assert table.value(f"A.arc.{i}.start") == p.start.date().isoformat()
        assert table.value(f"A.arc.{i}.end") == p.end.date().isoformat()
        assert table.value(f"A.arc.{i}.change") == pytest.approx(p.change)
        assert table.value(f"A.arc.{i}.sessions") == p.sessions
        fact = table[f"A.arc.{i}.change"]
        assert (fact.start, fact.end, fact.symbol) == (p.start.date().isoformat(), p.end.date().isoformat(), "A")
    assert "A.arc.1.width" in table and "A.arc.0.width" not in table
    assert table.value("A.arc.0.start_event") == "April CPI" and table.value("A.arc.2.start_event") == "June CPI"
    assert "A.arc.1.start_event" not in table and "A.arc.1.start_event_date" not in table
    start = phases[0].start
    b = closes["B"]
    assert table.value("A.arc.other.change") == pytest.approx(b.iloc[-1] / b.loc[start] - 1)
    records = (b > b.cummax().shift(1)).loc[start:].iloc[1:]
    assert table.value("A.arc.other.records") == records.sum() > 0
    assert table["A.arc.other.records"].symbol == "B" and table["A.arc.other.records"].start == start.date().isoformat()
    assert "A.arc.other.high_since" not in table  # B closes at a record: no "highest since"
    assert "B.arc.count" in table  # both indices of the pair get an arc
    bare = FactTable(as_of.date().isoformat(), {})
    add_arc_facts(bare, closes, as_of, None, events)
    assert len(bare) == 0


@pytest.fixture(scope="module")
def sample():
    from marketnotes.calendar import resolve_as_of
    from marketnotes.data import load_prices, make_source
    from marketnotes.events import load_events

    prices = load_prices(make_source("sample", {}), ["^IXIC", "^DJI"], resolve_as_of("2018-12-31"))
    return prices.closes, load_events(["cpi"])


@pytest.mark.parametrize(("as_of", "peak", "at_most"), [("2018-12-21", "2018-08-29", -0.20), ("2000-04-14", "2000-03-10", -0.30)])
def test_nasdaq_falls_from_its_record(sample, as_of, peak, at_most):
    closes, events = sample
    nasdaq = closes["^IXIC"].dropna()
    assert nasdaq.loc[:as_of].idxmax() == pd.Timestamp(peak)  # the record close, checked in the data
    phases = arc_phases(closes["^IXIC"], pd.Timestamp(as_of), events)
    (since,) = [p for p in phases if p.start == pd.Timestamp(peak)]
    assert since.kind == "fall"
    later = phases[phases.index(since) :]
    assert np.prod([1 + p.change for p in later]) - 1 == pytest.approx(nasdaq.loc[as_of] / nasdaq.loc[peak] - 1)
    assert nasdaq.loc[as_of] / nasdaq.loc[peak] - 1 <= at_most


def test_fast_enough_for_a_sweep(sample):
    closes, events = sample
    fridays = [d for d in closes.loc["2008"].index if d.weekday() == 4][:20]
    started = time.perf_counter()
    for day in fridays:
        arc_phases(closes["^IXIC"], day, events)
    assert (time.perf_counter() - started) / len(fridays) < 0.05  # ~5 ms on a laptop; a guard against O(n^3)
