"""Every number shows its source: each cited figure in the HTML note says what fact it is.

The prose and tables mark each figure `<span data-fact="ID" ...>` (narrative/writer.py) so the
fact checker can read it back. A reader gets the same trace: hovering a figure (tapping it, on
a phone) shows the fact's description, the window it covers and its id in facts.json.

Why here, on the finished page, and not where the prose is written: by now the fact check has
read every sentence (the host's and the template's own `say`), and the facts table is the
merged one that becomes facts.json, so the ids a reader sees are the ids in that file. The
checker's markup is left as it was: the explanation is only added as attributes (`title`, which
browsers and screen readers show as the element's description, and `tabindex` so a tap or the
keyboard can focus it); the popover itself is CSS (note.css) drawn from the `title`, so the page
stays script-free, its text (and what `plain_text` reads) unchanged, and print hides it.
"""

from __future__ import annotations

import html as htmllib
import re

from marketnotes.errors import RenderError
from marketnotes.facts.table import Fact, FactTable

# A figure in the prose: a whole `<span data-fact=...>text</span>` (the writer never nests
# one), wrapped so its own markup stays byte for byte what the fact checker read. Any other
# element citing facts (a table cell, hand-written HTML) takes the attributes on its own tag.
# Attribute values are escaped where they are written, so no `<`, `>` or `"` occurs in one.
CITING = re.compile(
    r'(?P<span><span\b(?P<sattrs>[^<>]*?\sdata-fact="(?P<sids>[^"]*)"[^<>]*)>(?P<text>[^<]*)</span>)'
    r'|<(?P<tag>[A-Za-z][\w-]*)\b(?P<attrs>[^<>]*?\sdata-fact="(?P<ids>[^"]*)"[^<>]*?)(?P<end>\s*/?)>'
)
HAS_TITLE = re.compile(r"\stitle\s*=", re.I)
WRAPPER = "mn-src"  # the class of a prose figure's wrapper (note.css draws its popover)


class UnknownSource(RenderError):
    """A figure on the page cites an id that is not in the note's facts table: the page would
    point its reader at a fact facts.json does not hold, so the note is not published."""

    def __init__(self, fid: str, text: str):
        self.fid = fid
        super().__init__("html", f"a figure cites {fid!r}, which is not in facts.json (near {text!r})")


def window(fact: Fact) -> str:
    """The stretch of sessions the fact is about, in facts.json's own ISO dates."""
    start, end = fact.start, fact.end
    if start and end and start != end:
        return f"{start} to {end}"
    day = end or start
    return f"on {day}" if day else ""


def explain(fact: Fact) -> str:
    """What a reader is shown for one fact: description, window, id (one line each)."""
    lines = [fact.description.strip() or fact.id, window(fact), f"facts.json · {fact.id}"]
    return "\n".join(line for line in lines if line)


def explanation(ids: str, facts: FactTable, near: str = "") -> str:
    """One figure may cite several facts (a verb shared by two indices): each is explained."""
    found = []
    for fid in ids.split():
        if fid not in facts:
            raise UnknownSource(fid, near)
        found.append(explain(facts[fid]))
    return "\n\n".join(found)


def annotate(page: str, facts: FactTable) -> str:
    """The page with each fact-citing element carrying its explanation. An element that already
    has a title (hand-written HTML in a template) keeps it."""

    def title(ids: str, near: str) -> str:
        text = htmllib.escape(explanation(htmllib.unescape(ids), facts, htmllib.unescape(near)), quote=True)
        return text.replace("\n", "&#10;")  # a newline in an attribute survives as a reference

    def add(match: re.Match) -> str:
        if match.group("span"):
            if HAS_TITLE.search(match.group("sattrs")):
                return match.group(0)
            return f'<span class="{WRAPPER}" tabindex="0" title="{title(match.group("sids"), match.group("text"))}">{match.group(0)}</span>'
        attrs = match.group("attrs")
        if HAS_TITLE.search(attrs):
            return match.group(0)
        near = page[match.end(): match.end() + 40]
        return f'<{match.group("tag")}{attrs} tabindex="0" title="{title(match.group("ids"), near)}"{match.group("end")}>'

    return CITING.sub(add, page)


def cited(page: str) -> list[str]:
    """Every fact id the page cites, in reading order."""
    return [fid for m in CITING.finditer(page) for fid in htmllib.unescape(m.group("sids") or m.group("ids")).split()]


UNWRAP = re.compile(rf'<span class="{WRAPPER}" tabindex="0" title="[^"]*">(<span\b[^<>]*>[^<]*</span>)</span>')


def bare(page: str) -> str:
    """The page's prose markup as the fact checker read it: each figure's wrapper taken off
    (table cells keep their added attributes)."""
    return UNWRAP.sub(r"\1", page)
