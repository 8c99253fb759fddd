"""`marketnotes events`: refresh the CPI and FOMC calendars, show what is known, warn where they end.

The calendars run out (the bundled ones end with the releases scheduled when the package was
built), and a note past the end has nothing to watch. `update` fetches the official schedules
into the cache; `show` says where each calendar comes from and where it ends; and a render
whose note runs past the end prints one warning naming the command (`calendar_warning`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from marketnotes.cli.common import Offline, app, err, out

# marketnotes.events imports pandas: loaded inside the commands, so `marketnotes --help` stays quick

events_app = typer.Typer(no_args_is_help=True, help="Refresh and inspect the CPI and FOMC event calendars.")
app.add_typer(events_app, name="events")

Kinds = Annotated[list[str] | None, typer.Argument(help="cpi and/or fomc (default: both)", show_default=False)]
NAMES = {"cpi": "CPI", "fomc": "FOMC"}
UPDATE = "run `marketnotes events update`"
SOON_DAYS = 45  # `show` tells the user to update when the calendar ends within about a release cycle


def _kinds(kinds: list[str] | None) -> list[str]:
    from marketnotes.events import UPDATABLE
    from marketnotes.events.errors import CalendarInputError

    for kind in kinds or []:
        if kind not in UPDATABLE:
            raise CalendarInputError(kind, f"not a calendar marketnotes keeps; name {' or '.join(UPDATABLE)}")
    return list(dict.fromkeys(kinds or UPDATABLE))


def _say(text: str, console=out) -> None:
    console.print(text, highlight=False, soft_wrap=True)


@events_app.command("update")
def events_update(
    kinds: Kinds = None,
    source: Annotated[str | None, typer.Option("--from", help="a URL or file to read instead of the official source (an iCalendar feed, or a BLS or Fed schedule page)")] = None,
    offline: Offline = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="seconds to wait for a server")] = 30.0,
) -> None:
    """Fetch the CPI release schedule (BLS) and the FOMC meeting calendar (Federal Reserve) into the cache."""
    from marketnotes.errors import MarketNotesError
    from marketnotes.events.errors import CalendarInputError
    from marketnotes.events.update import OFFICIAL, update_calendar

    names = _kinds(kinds)
    if source is not None and kinds and len(names) > 1:
        raise CalendarInputError("--from", "reads one calendar; name at most one of cpi, fomc")
    if source is None and offline:
        raise CalendarInputError("--offline", f"the calendars are fetched from {' and '.join(OFFICIAL[k] for k in names)}; run without --offline, or pass --from a saved copy")
    jobs = [(names[0] if kinds else None, source)] if source is not None else [(kind, None) for kind in names]
    failures: list[MarketNotesError] = []
    for kind, src in jobs:
        try:
            done = update_calendar(kind, src, offline=offline, timeout=timeout)
        except MarketNotesError as exc:
            failures.append(exc)
            continue
        got, last = done.schedule, done.calendar.last
        first_day, last_day = (d.date().isoformat() for d in got.events["date"].iloc[[0, -1]])
        _say(f"[green]{done.cached.kind}[/]: {len(got.events)} dates {first_day} .. {last_day} from the {got.what} at {escape(done.source)}")
        _say(f"  the calendar now ends with the {escape(last['label'])} on {last['date'].date().isoformat()} (cache: {escape(str(done.cached.path))})")
    if failures:  # one error line, naming every calendar that failed
        failures[0].message = "; ".join(str(f) for f in failures)
        raise failures[0]


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("America/New_York")).date()


@events_app.command("show")
def events_show(
    kinds: Kinds = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="list the dates after this day, YYYY-MM-DD (default: today)")] = None,
    count: Annotated[int, typer.Option("--next", min=1, help="how many upcoming dates to list")] = 3,
) -> None:
    """Show each calendar's source (bundled, or the cache and when it was fetched), its range, the next dates and where it ends."""
    import pandas as pd

    from marketnotes import __version__
    from marketnotes.events.calendars import TITLES, known
    from marketnotes.events.errors import CalendarInputError

    try:
        day = dt.date.fromisoformat(as_of) if as_of else _today()
    except ValueError:
        raise CalendarInputError(f"--as-of {as_of}", "expected YYYY-MM-DD") from None
    for kind in _kinds(kinds):
        cal = known(kind)
        events, cached, last = cal.events, cal.cached, cal.last
        _say(f"[bold]{kind}[/]: {TITLES[kind]}")
        if cached is None:
            _say(f"  source    bundled with marketnotes {__version__} (no cached copy; `marketnotes events update` fetches one)")
        else:
            fetched = cached.fetched.replace("T", " ").replace("+00:00", " UTC")
            _say(f"  source    cache {escape(str(cached.path))}, fetched {fetched} from {escape(cached.source)}; the bundled calendar for other dates")
        if last is None:
            _say(f"  known     nothing; {UPDATE}")
            continue
        _say(f"  known     {events['date'].iloc[0].date()} .. {last['date'].date()} ({len(events)} dates)")
        upcoming = events[events["date"] > pd.Timestamp(day)].head(count)
        if len(upcoming):
            listed = " · ".join(f"{d.date()} {escape(label)}" for d, label in zip(upcoming["date"], upcoming["label"], strict=True))
            _say(f"  next      {listed}  (after {day})")
            left = (last["date"].date() - day).days
            soon = f"; [yellow]{left} day{'s' * (left != 1)} away: {UPDATE} to extend it[/]" if left <= SOON_DAYS else ""
            _say(f"  ends      {last['date'].date()} with the {escape(last['label'])}{soon}")
        else:
            _say(f"  next      [yellow]none after {day}[/]")
            _say(f"  ends      {last['date'].date()} with the {escape(last['label'])}; [yellow]{UPDATE}[/]")


def calendar_warning(tables) -> str | None:
    """One line for notes that ran past a calendar's last known date, naming the command to run."""
    ends = {}
    for facts in tables:
        for kind in NAMES:
            if f"{kind}.calendar.end" in facts:
                ends[kind] = (facts.value(f"{kind}.calendar.end_label"), facts.value(f"{kind}.calendar.end"))
    if not ends:
        return None
    told = " and ".join(f"the {NAMES[k]} calendar ends with the {label} on {day}" for k, (label, day) in ends.items())
    return f"{told}, so a note after it names no next date; {UPDATE}"


def warn_past_calendars(tables) -> None:
    line = calendar_warning(tables)
    if line:
        _say(f"[yellow]warning:[/] {escape(line)}", err)


def note_facts(folders: list[Path]):
    """The facts tables of rendered note folders (a batch's notes), skipping any unreadable."""
    from marketnotes.facts.table import FactTable

    for folder in folders:
        try:
            yield FactTable.from_json((folder / "facts.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
