"""Corrections, bear and bull markets, drawdown episodes and runs of record closes, on
constructed series whose answers are worked out by hand in the comments."""

import numpy as np
import pytest

from marketnotes.facts.regime import bull_highs, last_correction_close, regime_at
from test_facts import facts_for, panel


def dated(values, start="2024-01-02"):
    return panel(start, A=values)


def iso_at(frame, pos):
    return frame.index[pos].date().isoformat()


# --- regime_at on bare arrays -------------------------------------------------------------

@pytest.mark.parametrize(
    ("values", "state", "peak", "trough", "entered"),
    [
        ([90, 100], "none", 1, 1, None),  # at the record
        ([100, 95, 91], "none", 0, 2, None),  # 9% off: not yet a correction
        ([100, 95, 89, 91, 88, 90], "correction", 0, 4, 4),  # out above -10% on day 3, back in on day 4
        ([100, 85, 79, 75, 80, 85], "bear", 0, 3, 2),  # first close 20% down on day 2
        ([100, 85, 79, 75, 80, 91, 92], "bull", 0, 3, 5),  # 91 >= 1.2 * 75: a new bull market
        ([100, 85, 79, 75, 80, 91, 85], "bull", 0, 3, 5),  # a 7% dip in a new bull market is not a new bear
        ([100, 85, 75, 91, 75, 85], "bull", 0, 2, 3),  # 91 >= 1.2 * 75 confirmed the bull; 75 is 18% off 91
        ([100, 75, 95, 74, 80], "bear", 0, 3, 1),  # 75 -> 95 (+27%) then a lower low: a bear-market rally, one bear from 100
        ([100, 75, 110, 85, 80], "bear", 2, 4, 3),  # the rally made a new high: a bull market, then a new bear from 110
    ],
)
def test_regime_at(values, state, peak, trough, entered):
    regime = regime_at(np.asarray(values, dtype=float))
    assert (regime.state, regime.peak, regime.trough, regime.entered) == (state, peak, trough, entered)


def test_bull_takes_precedence_over_correction():
    # 25% down, up 20% from the low, still 10% below the record: a bull market, not a correction
    assert regime_at(np.array([100.0, 75, 90])).state == "bull"


# --- drawdown episodes --------------------------------------------------------------------

def test_corrections_are_measured_from_the_bull_market_high_and_dated_by_their_last_close():
    # 100 -> 89 (in a correction) -> 95 -> 88 (again, from the same high) -> 110 (new high) -> 98 (a second one)
    values = np.array([100, 89, 95, 88, 110, 98, 112.0])
    highs = bull_highs(values, ())
    assert list(highs) == [100, 100, 100, 100, 110, 110, 112]
    assert last_correction_close(values, highs, 5) == 3  # "first close in correction territory since" day 3
    assert last_correction_close(values, highs, 1) is None
    # after a bear market the high is measured from the bull market's low, not the old record
    values = np.array([100, 85, 70, 90, 80.0])
    assert list(bull_highs(values, (2,))) == [100, 100, 70, 90, 90]

def test_bear_market_facts_and_the_previous_bear():
    closes = dated([100, 89, 79, 110, 105, 120, 60, 70])
    f = facts_for(closes)
    assert f.value("A.regime.state") == "bear"
    assert f.value("A.regime.drawdown") == pytest.approx(70 / 120 - 1)
    assert f.value("A.regime.peak.date") == iso_at(closes, 5) and f.value("A.regime.peak.value") == 120
    assert f.value("A.regime.trough.date") == iso_at(closes, 6) and f.value("A.regime.trough.value") == 60
    assert f.value("A.regime.trough.drawdown") == pytest.approx(-0.5)
    assert f.value("A.regime.rebound") == pytest.approx(70 / 60 - 1)
    assert f.value("A.regime.entered") == iso_at(closes, 6) and f.value("A.regime.sessions") == 1
    assert f.value("A.regime.previous.date") == iso_at(closes, 2)  # the 21% fall from 100


def test_previous_correction_may_have_been_a_bear():
    # a 21% episode also was a correction; the 4.5% dip between was neither
    closes = dated([100, 89, 79, 110, 105, 120, 107])
    f = facts_for(closes)
    assert f.value("A.regime.state") == "correction"
    assert f.value("A.regime.previous.date") == iso_at(closes, 1)  # crossed -10% on day 1


def test_no_regime_at_a_record():
    f = facts_for(dated([100, 95, 101]))
    assert f.value("A.regime.state") == "none" and f.value("A.regime.drawdown") == 0
    assert f.value("A.regime.trough.date") == f.value("A.regime.peak.date")
    assert "A.regime.entered" not in f and "A.regime.previous.date" not in f


def test_state_at_the_start_of_the_week():
    # Mon 1 - Fri 5 April, then 8-12 April: flat, 5% down by Friday, then a slide through -10%
    closes = panel("2024-04-01", A=[100, 100, 100, 100, 95, 92, 91, 89, 88, 87])
    f = facts_for(closes)
    assert f.value("A.regime.prev_state") == "none" and f["A.regime.prev_state"].end == "2024-04-05"
    assert f.value("A.regime.state") == "correction"
    assert f.value("A.regime.entered") == "2024-04-10" and f.value("A.regime.sessions") == 2


# --- runs of record closes ----------------------------------------------------------------

def test_record_run_starts_after_the_last_five_percent_pullback():
    # records on days 1, 2, 5, 6, 8; day 3 closes 5.9% under 102, day 7 only 4.8% under 104
    closes = dated([100, 101, 102, 96, 97, 103, 104, 99, 105])
    f = facts_for(closes)
    assert f.value("A.records.run_count") == 3
    assert f.value("A.records.run_first") == iso_at(closes, 5)
    assert f.value("A.records.run_last") == iso_at(closes, 8)
    assert "A.records.prev_date" not in f  # the previous record was two sessions ago


def test_first_record_since_a_long_wait():
    closes = dated([100, 110] + [105] * 25 + [111])
    f = facts_for(closes)
    assert f.value("A.ath.today") == 1
    assert f.value("A.records.prev_date") == iso_at(closes, 1) and f.value("A.records.gap_sessions") == 26
    assert f.value("A.records.run_count") == 2 and f.value("A.records.run_first") == iso_at(closes, 1)


def test_record_run_only_while_recent():
    assert "A.records.run_count" not in facts_for(dated([100, 110] + [105] * 70))  # last record 70 sessions back
    # 10% off now, but the last record is recent: its run is still the story
    closes = dated([100, 110, 111, 99, 99])
    f = facts_for(closes)
    assert f.value("A.records.run_count") == 2 and f.value("A.records.run_last") == iso_at(closes, 2)


def test_a_bull_market_undercut_after_more_than_a_year_was_a_bear_market_rally():
    """The Russell 2000 from its June 2022 low: up 22% in two months, then, sixteen months
    later, a close below that low, short of a bear market from the rally's high. It was never
    a bull market: the bear market runs on from the 2021 record, and the next bull market is
    measured from the new, lower low (the October 2023 low), not from the undercut one."""
    values = np.r_[100, 75, np.linspace(76, 92, 60), np.linspace(91, 80, 300), 74, np.linspace(76, 90, 40)]
    regime = regime_at(values)
    low = int(np.argmin(values))
    assert values[low] == 74 and regime.state == "bull" and regime.trough == low and regime.lows[-1] == low
    assert regime.peak == 0  # a new bull market short of its record, measured against the 100 record
    before = regime_at(values[: low + 1])
    assert before.state == "bear" and before.peak == 0 and before.trough == low
