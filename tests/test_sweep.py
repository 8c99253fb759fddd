"""Every Friday of the bundled sample, 1999-2018: the prose passes its own fact check, leads
with the week's biggest mover, and never reads the same two weeks running unless the facts do."""

import pandas as pd

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, compute_facts, key_of
from marketnotes.narrative import biggest_mover, write_note
from marketnotes.narrative.compose import lead_window

SYMBOLS = ["^GSPC", "^IXIC", "^DJI"]
LABELS = {"^GSPC": "S&P 500", "^IXIC": "NASDAQ Composite", "^DJI": "Dow"}


def test_every_friday_of_the_sample():
    prices = load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))
    closes, highs = prices.closes.loc["1998-12-01":], prices.highs.loc["1998-12-01":]
    events = load_events(["cpi"])
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "3m", "ytd"), ("^IXIC", "^DJI"))
    fridays = sorted({resolve_as_of(d.date()).session for d in pd.date_range("1999-01-08", "2018-12-28", freq="W-FRI")})
    previous = None
    failures = []
    for as_of in fridays:
        facts = compute_facts(closes.loc[:as_of], as_of, config, highs.loc[:as_of], events)
        narrative, check = write_note(facts, SYMBOLS, ("^IXIC", "^DJI"))
        if not check.ok:
            failures.append((as_of.date(), check.problems[:2]))
            continue
        mover = biggest_mover(facts, SYMBOLS, lead_window(facts, SYMBOLS))
        assert f'data-label="{mover}"' in str(narrative.lead[0].html), as_of
        text = narrative.to_text()
        if previous is not None:
            same_facts = [f.value for f in facts] == [f.value for f in previous[1]]
            assert text != previous[0] or same_facts, as_of
        previous = (text, facts)
    assert not failures, failures[:5]
    assert len(fridays) > 1000
