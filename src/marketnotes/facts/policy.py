"""What the Fed decided: the change in the federal funds target at an FOMC decision in the
note's window, and how rare it was ("its first hike since June 2006", "its 10th straight cut").

Frames in, facts out, no I/O. The decision dates come from the FOMC calendar (events kind
`fomc`); the target from the rate series (data/policy.py): the single target rate to 2008
(DFEDTAR) and the range after (DFEDTARL, DFEDTARU), spliced into one range whose floor and
ceiling are equal before Dec. 16, 2008. A change takes effect on the decision day (to 2008)
or the day after (since), so the target "before" is the one in force the day before the
decision and "after" the one in force the day after: nothing later is read. Rates are
facts in fractions (0.0225 is 2.25%), like every other percentage.

Ids (`fomc.` prefix):
- `decision.date` (date), `decision.label` (text): the decision the note tells;
- `target.lower`, `target.upper` (pct): the range after it; `target.before_lower`,
  `target.before_upper` (pct) the one before; `target.single` (count) 1 when the target was
  one rate both before and after (the years to 2008);
- `target.change_bp` (count, signed): the move in basis points, where floor and ceiling moved
  alike; `target.change_words` (text) the same as a desk says it ("a quarter point");
- for a change: `target.run` (count) the changes in a row the same way through this one
  (holds between them do not end it: "the seventh increase since December 2015", from
  `target.run_start`), and
  `target.prev_same` (date) the last earlier change the same way, or `target.same_data_start`
  when the data has none ("its first cut in data going back to 1990");
- for a hold: `target.held_since` (date), when the target last changed.
"""

from __future__ import annotations

import pandas as pd

from marketnotes.facts.table import FactTable

KIND = "fomc"
TARGET, LOW, HIGH = "DFEDTAR", "DFEDTARL", "DFEDTARU"
DAY = pd.Timedelta(days=1)
STEP_WORDS = {25: "a quarter point", 50: "half a point", 75: "three-quarters of a point", 100: "a full point"}


def decision_in_window(events: pd.DataFrame | None, start: pd.Timestamp, as_of: pd.Timestamp) -> pd.Timestamp | None:
    """The latest FOMC decision from `start` through the as-of, or None."""
    if events is None or not len(events):
        return None
    mine = events[(events["kind"] == KIND) & (events["date"] >= pd.Timestamp(start)) & (events["date"] <= pd.Timestamp(as_of))]
    return None if mine.empty else pd.Timestamp(mine["date"].iloc[-1])


def month_decision(events: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.Timestamp | None:
    """The decision a monthly review tells: the month's latest, through the as-of."""
    return decision_in_window(events, pd.Timestamp(as_of).normalize().replace(day=1), as_of)


def cpi_note_decision(events: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.Timestamp | None:
    """The decision a CPI note tells: the latest from the Monday of its release's week through
    the as-of (a cut on the release day, or the day before it, is part of that day's story)."""
    if events is None or not len(events):
        return None
    cpi = events[(events["kind"] == "cpi") & (events["date"] <= pd.Timestamp(as_of))]
    if cpi.empty:
        return None
    released = pd.Timestamp(cpi["date"].iloc[-1])
    return decision_in_window(events, released - pd.Timedelta(days=released.weekday()), as_of)


def target_range(macro) -> pd.DataFrame | None:
    """Columns lower, upper (fractions) by date, one row per date a series has: the single
    target as both bounds up to the first day of the range. None without the range series."""
    get = getattr(macro, "get", lambda sid: None)
    low, high, single = get(LOW), get(HIGH), get(TARGET)
    if low is None or high is None:
        return None
    frame = pd.DataFrame({"lower": low.values, "upper": high.values}).dropna() / 100
    if single is not None:
        old = single.values.loc[: frame.index[0] - DAY] / 100
        frame = pd.concat([pd.DataFrame({"lower": old, "upper": old}), frame])
    return frame.sort_index()


def step_words(bp: int) -> str:
    return STEP_WORDS.get(abs(bp), f"{abs(bp)} basis points")


def add_policy_facts(table: FactTable, macro, events: pd.DataFrame | None, day: pd.Timestamp | None) -> None:
    """The decision of `day` (cpi_note_decision), where the series cover the day it took effect."""
    frame = target_range(macro) if day is not None else None
    if frame is None or frame.index[-1] < day + DAY or frame.index[0] > day - DAY:
        return
    vintage = macro.get(HIGH).vintage
    source = f"{TARGET} to 2008, {LOW}/{HIGH} after; {vintage}"
    before, after = frame.loc[: day - DAY].iloc[-1], frame.loc[: day + DAY].iloc[-1]
    label = events.loc[(events["kind"] == KIND) & (events["date"] == day), "label"].iloc[-1]
    p = f"{KIND}.target"
    table.add(f"{KIND}.decision.date", day, "date", "the FOMC decision the note tells (the latest in its window)", end=day)
    table.add(f"{KIND}.decision.label", str(label), "text", "the FOMC decision's calendar label", end=day)
    for when, row in (("", after), ("before_", before)):
        for bound in ("lower", "upper"):
            table.add(f"{p}.{when}{bound}", float(row[bound]), "pct", f"federal funds target {'floor' if bound == 'lower' else 'ceiling'} {'after' if not when else 'before'} the decision of {day.date()} ({source})", end=day)
    if before["lower"] == before["upper"] and after["lower"] == after["upper"]:
        table.add(f"{p}.single", 1, "count", "1 when the target was a single rate before and after the decision (to 2008)", end=day)
    moves = round((after["lower"] - before["lower"]) * 10000), round((after["upper"] - before["upper"]) * 10000)
    if moves[0] == moves[1]:
        table.add(f"{p}.change_bp", int(moves[1]), "count", f"change in the federal funds target at the decision of {day.date()}, in basis points (+ raised, - cut)", end=day)
        if moves[1]:
            table.add(f"{p}.change_words", step_words(moves[1]), "text", f"the change of {abs(moves[1])} basis points as a desk says it", end=day)
    history = frame["upper"].loc[: day - DAY]
    changes = history.diff().dropna()
    changes = changes[changes.abs() > 1e-9]
    move = after["upper"] - before["upper"]
    if abs(move) > 1e-9:
        same = changes[(changes > 0) == (move > 0)]
        run, began = 1, day
        for at, step in zip(changes.index[::-1], changes.to_numpy()[::-1]):
            if (step > 0) != (move > 0):
                break
            run, began = run + 1, at
        table.add(f"{p}.run", run, "count", "FOMC target changes in a row the same way, through this one (holds between them do not end it)", end=day)
        if run > 1:
            table.add(f"{p}.run_start", began, "date", f"the first change of the run ({source})", began, day)
        if len(same):
            table.add(f"{p}.prev_same", same.index[-1], "date", f"the last earlier {'increase' if move > 0 else 'cut'} in the federal funds target ({source})", same.index[-1], day)
        else:
            table.add(f"{p}.same_data_start", history.index[0], "date", f"no earlier {'increase' if move > 0 else 'cut'} in the target data, which starts here ({source})", history.index[0], day)
    elif len(changes):
        table.add(f"{p}.held_since", changes.index[-1], "date", f"the target's last change before the decision of {day.date()} ({source})", changes.index[-1], day)
