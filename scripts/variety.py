"""How varied the notes are: every Friday of the bundled sample, 1999-2018 (or a sample of them).

Prints the number of distinct headline skeletons (the headline with its figures, dates and
index names blanked), the most common skeletons, and the sentence skeletons that recur in the
most notes with their share: "The X CPI release is due Y" in 69 of 69 notes is boilerplate.

    .venv/bin/python scripts/variety.py [--every N]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

import pandas as pd

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.data.records import bundled_records
from marketnotes.narrative import write_note

SYMBOLS = ["^GSPC", "^IXIC", "^DJI"]
LABELS = {"^GSPC": "S&P 500", "^IXIC": "NASDAQ Composite", "^DJI": "Dow"}
PAIR = ("^IXIC", "^DJI")


def skeleton(html: str) -> str:
    """A sentence with every traced figure, date and name blanked, and verbs kept."""
    text = re.sub(r'<span data-label="[^"]*">[^<]*</span>', "IDX", html)
    text = re.sub(r'<span data-fact="[^"]*" data-fmt="[^"]*">[^<]*</span>', "N", text)
    text = re.sub(r'<span data-fact="[^"]*" data-word="[^"]*"[^>]*>[^<]*</span>', "V", text)
    return re.sub(r"<[^>]+>", "", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1, help="take every Nth Friday")
    args = parser.parse_args()
    prices = load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))
    events = load_events(["cpi"])
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "3m", "ytd"), PAIR, complete=prices.complete, known_records=bundled_records())
    fridays = sorted({resolve_as_of(d.date()).session for d in pd.date_range("1999-01-08", "2018-12-28", freq="W-FRI")})[:: args.every]
    heads, sentences = Counter(), Counter()
    for as_of in fridays:
        facts = compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of], events)
        narrative, _ = write_note(facts, SYMBOLS, PAIR)
        heads[skeleton(str(narrative.headline.html))] += 1
        sentences.update({skeleton(str(s.html)) for s in narrative.all_sentences()[1:]})
    n = len(fridays)
    print(f"{n} notes: {len(heads)} distinct headline skeletons")
    for text, count in heads.most_common(5):
        print(f"  {count:4d} ({count / n:.0%})  {text}")
    print("sentence skeletons in the most notes:")
    for text, count in sentences.most_common(8):
        print(f"  {count:4d} ({count / n:.0%})  {text[:110]}")


if __name__ == "__main__":
    main()
