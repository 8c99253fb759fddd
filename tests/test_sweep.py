"""Every Friday of the bundled sample, 1999-2018, and every fourth Wednesday: the prose passes
its own fact check and the editorial lint with no finding, never reads the same two weeks
running unless the facts do, and never leads with last week's lead (a series, as rendered).

The chunks run side by side on the suite's `cores` (conftest), each from its own first week."""

import functools

import pandas as pd
import pytest
from conftest import submit_selected

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.data.records import bundled_records
from marketnotes.facts.moves import window_start
from marketnotes.narrative import lint, series, write_note

SYMBOLS = ["^GSPC", "^IXIC", "^DJI"]
LABELS = {"^GSPC": "S&P 500", "^IXIC": "NASDAQ Composite", "^DJI": "Dow"}
PAIR = ("^IXIC", "^DJI")


@functools.cache
def sample():
    prices = load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "3m", "ytd"), PAIR, complete=prices.complete, known_records=bundled_records())
    return prices.closes, prices.highs, load_events(["cpi"]), config


def sweep(days):
    closes, highs, events, config = sample()
    previous, failures = None, []
    for as_of in days:
        facts = compute_facts(closes.loc[:as_of].dropna(how="all"), as_of, config, highs.loc[:as_of], events)
        # as a series renders it (analysis.last_week): last week's lead, from last week's own facts
        last = previous is not None and previous[1].as_of == str(window_start(closes["^GSPC"].dropna(), as_of, "1w").date())
        lead = series.last_week_lead(previous[1], SYMBOLS, PAIR) if last else None
        narrative, check = write_note(facts, SYMBOLS, PAIR, previous=lead)
        if lead is not None:
            assert series.lead_of(series.avoiding(series.ranking(facts, SYMBOLS, PAIR)[0], lead)) != lead, as_of
        findings = [str(f) for f in lint.lint(narrative, facts, closes)]
        if check.problems or findings:
            failures.append((as_of.date(), (check.problems + findings)[:2]))
        text = narrative.to_text()
        if previous is not None:
            same_facts = [f.value for f in facts] == [f.value for f in previous[1]]
            assert text != previous[0] or same_facts, as_of
        previous = (text, facts)
    return failures


def sessions_of(first: str, last: str, freq: str) -> list[pd.Timestamp]:
    return sorted({resolve_as_of(d.date()).session for d in pd.date_range(first, last, freq=freq)})


FRIDAYS = sessions_of("1999-01-08", "2018-12-28", "W-FRI")
FIRST_YEARS = range(1999, 2019, 4)  # chunks of four years: none nears the per-test timeout on a busy machine


@pytest.fixture(scope="module")
def sweeps(request, cores):
    """Every selected chunk handed to the suite's cores at once, the Fridays' and the Wednesdays'."""
    chunks = {f"test_every_friday_of_the_sample[{year}]": (sweep, [d for d in FRIDAYS if year <= d.year < year + 4]) for year in FIRST_YEARS}
    chunks["test_midweek_notes_of_the_sample"] = (sweep, sessions_of("1999-01-06", "2018-12-26", "4W-WED"))
    return submit_selected(request, cores, chunks)


def test_the_sweep_covers_every_friday():
    assert len(FRIDAYS) > 1000 and FRIDAYS[0].year == 1999 and FRIDAYS[-1].year == 2018


@pytest.mark.parametrize("first_year", FIRST_YEARS)
def test_every_friday_of_the_sample(request, sweeps, first_year):
    failures = sweeps[request.node.name].result()
    assert not failures, f"{len(failures)} notes: {failures[:5]}"


def test_midweek_notes_of_the_sample(request, sweeps):
    """A Wednesday note says "since last Friday", never "this week", and passes the same editor."""
    failures = sweeps[request.node.name].result()
    assert not failures, f"{len(failures)} notes: {failures[:5]}"
