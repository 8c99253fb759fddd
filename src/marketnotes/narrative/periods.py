"""The quarter and the year in the monthly review, at quarter- and year-end.

A December review is also the year's review: the desk writes "In 2018 the S&P 500 fell
6.2%, its worst year since 2008", or "the first annual loss for all three since 2015", or
nothing beyond the figures when the period is ordinary. This module picks, for each period
that ends with the note (facts/periods.py), the one clause worth telling and how rare it is
in years, so the lead planner (months.py) can move a rare one into the lead:
- `extreme`: the best (worst) quarter or year since X, reaching `RARE` years back; for every
  index at once when they reach the same period, else for the index that reaches furthest;
- `first`: after a run the other way, the first annual loss (gain) since X, `FIRST` years back;
- `run`: the `RUN`th quarter or year in a row the same way.
"""

from __future__ import annotations

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative.angles import years_between
from marketnotes.narrative.month_events import reach

RARE = 2.0
FIRST = 3.0
RUN = {"quarter": 4, "year": 3}
YEAR_LEADS = 100.0


def _reach(facts: FactTable, p: str) -> float:
    return reach(facts, p, "since", "data_start")


def since_month(facts: FactTable, p: str) -> str:
    """The month "its worst <period> since ..." names (`p`: a fact prefix such as `DJI.month`
    or `DJI.quarter`), to tell one shared clause from several."""
    return str(facts.value(f"{p}.since") or facts.value(f"{p}.data_start"))[:7]


def sentences(facts: FactTable, say, told: list[str]) -> list[tuple[str, float]]:
    """The quarter's and the year's sentence, each with its rarity in years (0 when ordinary)."""
    out = []
    for name in ("quarter", "year"):
        told_here = [s for s in told if f"{key_of(s)}.{name}.ret" in facts]
        if not told_here:
            continue
        order = sorted(told_here, key=lambda s: -abs(facts.value(f"{key_of(s)}.{name}.ret")))
        clause, years = _clause(facts, name, order)
        if name == "year" and clause[0]:
            years = YEAR_LEADS  # the December review is also the year's: a year with news leads the month's events
        out.append((say("period", order, name, *clause), years))
    return out


def _clause(facts: FactTable, name: str, order: list[str]) -> tuple[tuple, float]:
    """(kind, symbols) for the macro, and its rarity in years."""
    p = {s: f"{key_of(s)}.{name}" for s in order}
    up = {s: facts.value(f"{p[s]}.ret") > 0 for s in order}
    reach = {s: _reach(facts, p[s]) for s in order}
    rarest = max(order, key=lambda s: reach[s])
    if reach[rarest] >= RARE:
        same = [s for s in order if f"{p[s]}.since" in facts and reach[s] >= RARE and up[s] == up[rarest] and since_month(facts, p[s]) == since_month(facts, p[rarest])]
        return ("extreme", same if len(same) == len(order) else [rarest]), reach[rarest]
    firsts = {s: years_between(facts.as_of, facts.value(f"{p[s]}.sign_since")) for s in order if f"{p[s]}.sign_since" in facts}
    if firsts and max(firsts.values()) >= FIRST and name == "year":
        first = max(firsts, key=firsts.get)
        same = [s for s in firsts if up[s] == up[first] and str(facts.value(f"{p[s]}.sign_since"))[:4] == str(facts.value(f"{p[first]}.sign_since"))[:4]]
        return ("first", same if len(same) == len(order) else [first]), firsts[first]
    runs = {s: facts.value(f"{p[s]}.run") for s in order if (facts.value(f"{p[s]}.run") or 0) >= RUN[name]}
    if runs:
        longest = max(runs, key=runs.get)
        return ("run", [longest]), 0.0
    return ("", []), 0.0
