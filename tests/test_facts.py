"""Every fact family on constructed series with answers known by hand."""

import numpy as np
import pandas as pd
import pytest

from conftest import sessions
from marketnotes.facts import FactsConfig, compute_facts, rotation_days
from marketnotes.facts.trend import last_leg


def panel(start="2024-01-02", **series):
    n = len(next(iter(series.values())))
    idx = sessions(start, n)
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in series.items()}, index=idx)


def facts_for(closes, as_of=None, pair=None, events=None, highs=None, windows=("1d", "1w", "1m", "ytd")):
    labels = {s: s.lstrip("^") + " index" for s in closes.columns}
    as_of = closes.index[-1] if as_of is None else pd.Timestamp(as_of)
    return compute_facts(closes, as_of, FactsConfig(labels, windows, pair, 1.0), highs, events)


def test_window_returns_use_calendar_anchors():
    # 2024-01-02 .. : weekly anchor for Friday 2024-02-09 is Friday 2024-02-02
    closes = panel(A=np.linspace(100, 130, 28))
    f = facts_for(closes)
    assert f.value("session.date") == "2024-02-09"
    assert f["A.ret.1d"].start == "2024-02-08"
    assert f.value("A.ret.1d") == pytest.approx(130 / closes["A"].iloc[-2] - 1)
    assert f["A.ret.1w"].start == "2024-02-02"
    assert f.value("A.ret.1w") == pytest.approx(130 / closes["A"].loc["2024-02-02"] - 1)
    assert f["A.ret.1m"].start == "2024-01-09"
    assert "A.ret.ytd" not in f  # no close in the previous year: the fact does not exist


def test_as_of_first_session_has_level_but_no_moves():
    f = facts_for(panel(A=[100.0, 101.0]), as_of="2024-01-02")
    assert f.value("A.close") == 100 and "A.ret.1d" not in f and "A.vol.1d" not in f


def test_new_all_time_high_today():
    f = facts_for(panel(A=[100, 102, 101, 103, 104, 105]))
    assert f.value("A.ath.today") == 1 and f.value("A.ath.below") == 0
    assert "A.high_since.date" not in f  # a record is not "the highest since"
    # records on Jan 3, 5, 8, 9; the dip to 101 is under 5%, so one run
    assert f.value("A.records.run_count") == 4 and f.value("A.records.run_first") == "2024-01-03"
    assert f.value("A.records.run_last") == "2024-01-09"
    assert "A.records.prev_date" not in f  # the previous record was yesterday: nothing to wait for


def test_records_earlier_in_the_week():
    # 2024-01-02 + 22 sessions is Friday 2024-02-02; its week (Jan 29 - Feb 2) starts at position 18
    climb = list(np.linspace(100, 117, 18))
    f = facts_for(panel(A=climb + [118, 119, 115, 116, 117]))
    assert f.value("A.week.records") == 2  # Monday and Tuesday; Friday's 117 is below them
    assert f.value("A.week.record.date") == "2024-01-30" and f.value("A.week.record.value") == 119
    assert f.value("A.ath.today") == 0
    g = facts_for(panel(A=climb + [116, 115, 114, 116, 117]))  # 117 ties last Friday's record: not a new one
    assert g.value("A.week.records") == 0 and "A.week.record.date" not in g


def test_highest_close_since_and_lowest_since():
    values = [100] * 5 + [120] + list(np.linspace(119, 90, 30)) + list(np.linspace(91, 115, 30))
    closes = panel(A=values)
    f = facts_for(closes)
    # 115 is the highest close since the slide passed 116 (the last higher close)
    assert f.value("A.high_since.date") == closes.index[9].date().isoformat()
    assert closes["A"].iloc[9] == 116
    assert f.value("A.high_since.sessions") == len(values) - 10
    assert f.value("A.ath.below") == pytest.approx(115 / 120 - 1)
    g = facts_for(panel(A=[100] * 5 + [80] + [95] * 25 + [85]))
    assert g.value("A.low_since.date") == sessions("2024-01-02", 6)[5].date().isoformat()


def test_intraday_high_where_the_source_has_highs():
    closes = panel(A=[100, 101, 102])
    highs = panel(A=[101, 110, 103])
    f = facts_for(closes, highs=highs)
    assert f.value("A.ath_intraday.value") == 110 and f.value("A.ath_intraday.date") == "2024-01-03"


def test_flat_series():
    f = facts_for(panel(A=[100.0] * 40))
    assert f.value("A.ret.1w") == 0 and f.value("A.vol.1d") == 0
    assert "A.z.1w" not in f and "A.trend.dir" not in f


def test_trend_phase_turns_at_the_peak():
    up = list(np.linspace(100, 150, 60))
    down = list(np.linspace(149, 120, 20))
    closes = panel(A=up + down)
    f = facts_for(closes)
    assert f.value("A.trend.dir") == -1
    assert f.value("A.trend.since") == closes.index[59].date().isoformat()
    assert f.value("A.trend.change") == pytest.approx(120 / 150 - 1)
    assert last_leg(np.array([100, 90, 100, 111.0]), 0.1) == (1, 1, 3)


def test_sideways_range_detected_for_a_quiet_index():
    rng = np.random.default_rng(0)
    trend = list(100 * np.cumprod(1 + rng.normal(0.004, 0.01, 60)))
    flat = list(trend[-1] * (1 + rng.uniform(-0.002, 0.002, 40)))
    f = facts_for(panel(A=trend + flat))
    n, width = f.value("A.range.sessions"), f.value("A.range.width")
    assert n >= 40 and width <= 0.75 * f.value("A.vol.1d") * np.sqrt(n)
    assert "A.range.sessions" not in facts_for(panel(A=trend))  # a trending index is not sideways


def test_rotation_days_and_pair_facts():
    a = [100, 100, 103, 103, 104, 104]   # +3% on day 3 while the others fall
    b = [100, 100, 99, 100, 103, 104]
    c = [100, 100, 98, 101, 102, 103]
    closes = panel("2024-01-04", A=a, B=b, C=c)  # Thursday 4th .. Thursday 11th: the week is Mon-Thu
    days = rotation_days(closes, 1.0)
    assert list(days.index) == [closes.index[2]] and days["leader"].iloc[0] == "A"
    f = facts_for(closes, pair=("A", "B"))
    assert f.value("rotday.week.leader") == "A" and f.value("rotday.week.date") == closes.index[2].date().isoformat()
    assert f.value("rotday.week.A.ret") == pytest.approx(0.03)
    assert f.value("rotday.week.B.ret") == pytest.approx(-0.01) and f.value("rotday.week.C.ret") == pytest.approx(-0.02)
    assert "rotday.week.record_since" in f  # the first such day in the data
    assert f.value("rot.spread.1w") == pytest.approx((f.value("A.ret.1w") - f.value("B.ret.1w")) * 100)


def test_missing_day_for_one_index_is_not_a_rotation_day():
    closes = panel("2024-01-08", A=[100, 100, 103, 103], B=[100, 100, np.nan, 99])
    assert rotation_days(closes, 1.0).empty
    f = facts_for(closes)  # each index uses its own sessions; no forward fill
    assert f.value("B.ret.1d") == pytest.approx(-0.01)


def test_event_moves_on_the_day_and_since():
    closes = panel("2024-01-02", A=[100, 100, 100, 95, 96, 97, 98, 99, 100, 101])
    events = pd.DataFrame({"date": pd.to_datetime(["2024-01-05", "2024-03-12"]), "label": ["December CPI", "February CPI"], "kind": "cpi", "reference": ""})
    f = facts_for(closes, events=events)
    assert f.value("cpi.last.date") == "2024-01-05" and f.value("cpi.last.label") == "December CPI"
    assert f.value("A.cpi.last.day") == pytest.approx(-0.05)
    assert f.value("A.cpi.last.since") == pytest.approx(0.01)
    assert f.value("cpi.next.date") == "2024-03-12"


def test_volatility_expresses_moves_in_standard_deviations():
    rng = np.random.default_rng(1)
    values = list(100 * np.cumprod(1 + rng.normal(0, 0.01, 80))) 
    values.append(values[-1] * 1.04)
    f = facts_for(panel(A=values))
    assert f.value("A.vol.1d") == pytest.approx(pd.Series(values).pct_change().iloc[-63:].std(), rel=1e-9)
    assert f.value("A.z.1d") == pytest.approx(0.04 / f.value("A.vol.1d"))


def test_facts_json_round_trip():
    from marketnotes.facts.table import FactTable

    f = facts_for(panel(A=np.linspace(100, 120, 30), B=np.linspace(100, 90, 30)))
    again = FactTable.from_json(f.to_json())
    assert again.facts == f.facts and again.as_of == f.as_of
