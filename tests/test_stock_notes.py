"""The prose of the two stock notes beside the weekly one (note_kind cpi-reaction and
monthly-review): what they lead with on days whose story is known, and, on every CPI release
session (and the session after every fourth) and every month-end of the bundled sample, 1999-2018,
prose that passes its own fact check and the editorial lint with no finding."""

import functools

import pandas as pd
import pytest
from conftest import submit_selected

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.data.macro import CPI_SERIES, DAILY, load_series, make_macro_source
from marketnotes.data.records import bundled_records
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.facts.events import event_sessions
from marketnotes.narrative import lint, write_note

SYMBOLS = ["^IXIC", "^GSPC", "^DJI"]
LABELS = {"^IXIC": "NASDAQ Composite", "^GSPC": "S&P 500", "^DJI": "Dow"}
PAIR = ("^IXIC", "^DJI")


@functools.cache
def sample_data():
    prices = load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))
    return prices, load_events(["cpi", "fomc"]), load_series(make_macro_source("sample", {}), [*CPI_SERIES.values(), *sorted(DAILY)])


@pytest.fixture(scope="module")
def sample():
    return sample_data()


def note(sample, kind, day):
    prices, events, macro = sample
    as_of = pd.Timestamp(day)
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "ytd"), PAIR, complete=prices.complete, kind=kind, known_records=bundled_records())  # as render does
    facts = compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of], events, macro)
    narrative, check = write_note(facts, SYMBOLS, PAIR)
    return narrative, check, facts


def section(narrative, title):
    return " ".join(s.text for sec in narrative.sections if sec.title == title for s in sec.sentences)


def test_the_cpi_note_leads_with_the_rarest_reaction(sample):
    narrative, check, facts = note(sample, "cpi-reaction", "2018-10-11")
    assert check.ok and not check.style
    assert narrative.headline.text == "Dow tumbles 2.1%, worst CPI day since August 2011"
    # the lead opens with what the report showed and how stocks took it: a tame reading, and stocks fell anyway
    assert narrative.lead[0].kind == "reaction" and narrative.lead[0].text.startswith("Stocks fell on Thursday even as the September CPI report showed core consumer prices up 0.1%")
    assert {"cpi.core.mom", "cpi.core.mom.vs_avg12", "cpi.core.mom.avg12"} <= set(narrative.lead[0].facts)
    assert narrative.lead[1].text.startswith("The Dow tumbled 2.1%, its biggest release-day drop since August 2011")
    assert section(narrative, "Against past release days").startswith(
        "For the Dow it was the 17th-biggest release-day move, up or down, since January 1999, and for the S&P 500 the 20th-biggest. "
        "Against the same release days, the NASDAQ Composite moved more than on most.")
    # both fell: the Nasdaq "fell less", never "outperformed"
    assert "the NASDAQ Composite fell 0.9 percentage points less than the Dow" in section(narrative, "The pair")
    assert facts.value("rot.cpi.release.fall_gap") < 0
    # "On an average release day ... either way" is gone: release days moved these indices about as much as other days
    assert "On an average release day" not in narrative.to_html()
    assert section(narrative, "Since the release") == ""  # the note is on the release day
    assert section(narrative, "What to watch") == "The FOMC decision is due Nov. 8. The October CPI release is due Nov. 14."  # soonest first


def test_the_cpi_note_says_what_the_release_showed(sample):
    """January 2018 core CPI (released 2018-02-14): +0.35% on the month in the bundled series
    (FRED CPILFESL), +0.3% as BLS publishes it: the biggest rise since January 2017, not "since
    March 2005" (a 0.001-point edge in revised data, which an editor would not run); 1.8% on the
    year. September 2018 (released 2018-10-11): a tame +0.1%, no superlative."""
    narrative, check, facts = note(sample, "cpi-reaction", "2018-02-14")
    assert check.ok and not check.style
    assert round(facts.value("cpi.core.mom"), 4) == 0.0035 and facts.value("cpi.core.mom.hottest_since") == "2017-01-01"
    assert facts.value("cpi.reading.month") == "2018-01-01" and "cpi.headline.mom" not in facts  # the sample has core only
    # the move (a release-day gain since December 2014) outreaches a reading a year rare: it takes the headline
    assert narrative.headline.text == "NASDAQ Composite jumps 1.9%, best CPI day since December 2014"
    said = narrative.lead[0]
    assert said.text == "Stocks rose on Wednesday even as the January CPI report showed core consumer prices up 0.3%, above the 0.15% monthly average of the past year."
    assert "cpi.core.mom" in said.facts and "cpi.core.mom.vs_avg12" in said.facts
    assert narrative.lead[-1].text == "Core prices were 1.8% higher than a year earlier."
    assert "CPILFESL" in facts["cpi.core.mom"].description and "FRED latest" in facts["cpi.core.mom"].description
    narrative, check, facts = note(sample, "cpi-reaction", "2018-10-11")
    assert check.ok and not check.style
    assert narrative.lead[-1].text == "Core prices were 2.2% higher than a year earlier."


def test_a_reading_tells_a_streak_and_a_fall(sample):
    # October 2008, as published: 0.3%, 0.2%, 0.1%, then 0.0% -- a third cooler reading, the first without a rise since June 2005
    narrative, check, facts = note(sample, "cpi-reaction", "2008-11-19")
    assert check.ok and not check.style and facts.value("cpi.core.mom.trend") == -3
    assert narrative.lead[0].text.startswith("Stocks fell on Wednesday even as the October CPI report showed core consumer prices unchanged, the first month without a rise since June 2005.")
    assert narrative.lead[-1].text.startswith("That made three cooler monthly readings in a row, and ")
    # April 2018 (0.18%, 0.18%, 0.10% in revised data) is 0.2%, 0.2%, 0.1% as published: one cooler reading, no streak
    narrative, check, facts = note(sample, "cpi-reaction", "2018-05-10")
    assert check.ok and facts.value("cpi.core.mom.trend") == -1 and "in a row" not in narrative.to_text()


def test_a_reading_is_set_against_the_past_years_trend_and_the_prose_says_so(sample):
    """No consensus forecast: September 2018's 0.12% is below the 0.18% average of the 12 months before."""
    narrative, check, facts = note(sample, "cpi-reaction", "2018-10-11")
    assert round(facts.value("cpi.core.mom.avg12"), 4) == 0.0018 and facts.value("cpi.core.mom.vs_avg12") < 0
    assert facts["cpi.core.mom.avg12"].start == "2017-09-01" and facts["cpi.core.mom.avg12"].end == "2018-08-01"
    assert "below the 0.18% monthly average of the past year" in narrative.lead[0].text


def test_the_fed_decision_in_the_release_week_is_told_with_the_market(sample):
    # Dec. 16, 2008: the November CPI in the morning, the Fed to a range of zero to 0.25% in the afternoon
    narrative, check, facts = note(sample, "cpi-reaction", "2008-12-16")
    assert check.ok and not check.style
    assert narrative.headline.text == "S&P 500 surges 5.1% as Fed cuts rates to a range of zero to 0.25%"
    assert narrative.lead[0].kind == "fed_reaction" and {"fomc.target.lower", "fomc.target.upper", "fomc.target.before_upper", "fomc.target.run", "fomc.target.run_start"} <= set(narrative.lead[0].facts)
    assert narrative.lead[0].text == "Stocks rose on Tuesday as the Fed cut its target to a range of zero to 0.25%, from 1%, the 10th cut since September 2007."
    assert narrative.lead[1].text.startswith("The November CPI report, out that morning, showed core consumer prices up 0.1%")
    # Dec. 16, 2015, the day after the November CPI: the first hike since June 2006, and stocks rose anyway
    narrative, check, facts = note(sample, "cpi-reaction", "2015-12-16")
    assert check.ok and not check.style
    assert narrative.headline.text == "S&P 500 gains 1.5% despite Fed's first hike since June 2006"
    assert narrative.headline.facts == ["GSPC.ret.1d", "fomc.target.prev_same"]
    # a hike mid-cycle is told after the release day, as the seventh since December 2015
    narrative, check, facts = note(sample, "cpi-reaction", "2018-06-13")
    assert check.ok and not check.style and "CPI day" in narrative.headline.text
    assert any(s.kind == "fed" and "the seventh hike since December 2015" in s.text for s in narrative.lead)


def test_a_cpi_note_without_the_series_says_nothing_of_the_reading(sample):
    prices, events, _ = sample
    as_of = pd.Timestamp("2018-02-14")
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "ytd"), PAIR, complete=prices.complete, kind="cpi-reaction")
    facts = compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of], events)
    narrative, check = write_note(facts, SYMBOLS, PAIR)
    assert check.ok and "cpi.core.mom" not in facts and "The report showed" not in narrative.to_html()


def test_the_day_after_a_release_the_cpi_note_tells_the_move_since(sample):
    narrative, check, _ = note(sample, "cpi-reaction", "2008-10-17")
    assert check.ok and not check.style
    # the Dow's 11.1% of Monday (its best day since 1933) reaches far further back than a release-day
    # record over data from 1999: it frames the headline
    assert narrative.headline.text == "NASDAQ Composite soars 5.5% on CPI day after Dow surges 11.1%"
    assert "alike, this was the second-biggest release-day move, up or down, since January 1999" in section(narrative, "Against past release days")
    assert section(narrative, "Since the release").startswith("Since the release-day close the NASDAQ Composite has ")


def test_where_a_move_sits_among_release_days_is_told_in_words(sample):
    narrative, check, _ = note(sample, "cpi-reaction", "2003-02-21")
    assert check.ok and not check.style
    assert section(narrative, "Against past release days").startswith(
        "Against the 49 earlier release days since January 1999, the S&P 500 and the Dow moved more than on most.")
    assert "ordinary" not in narrative.to_text()  # the Nasdaq's ordinary release day is no news: not said
    assert "%" not in section(narrative, "Against past release days").split(".")[0]


def test_indices_that_moved_alike_are_told_together(sample):
    narrative, check, _ = note(sample, "cpi-reaction", "2003-02-21")
    assert narrative.headline.text == "Each of the three indices rises 1.3% on January CPI day"
    assert narrative.lead[0].text == "Stocks rose on Friday, the day the January CPI report showed core consumer prices up 0.2%, in line with the 0.16% monthly average of the past year."
    assert narrative.lead[1].text == "The NASDAQ Composite, the S&P 500 and the Dow each rose 1.3%."


def test_a_release_day_that_was_the_biggest_day_in_the_data_says_so(sample):
    narrative, check, _ = note(sample, "cpi-reaction", "2000-04-14")
    assert check.ok and not check.style
    assert narrative.headline.text == "NASDAQ Composite plunges 9.7%, worst day since at least 1999"
    assert "plunged 9.7%, its biggest one-day drop since at least 1999." in narrative.lead[1].text


def test_weeks_after_the_release_the_move_since_leads(sample):
    narrative, check, _ = note(sample, "cpi-reaction", "2011-08-17")
    assert check.ok and not check.style
    assert narrative.headline.text == "NASDAQ Composite has plunged 10.0% since June CPI release"
    lead = " ".join(s.text for s in narrative.lead)
    assert lead.startswith("Since the June CPI release, the NASDAQ Composite has plunged 10.0%, the S&P 500 9.3% and the Dow 8.6%. "
                           "The NASDAQ Composite sank 6.9% on Aug. 8, its biggest one-day drop since December 2008. On the release day, July 15, the NASDAQ Composite rose 1.0%.")
    assert {"IXIC.cpi.release.after_big", "IXIC.cpi.release.after_big_since"} <= set(narrative.lead[1].facts)
    assert section(narrative, "Since the release") == ""


def test_a_pair_lead_introduces_the_day_and_the_pair_section_names_the_pair(sample):
    narrative, check, _ = note(sample, "cpi-reaction", "2016-01-20")
    assert check.ok and not check.style
    assert narrative.headline.text == "Dow lags NASDAQ Composite by 1.4 points on CPI day"  # both fell: no "beats"
    assert narrative.lead[0].text.startswith("On Wednesday, the day of the December CPI release, the NASDAQ Composite fell 1.4 percentage points less than the Dow")
    assert narrative.lead[1].text.startswith("The Dow fell 1.6%")
    # the average gap is said only beside a gap over twice as wide (1.4 points against 0.6)
    assert section(narrative, "The pair") == "On an average release day the gap between the NASDAQ Composite and the Dow has been 0.6 percentage points either way."


def test_the_monthly_review_leads_with_a_bear_market_entered_in_the_month(sample):
    narrative, check, _ = note(sample, "monthly-review", "2018-12-31")
    assert check.ok and not check.style
    assert narrative.headline.text == "NASDAQ Composite plunges 9.5% in December, entering a bear market"
    lead = " ".join(s.text for s in narrative.lead)
    assert "its worst month since November 2008" in lead and "the worst month for both since February 2009" in lead
    assert "All three indices had their best day on Dec. 26" in section(narrative, "Best and worst days")
    # the week is told biggest move first, its rarity with the index it belongs to
    assert "In the week to Dec. 21 the NASDAQ Composite sank 8.4%, the S&P 500 7.1% and the Dow 6.9%, the Dow's worst week since October 2008." in section(narrative, "The month's events")
    assert "On Dec. 24 the NASDAQ Composite closed at 6,192.92, the lowest close since July 2017, the S&P 500 at 2,351.10, the lowest since April 2017" in section(narrative, "The month's events")


def test_the_december_review_is_also_the_quarter_and_the_years(sample):
    """IXIC.quarter.since = 2008-12-31 (Q4 2018: -17.5%), {IXIC,GSPC,DJI}.year.since = 2008-12-31."""
    narrative, check, facts = note(sample, "monthly-review", "2018-12-31")
    assert check.ok and not check.style
    assert facts.value("IXIC.quarter.since") == facts.value("GSPC.year.since") == "2008-12-31"
    assert section(narrative, "The quarter and the year") == (
        "In the fourth quarter the NASDAQ Composite sank 17.5%, the S&P 500 14.0% and the Dow tumbled 11.8%, the worst quarter for the NASDAQ Composite since the fourth quarter of 2008."
    )
    # the December review is also the year's: a year with news leads before the month's events
    assert "In 2018 the S&P 500 fell 6.2%, the Dow 5.6% and the NASDAQ Composite 3.9%, the worst year for all three since 2008." in [s.text for s in narrative.lead]


def test_a_quarter_end_review_tells_the_quarter_and_a_mid_quarter_one_does_not(sample):
    narrative, check, facts = note(sample, "monthly-review", "2009-03-31")
    assert check.ok and not check.style
    assert facts.value("DJI.quarter.run") == 6  # six quarters down in a row
    assert section(narrative, "The quarter and the year").startswith("In the first quarter the Dow plunged 13.3%, the S&P 500 tumbled 11.7% and the NASDAQ Composite fell 3.1%, a sixth straight quarterly loss for the Dow.")
    # the bear market's low, rare enough for the lead
    assert "On March 9 the NASDAQ Composite closed at 1,268.64, the lowest close since October 2002, the S&P 500 at 676.53, the lowest since at least 1999" in " ".join(s.text for s in narrative.lead)
    _, _, facts = note(sample, "monthly-review", "2009-02-27")
    assert not any(f.id.endswith((".quarter.ret", ".year.ret")) for f in facts)


def test_the_dows_record_point_drop_leads_the_month(sample):
    """DJI.month.worst.pts = -777.68 on 2008-09-29, with no bigger point drop since 1885 (DJI.month.worst.pts_data_start)."""
    narrative, check, facts = note(sample, "monthly-review", "2008-09-30")
    assert check.ok and not check.style
    assert round(facts.value("DJI.month.worst.pts"), 2) == -777.68 and facts.value("DJI.month.worst.pts_date") == "2008-09-29"
    assert "The Dow's 777.68-point drop on Sept. 29 was its biggest one-day point drop on record." in " ".join(s.text for s in narrative.lead)


def test_an_index_that_fell_further_than_the_headlines_says_so_and_a_rare_day_joins_the_lead(sample):
    narrative, check, _ = note(sample, "monthly-review", "2008-10-31")
    assert check.ok and not check.style
    # the rarer month leads; "plunges" is for the bigger fall, the Nasdaq's 17.7%
    assert narrative.headline.text == "S&P 500 sinks 16.9% in October, worst month since at least 1999"
    lead = " ".join(s.text for s in narrative.lead)
    assert "The NASDAQ Composite fell further, 17.7%, its worst month since February 2001." in lead
    assert lead.endswith("the Dow's biggest one-day gain since 1933.")
    assert "since 1933" not in section(narrative, "Best and worst days")


def test_a_month_still_running_is_told_so_far(sample):
    narrative, check, _ = note(sample, "monthly-review", "2018-12-14")
    assert check.ok and not check.style
    assert "so far in December" in narrative.headline.text
    assert section(narrative, "The year").startswith("So far this year")


def test_a_weekly_note_is_written_as_before(sample):
    narrative, _, facts = note(sample, "weekly", "2018-12-21")
    assert "note.kind" not in facts
    assert [s.title for s in narrative.sections if s.title != "Also this week"][:2] == ["The story so far", "Leaders and laggards"]


def sweep(kind, days):
    """One chunk of a sweep, in a process of the suite's `cores` (conftest)."""
    sample = sample_data()
    failures = []
    for day in days:
        narrative, check, facts = note(sample, kind, day)
        findings = [str(f) for f in lint.lint(narrative, facts, sample[0].closes)]
        if check.problems or check.style or findings:
            failures.append((day.date(), (check.problems + check.style + findings)[:2]))
    return failures


def release_days(prices, events):
    """Every CPI release session of the sample, and the session after every fourth."""
    index = prices.closes.loc["1999-01-04":].index
    releases = event_sessions(index, events.loc[(events["kind"] == "cpi") & (events["date"] <= "2018-12-28"), "date"])
    after = [index[index.get_loc(day) + 1] for day in releases.iloc[::4]]  # the day after: a quarter of them is enough
    return sorted({*releases, *after})


def month_ends(prices):
    index = prices.closes.loc["1999-01-04":].index
    return list(pd.Series(index, index=index).groupby(index.to_period("M")).last())[1:]


@pytest.fixture(scope="module")
def sweeps(request, sample, cores):
    """Both sweeps handed to the suite's cores at once, each in two halves (those selected)."""
    prices, events, _ = sample
    days = {"test_every_release_day_in_the_sample_and_some_days_after": ("cpi-reaction", release_days(prices, events)),
            "test_every_month_end_in_the_sample": ("monthly-review", month_ends(prices))}
    return submit_selected(request, cores, {f"{test}[{half}]": (sweep, kind, each[half::2]) for test, (kind, each) in days.items() for half in (0, 1)})


def test_the_sweeps_cover_every_release_day_and_month_end(sample):
    prices, events, _ = sample
    assert len(release_days(prices, events)) > 290 and len(month_ends(prices)) == 239


@pytest.mark.parametrize("half", [0, 1])
def test_every_release_day_in_the_sample_and_some_days_after(request, sweeps, half):
    failures = sweeps[request.node.name].result()
    assert not failures, f"{len(failures)} notes: {failures[:5]}"


@pytest.mark.parametrize("half", [0, 1])
def test_every_month_end_in_the_sample(request, sweeps, half):
    failures = sweeps[request.node.name].result()
    assert not failures, f"{len(failures)} notes: {failures[:5]}"


# -- the weekly note's scan in the stock notes (issue 20, item 4): pinned by the facts they tell --


def kinds(sentences):
    return [(s.kind, sorted(s.facts)) for s in sentences]


def test_the_cpi_note_tells_the_day_before_and_the_streak_around_the_release(sample):
    """Oct. 11, 2018 was the second day of a rout: the Nasdaq's worst day since 2016 on the
    Wednesday (the Dow fell 3.1% that day), the S&P 500's sixth straight loss."""
    narrative, check, facts = note(sample, "cpi-reaction", "2018-10-11")
    assert check.ok and not check.style
    assert facts.value("IXIC.week.worst.date") == "2018-10-10" and round(facts.value("DJI.week.worst.ret"), 4) == -0.0315
    day_before = [s for s in narrative.lead if s.kind == "scan_message"]
    assert len(day_before) == 1 and "IXIC.week.worst.ret" in day_before[0].facts and "IXIC.week.worst.since" in day_before[0].facts
    around = next(sec for sec in narrative.sections if sec.title == "Around the release").sentences
    assert any("GSPC.streak.days" in s.facts and facts.value("GSPC.streak.days") == -6 for s in around)
    assert any("DJI.ath.below" in s.facts for s in around)  # where the Dow stands against its Oct. 3 record close


def test_a_closure_before_the_release_is_told_with_its_dates(sample):
    """Sept. 18, 2001: markets shut Sept. 11-14 after the attacks, reopened Monday Sept. 17."""
    for day in ("2001-09-18", "2001-09-21"):
        narrative, check, facts = note(sample, "cpi-reaction", day)
        assert check.ok and not check.style
        assert (facts.value("market.closure.sessions"), facts.value("market.closure.first"), facts.value("market.closure.last"), facts.value("market.closure.reopened")) == (4, "2001-09-11", "2001-09-14", "2001-09-17")
        assert any(s.kind == "closure" for sec in narrative.sections for s in sec.sentences)
    narrative, _, facts = note(sample, "cpi-reaction", "2018-10-11")
    assert "market.closure.sessions" not in facts


def test_the_monthly_review_tells_the_true_first_close_in_a_correction_and_the_worst_december_since_1931(sample):
    narrative, check, facts = note(sample, "monthly-review", "2018-12-31")
    assert check.ok and not check.style
    assert facts.value("GSPC.month.first_correction") == "2018-11-23" and facts.value("DJI.month.first_correction") == "2018-12-14"
    drawdowns = next(sec for sec in narrative.sections if sec.title == "Drawdowns").sentences
    assert any(s.kind == "corrected" and "GSPC.month.first_correction" in s.facts for s in drawdowns)
    assert "entered a correction on Dec. 14" not in section(narrative, "Drawdowns")
    assert facts.value("DJI.month.same_since") == "1931-12-31"
    assert any(s.kind == "same_month" and "DJI.month.same_since" in s.facts for s in narrative.lead)
    # the Dow's 1,086.25-point gain on Dec. 26: its biggest one-day point gain in data back to 1885
    assert facts.value("DJI.month.best.pts_date") == "2018-12-26" and round(facts.value("DJI.month.best.pts"), 2) == 1086.25 and "DJI.month.best.pts_data_start" in facts
    assert any(s.kind == "points_day" for sec in narrative.sections for s in sec.sentences)  # the year took its place in the lead
    # the week to Dec. 21, told after the lead: a lead is five sentences at most
    assert len(narrative.lead) <= 5
    assert any(s.kind == "week_of" and "DJI.month.week_worst.since" in s.facts for sec in narrative.sections if sec.title == "The month's events" for s in sec.sentences)


def test_the_monthly_review_sees_all_three_in_a_correction_and_a_first_close_above_19000(sample):
    narrative, check, facts = note(sample, "monthly-review", "2015-08-31")
    assert check.ok and not check.style
    assert [facts.value(f"{k}.month.first_correction") for k in ("DJI", "GSPC", "IXIC")] == ["2015-08-21", "2015-08-24", "2015-08-24"]
    told = [s for s in narrative.lead if s.kind == "all_corrected"]
    assert len(told) == 1 and {"DJI.month.first_correction", "IXIC.month.first_correction"} <= set(told[0].facts)
    narrative, check, facts = note(sample, "monthly-review", "2016-11-30")
    assert check.ok and not check.style
    assert (facts.value("DJI.month.milestone.level"), facts.value("DJI.month.milestone.date"), facts.value("DJI.month.milestone.first")) == (19000.0, "2016-11-22", 1)
    assert any(s.kind == "milestone" and "DJI.month.milestone.level" in s.facts for s in narrative.lead)
    assert facts.value("DJI.month.week_best.date") == "2016-11-11"  # the election week
    assert any(s.kind == "week_of" and "DJI.month.week_best.since" in s.facts for s in narrative.lead + [x for sec in narrative.sections for x in sec.sentences])


# -- boilerplate out (issue 20, item 5) --


def test_rank_words_are_honest_and_a_closed_release_day_is_not_a_session(sample):
    narrative, check, facts = note(sample, "cpi-reaction", "2017-04-17")  # the March 2017 CPI came out on Good Friday
    assert check.ok and not check.style
    assert facts.value("cpi.release.published") == "2017-04-14" and facts.value("cpi.release.date") == "2017-04-17"
    assert "a day the market was shut" in narrative.lead[0].text
    narrative, check, facts = note(sample, "cpi-reaction", "2018-10-11")
    assert facts.value("DJI.cpi.release.count") == 236  # 237 releases before it, one on Good Friday 2017: 236 sessions
    for day in ("2018-02-14", "2003-02-21", "2012-04-13"):
        narrative, check, facts = note(sample, "cpi-reaction", day)
        for s in ("^IXIC", "^GSPC", "^DJI"):
            p = f"{s.strip('^')}.cpi.release"
            said = section(narrative, "Against past release days")
            if LABELS[s] in said and abs(facts.value(f"{p}.day")) <= facts.value(f"{p}.avg_abs") * 1.1 and facts.value(f"{p}.rank") > 3 and facts.value(f"{p}.share_smaller") < 0.9:
                assert "more than on most" not in said.split(LABELS[s])[-1].split(".")[0], (day, s, said)


def test_the_monthly_counts_are_told_only_when_lopsided(sample):
    narrative, check, facts = note(sample, "monthly-review", "2018-12-31")
    assert check.ok and section(narrative, "Month by month") == ""  # seven, eight and seven of 12: no news
    assert "of the month's" not in section(narrative, "Best and worst days")
    assert [facts.value(f"{k}.month.up_days") for k in ("IXIC", "GSPC", "DJI")] == [10, 7, 8]
    narrative, check, facts = note(sample, "monthly-review", "2017-12-29")  # the Dow up in every month of 2017 but one? its count says
    ups = [facts.value(f"{k}.months.up") for k in ("IXIC", "GSPC", "DJI")]
    assert (section(narrative, "Month by month") != "") == any(u >= 10 or u <= 2 for u in ups)


def test_a_cpi_day_after_a_rarer_day_says_so_in_the_headline(sample):
    """Sept. 18, 2001: the Nasdaq's 1.5% fall on the release day was ordinary; the Dow had entered
    its first bear market since 1990 the session before (DJI.regime.entered = 2001-09-17), on the
    day of an unscheduled Fed cut, which the calendar labels "FOMC decision (unscheduled)"."""
    narrative, check, facts = note(sample, "cpi-reaction", "2001-09-18")
    assert check.ok and not check.style
    assert facts.value("DJI.regime.entered") == "2001-09-17"
    assert narrative.headline.text == "NASDAQ Composite falls on CPI day after Dow enters bear market"
    text = narrative.to_text()
    assert "the day of the unscheduled FOMC decision" in text and "(unscheduled)" not in text


def test_a_rout_on_release_day_leads_before_the_pairs_gap(sample):
    """Aug. 18, 2011: the Nasdaq plunged 5.2% (IXIC.cpi.release.day), its worst release day since
    November 2008; the Dow's 1.5-point margin over it is the pair section's news, not the headline."""
    narrative, check, facts = note(sample, "cpi-reaction", "2011-08-18")
    assert check.ok and not check.style
    assert round(facts.value("IXIC.cpi.release.day"), 3) == -0.052
    assert narrative.headline.text == "NASDAQ Composite plunges 5.2%, worst CPI day since November 2008"
    assert section(narrative, "The pair").startswith("On the release day the Dow fell 1.5 percentage points less than the NASDAQ Composite")


def test_the_same_streak_of_two_indices_around_a_release_is_one_sentence(sample):
    narrative, check, facts = note(sample, "cpi-reaction", "2003-03-21")
    assert check.ok and not check.style
    assert facts.value("GSPC.streak.days") == facts.value("DJI.streak.days") == 8
    said = [s.text for s in narrative.all_sentences() if "straight daily gain" in s.text]
    assert said == ["The S&P 500 and the Dow posted an eighth straight daily gain, the longest winning streak since at least 1999 for the S&P 500 and since December 1998 for the Dow."]


def test_the_monthly_lead_names_indices_that_entered_a_correction_and_first_ever_levels(sample):
    """February 2018: the S&P 500 and the Dow (not the Nasdaq) first closed in a correction on
    Feb. 8 ({GSPC,DJI}.month.first_correction). March 2000: the Nasdaq's first close ever above
    5,000 (IXIC.month.milestone.first_ever, above its 1998 record before the data)."""
    narrative, check, facts = note(sample, "monthly-review", "2018-02-28")
    assert check.ok and not check.style
    assert facts.value("GSPC.month.first_correction") == facts.value("DJI.month.first_correction") == "2018-02-08"
    assert "The S&P 500 and the Dow closed in correction territory on Feb. 8." in [s.text for s in narrative.lead]
    narrative, check, facts = note(sample, "monthly-review", "2000-03-31")
    assert check.ok and facts.value("IXIC.month.milestone.first_ever") == 1
    assert "The NASDAQ Composite closed above 5,000 for the first time on March 9." in [s.text for s in narrative.lead]


def test_the_month_that_ended_a_long_winning_run_says_so(sample):
    """February 2018 ended 10-month winning runs of the S&P 500 and the Dow (DJI.months.ended = 10),
    the Dow's longest since the one that ended in February 1959 (DJI.months.ended_since)."""
    narrative, check, facts = note(sample, "monthly-review", "2018-02-28")
    assert check.ok and not check.style
    assert facts.value("DJI.months.ended") == facts.value("GSPC.months.ended") == 10 and facts.value("DJI.months.ended_since") == "1959-02-27"
    assert "The month ended winning runs of 10 months for the S&P 500 and the Dow, the Dow's longest winning run since 1959." in [s.text for s in narrative.lead]
    narrative, check, _ = note(sample, "monthly-review", "2011-08-31")
    assert check.ok and "The NASDAQ Composite, the S&P 500 and the Dow posted a fourth straight monthly loss" in narrative.to_text()


def test_a_release_that_ends_a_rare_week_says_so(sample):
    """Friday, March 21, 2003: the Dow's 8.4% week was its best since October 1982
    (DJI.week_extreme.since); the February CPI, out that morning, was a footnote to it."""
    narrative, check, facts = note(sample, "cpi-reaction", "2003-03-21")
    assert check.ok and not check.style
    assert facts.value("DJI.week_extreme.since")[:7] == "1982-10"
    assert narrative.headline.text == "Dow jumps 2.8% on CPI day, capping best week since 1982"
    assert "The Dow soared 662.26 points, or 8.4%, this week, its best week since October 1982." in [s.text for s in narrative.lead]


def test_the_monthly_review_tells_the_feds_move_in_the_month(sample):
    """Dec. 16, 2015: the Fed's first hike since June 2006 (fomc.target.prev_same), a month's
    lead; Oct. 29, 2008, the month's latest of two cuts, among its events. A month in which
    the Fed held (November 2016) says nothing of it."""
    prices, events, macro = sample
    narrative, check, facts = note(sample, "monthly-review", "2015-12-31")
    assert check.ok and not check.style
    assert facts.value("fomc.decision.date") == "2015-12-16" and facts.value("fomc.target.prev_same") == "2006-06-29"
    assert "The Fed raised its target by a quarter point to a range of 0.25% to 0.50% on Dec. 16, its first hike since June 2006." in [s.text for s in narrative.lead]
    narrative, check, _ = note(sample, "monthly-review", "2008-10-31")
    assert "The Fed cut its target by half a point to 1% on Oct. 29, the ninth cut since September 2007." in section(narrative, "The month's events")
    narrative, check, facts = note(sample, "monthly-review", "2016-11-30")
    assert facts.value("fomc.decision.date") == "2016-11-02" and "The Fed" not in narrative.to_text()
