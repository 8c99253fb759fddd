"""The Fed funds target as data (data/policy.py, the bundled history, FRED's daily series
served on 127.0.0.1) and the facts of an FOMC decision in a CPI note's window
(facts/policy.py): the change, the range, the first hike or cut since when, a run of them,
a hold. Answers from the public record of FOMC decisions."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import loopback_server
from marketnotes.data.macro import CPI_SERIES, DAILY, TARGET, TARGET_HIGH, TARGET_LOW, MacroData, Series, load_series, make_macro_source, read_series_csv
from marketnotes.data.policy import with_policy
from marketnotes.errors import CorruptData, SeriesCacheMiss
from marketnotes.events import load_events
from marketnotes.facts.policy import add_policy_facts, cpi_note_decision, target_range
from marketnotes.facts.table import FactTable
from test_macro import FredLike, fred_source

EVENTS = load_events(["cpi", "fomc"])


def decision_facts(macro, as_of: str) -> FactTable:
    table = FactTable(as_of=as_of, labels={})
    add_policy_facts(table, macro, EVENTS, cpi_note_decision(EVENTS, pd.Timestamp(as_of)))
    return table


def sample_with_policy(as_of: str) -> MacroData:
    source = make_macro_source("sample", {})
    return with_policy(load_series(source, CPI_SERIES.values()), source, cpi_note_decision(EVENTS, pd.Timestamp(as_of)))


def values(table: FactTable) -> dict:
    return {f.id.removeprefix("fomc."): f.value for f in table}


def test_the_decision_a_cpi_note_tells_is_in_its_release_week_or_after():
    # the November 2008 CPI came out the morning of the Dec. 16, 2008 decision
    assert cpi_note_decision(EVENTS, pd.Timestamp("2008-12-16")) == pd.Timestamp("2008-12-16")
    # August 2001 CPI on Tuesday Sept. 18: the cut of Monday Sept. 17 (the reopening) is that week's
    assert cpi_note_decision(EVENTS, pd.Timestamp("2001-09-18")) == pd.Timestamp("2001-09-17")
    # September 2018 CPI on Oct. 11: the Sept. 26 hike is two weeks old, not the note's news
    assert cpi_note_decision(EVENTS, pd.Timestamp("2018-10-11")) is None
    assert cpi_note_decision(None, pd.Timestamp("2018-10-11")) is None


def test_the_first_hike_since_2006_from_the_bundled_history():
    table = decision_facts(sample_with_policy("2015-12-16"), "2015-12-16")
    got = values(table)
    assert got["decision.date"] == "2015-12-16" and got["target.change_bp"] == 25 and got["target.change_words"] == "a quarter point"
    assert (got["target.before_lower"], got["target.before_upper"], got["target.lower"], got["target.upper"]) == (0.0, 0.0025, 0.0025, 0.005)
    assert got["target.run"] == 1 and got["target.prev_same"] == "2006-06-29" and "target.single" not in got
    assert "DFEDTARU" in table["fomc.target.upper"].description and "never revised" in table["fomc.target.upper"].description


def test_a_run_of_changes_the_range_from_one_rate_and_a_hold():
    got = values(decision_facts(sample_with_policy("2008-12-16"), "2008-12-16"))
    # from a single 1% target to a range of 0 to 0.25%: floor and ceiling moved differently, no one step
    assert (got["target.before_upper"], got["target.lower"], got["target.upper"]) == (0.01, 0.0, 0.0025)
    assert "target.change_bp" not in got and got["target.run"] == 10 and got["target.run_start"] == "2007-09-18"
    got = values(decision_facts(sample_with_policy("2001-09-18"), "2001-09-18"))
    assert got["target.single"] == 1 and got["target.change_bp"] == -50 and got["target.change_words"] == "half a point"
    assert got["target.run"] == 8 and got["target.run_start"] == "2001-01-03"
    got = values(decision_facts(sample_with_policy("2007-09-19"), "2007-09-19"))
    assert got["target.run"] == 1 and got["target.prev_same"] == "2003-06-25"  # the first cut in four years
    # December 2015 CPI on Jan. 20, 2016; the Fed held on Jan. 27, in the note's window when it runs that day
    got = values(decision_facts(sample_with_policy("2016-01-27"), "2016-01-27"))
    assert got["target.change_bp"] == 0 and got["target.held_since"] == "2015-12-17" and "target.run" not in got


def test_no_decision_is_told_past_the_data_or_without_the_series():
    assert len(decision_facts(sample_with_policy("2018-10-11"), "2018-10-11")) == 0
    source = make_macro_source("sample", {})
    core_only = load_series(source, CPI_SERIES.values())
    assert target_range(core_only) is None and len(decision_facts(core_only, "2015-12-16")) == 0
    # a range that stops before the change took effect says nothing of the decision
    short = sample_with_policy("2015-12-16")
    cut = {sid: Series(sid, s.values.loc[:"2015-12-16"], s.source, s.vintage) if sid in DAILY else s for sid, s in short.series.items()}
    assert len(decision_facts(MacroData("x", cut), "2015-12-16")) == 0


def test_a_daily_rate_file_is_read_by_the_daily_rules(tmp_path):
    path = tmp_path / "DFEDTARL.csv"
    path.write_text("observation_date,DFEDTARL\n2015-12-16,0.00\n2015-12-17,0.25\n")
    assert list(read_series_csv(path, TARGET_LOW, path)) == [0.0, 0.25]  # a zero floor is a rate, not bad data
    path.write_text("observation_date,DFEDTARL\n2015-12-17,0.25\n2015-12-16,0.00\n")
    with pytest.raises(CorruptData, match="rows out of date order"):
        read_series_csv(path, TARGET_LOW, path)
    path.write_text("observation_date,DFEDTARL\n2015-12-16,-0.25\n")
    with pytest.raises(CorruptData, match="negative rate"):
        read_series_csv(path, TARGET_LOW, path)


@pytest.fixture
def fred():
    FredLike.hits = []
    with loopback_server(FredLike) as url:
        yield f"{url}/graph/fredgraph.csv"


def test_fred_serves_the_range_and_the_old_target_and_the_cache_answers_offline(fred, tmp_path):
    decision = pd.Timestamp("2015-12-16")
    source = fred_source(fred, tmp_path / "fred")
    cpi = load_series(source, CPI_SERIES.values(), pd.Timestamp("2015-11-01"))
    data = with_policy(cpi, source, decision)
    assert set(FredLike.hits) >= {TARGET, TARGET_LOW, TARGET_HIGH} and data.get(TARGET).values.index[-1] == pd.Timestamp("2008-12-15")
    got = values(decision_facts(data, "2015-12-16"))
    assert got["target.prev_same"] == "2006-06-29" and got["target.change_bp"] == 25
    assert data.manifest()["series"][TARGET_HIGH]["vintage"].startswith("FRED latest, as fetched on")
    offline = fred_source(fred, tmp_path / "fred", offline=True)
    hits = len(FredLike.hits)
    assert values(decision_facts(with_policy(cpi, offline, decision), "2015-12-16")) == got and len(FredLike.hits) == hits
    with pytest.raises(SeriesCacheMiss, match=r"lacks 2016-02-01 \(it holds through 2016-01-08\)"):
        with_policy(cpi, offline, pd.Timestamp("2016-01-31"))
