"""How a fact's value is written in prose. The writer and the fact checker share these, so
the checker can re-derive every number and date from the facts table and compare it with
what the prose says. Numbers go through Babel; percentages in prose are absolute values,
because the direction is carried by the verb ("fell 2.1%", never "fell -2.1%").
"""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALE = "en_US"


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def fuzzy_date(day: dt.date, as_of: dt.date) -> str:
    """"early May", "mid-May", "late May"; the year is added when it is not the as-of year."""
    part = "early " if day.day <= 10 else "mid-" if day.day <= 20 else "late "
    text = part + format_date(day, "MMMM", locale=LOCALE)
    return text if day.year == as_of.year else f"{text} {day.year}"


AP_MONTHS = {1: "Jan.", 2: "Feb.", 8: "Aug.", 9: "Sept.", 10: "Oct.", 11: "Nov.", 12: "Dec."}
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ORDINAL_WORDS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def ap_date(day: dt.date, as_of: dt.date | None) -> str:
    """AP style: "Aug. 14", "March 14" (March to July spelled out); the year only when it differs."""
    month = AP_MONTHS.get(day.month, format_date(day, "MMMM", locale=LOCALE))
    text = f"{month} {day.day}"
    return text if as_of is not None and day.year == as_of.year else f"{text}, {day.year}"


def same_week(day: dt.date, as_of: dt.date) -> bool:
    return 0 <= (as_of - day).days < 7 and day.weekday() <= as_of.weekday()


def relative_day(day: dt.date, as_of: dt.date) -> str:
    """"Thursday" within the note's calendar week; "Aug. 14" (plus year if needed) further back."""
    if same_week(day, as_of):
        return format_date(day, "EEEE", locale=LOCALE)
    return ap_date(day, as_of)


def count_words(value) -> str:
    """AP: one to nine in words, 10 and above in figures; a signed count (a losing streak) by its size."""
    n = abs(int(value))
    return NUMBER_WORDS[n] if 0 <= n < 10 else format_decimal(n, "#,##0", locale=LOCALE)


def ordinal(value) -> str:
    """"sixth", "10th", "21st", "112th"; a signed count (a losing streak) is told by its size."""
    n = abs(int(value))
    if 0 < n < 10:
        return ORDINAL_WORDS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def month_year(day: dt.date, as_of: dt.date | None) -> str:
    """"November 2021"; "January" alone in a note of the same year (AP)."""
    same = as_of is not None and day.year == as_of.year
    return format_date(day, "MMMM" if same else "MMMM y", locale=LOCALE)


def era(day: dt.date, as_of: dt.date) -> str:
    """How far back a "since" reaches: "November 2008"; a bare year once it is 25+ years back."""
    return str(day.year) if (as_of - day).days > 25 * 365 else month_year(day, as_of)


def quarter(day: dt.date, as_of: dt.date | None) -> str:
    """"the fourth quarter of 2008"; "the first quarter" in a note of the same year."""
    name = ("first", "second", "third", "fourth")[(day.month - 1) // 3]
    return f"the {name} quarter" + ("" if as_of is not None and day.year == as_of.year else f" of {day.year}")


def event_name(label: str) -> str:
    """A calendar label as prose: "FOMC decision (unscheduled)" -> "unscheduled FOMC decision"
    (the calendar's qualifier in brackets reads as a note to the reader, not as English)."""
    match = re.fullmatch(r"(.+?)\s*\((\w[\w -]*)\)", label.strip())
    return f"{match[2]} {match[1]}" if match else label


FORMATS = {
    "pct1": lambda v, a: format_percent(abs(v), "#,##0.0%", locale=LOCALE),
    "pct0": lambda v, a: format_percent(abs(v), "#,##0%", locale=LOCALE),
    "pct2": lambda v, a: format_percent(abs(v), "#,##0.00%", locale=LOCALE),  # a monthly CPI reading: "0.35%"
    "spct1": lambda v, a: ("+" if v > 0 else "−" if v < 0 else "") + format_percent(abs(v), "#,##0.0%", locale=LOCALE),
    "pts1": lambda v, a: format_decimal(abs(v), "#,##0.0", locale=LOCALE),
    "sigma1": lambda v, a: format_decimal(abs(v), "#,##0.0", locale=LOCALE),
    "level": lambda v, a: format_decimal(v, "#,##0.00", locale=LOCALE),
    "round": lambda v, a: format_decimal(v, "#,##0", locale=LOCALE),
    "points": lambda v, a: format_decimal(abs(v), "#,##0.00", locale=LOCALE),  # "fell 617.78 points": the verb has the sign  # a round level: "5,000", not "5,000.00"
    "count": lambda v, a: count_words(v),
    "ordinal": lambda v, a: ordinal(v),
    "month_year": lambda v, a: month_year(_day(v), a),
    "full_month": lambda v, a: month_year(_day(v), None),  # always with its year: "January 1999"
    "full_date": lambda v, a: ap_date(_day(v), None),
    "date": lambda v, a: ap_date(_day(v), a),
    "year": lambda v, a: str(_day(v).year),
    "era": lambda v, a: era(_day(v), a),
    "quarter": lambda v, a: quarter(_day(v), a),
    "day": lambda v, a: relative_day(_day(v), a),
    "fuzzy": lambda v, a: fuzzy_date(_day(v), a),
    "text": lambda v, a: str(v),
    "event": lambda v, a: event_name(str(v)),
}

NUMERIC = {"pct1": 100, "pct0": 100, "pct2": 100, "spct1": 100, "pts1": 1, "sigma1": 1, "level": 1, "round": 1, "points": 1, "count": 1, "ordinal": 1}
DECIMALS = {"pct1": 1, "pct0": 0, "pct2": 2, "spct1": 1, "pts1": 1, "sigma1": 1, "level": 2, "round": 0, "points": 2, "count": 0, "ordinal": 0}


def render(value, fmt: str, as_of: dt.date) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    return FORMATS[fmt](value, as_of)


def parse_number(text: str) -> float | None:
    """"3.6%" -> 3.6, "3,321.29" -> 3321.29, "−2.0%" -> -2.0, "three" -> 3, "sixth" -> 6; None if no number."""
    word = text.strip().lower()
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS.index(word))
    if word in ORDINAL_WORDS[1:]:
        return float(ORDINAL_WORDS.index(word))
    match = re.search(r"[+−-]?\d[\d,]*(?:\.\d+)?", text)
    if not match:
        return None
    return float(match.group(0).replace(",", "").replace("−", "-"))
