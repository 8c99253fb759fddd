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


def relative_day(day: dt.date, as_of: dt.date) -> str:
    """"Thursday" within the note's week; "March 14" (plus year if needed) further back."""
    if 0 <= (as_of - day).days < 7:
        return format_date(day, "EEEE", locale=LOCALE)
    return format_date(day, "MMMM d" if day.year == as_of.year else "MMMM d, y", locale=LOCALE)


FORMATS = {
    "pct1": lambda v, a: format_percent(abs(v), "#,##0.0%", locale=LOCALE),
    "pct0": lambda v, a: format_percent(abs(v), "#,##0%", locale=LOCALE),
    "spct1": lambda v, a: ("+" if v > 0 else "−" if v < 0 else "") + format_percent(abs(v), "#,##0.0%", locale=LOCALE),
    "pts1": lambda v, a: format_decimal(abs(v), "#,##0.0", locale=LOCALE),
    "sigma1": lambda v, a: format_decimal(abs(v), "#,##0.0", locale=LOCALE),
    "level": lambda v, a: format_decimal(v, "#,##0.00", locale=LOCALE),
    "count": lambda v, a: format_decimal(v, "#,##0", locale=LOCALE),
    "month_year": lambda v, a: format_date(_day(v), "MMMM y", locale=LOCALE),
    "full_date": lambda v, a: format_date(_day(v), "MMMM d, y", locale=LOCALE),
    "day": lambda v, a: relative_day(_day(v), a),
    "fuzzy": lambda v, a: fuzzy_date(_day(v), a),
    "text": lambda v, a: str(v),
}

NUMERIC = {"pct1": 100, "pct0": 100, "spct1": 100, "pts1": 1, "sigma1": 1, "level": 1, "count": 1}
DECIMALS = {"pct1": 1, "pct0": 0, "spct1": 1, "pts1": 1, "sigma1": 1, "level": 2, "count": 0}


def render(value, fmt: str, as_of: dt.date) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    return FORMATS[fmt](value, as_of)


def parse_number(text: str) -> float | None:
    """"3.6%" -> 3.6, "3,321.29" -> 3321.29, "−2.0%" -> -2.0; None if no number."""
    match = re.search(r"[+−-]?\d[\d,]*(?:\.\d+)?", text)
    if not match:
        return None
    return float(match.group(0).replace(",", "").replace("−", "-"))
