"""The reports folder as a list of notes: one record per published note folder.

Reads only what each note folder already holds, and writes nothing. A folder is a note
when its manifest says so (`manifest.note_folders`: hidden staging folders of renders in
progress, lock files and `<name>.failed.ipynb` are not folders with a manifest, so they never
show up); it is listed in the archive only when `manifest.verify` finds it intact, so the
index never links to a note that a kill or a hand edit left incomplete.

The headline is the one the note shows its readers: the `h2.mn-headline` that
`note.headline()` put in the executed notebook's output (note.ipynb is in every note,
whatever its formats). Taken from there rather than recomposed from facts.json, it is what
the note said when it was rendered (a later phrasebook does not rewrite history), it is right
for any template that shows a headline, and it needs no new field in the manifest, so notes
rendered before the archive existed are listed with theirs. A template that shows no
headline is listed under its title.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from marketnotes.errors import ArchiveError
from marketnotes.manifest import note_folders, verify

HEADLINE_CLASS = "mn-headline"


@dataclass(frozen=True)
class NoteRecord:
    """One published note: where it is, what it is called, what it said, what it holds."""

    folder: Path  # reports/<as-of>/<name>
    name: str  # the note's name: notes of one name are one series in the archive
    session: str  # the as-of session, YYYY-MM-DD
    title: str
    headline: str
    files: tuple[str, ...]  # the files its manifest lists: note.html, note.pdf, …
    problems: tuple[str, ...] = ()  # what `verify` found wrong; empty for an intact note

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def page(self) -> str | None:
        """The file a reader opens: the HTML, or the PDF of a PDF-only note."""
        return next((f for f in ("note.html", "note.pdf") if f in self.files), None)


def check_root(root: Path) -> Path:
    """The reports folder, refused with one line if it cannot hold an archive."""
    if not root.is_dir():
        raise ArchiveError(root, "no such reports folder" if not root.exists() else "not a folder")
    if (root / "manifest.json").exists():
        raise ArchiveError(root, f"is one note's folder; pass the reports folder that holds it (e.g. {root.parent.parent})")
    return root


def list_notes(root: Path) -> list[NoteRecord]:
    """Every published note under `root`, intact or not, newest first within each name."""
    records = [record for folder in note_folders(check_root(root)) if (record := read_note(folder)) is not None]
    records.sort(key=lambda r: (r.name, r.session), reverse=True)
    return sorted(records, key=lambda r: r.name)  # stable: names A-Z, each newest first


def read_note(folder: Path) -> NoteRecord | None:
    """The record of one note folder; None when its manifest is not a marketnotes manifest."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        session, files = manifest["as_of"]["session"], tuple(manifest["files"])
        title = manifest["params"]["title"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    headline = headline_of(folder / "note.ipynb") or title
    return NoteRecord(folder, folder.name, session, title, headline, files, tuple(verify(folder)))


def headline_of(notebook: Path) -> str | None:
    """The text of the first `h2.mn-headline` among the notebook's HTML outputs."""
    return text_of(notebook, "h2", HEADLINE_CLASS)


def text_of(notebook: Path, tag: str, cls: str) -> str | None:
    """The text of the first `<tag class="cls">` among the notebook's HTML outputs."""
    return texts_of(notebook, (tag, cls))[0]


def texts_of(notebook: Path, *elements: tuple[str, str]) -> list[str | None]:
    """For each (tag, class), the text of its first element among the notebook's HTML outputs,
    read in one pass: what the note showed its readers (the email quotes its headline and lead
    from here, as the archive lists the headline)."""
    found: list[str | None] = [None] * len(elements)
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return found
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            html = "".join(html) if isinstance(html, list) else html
            for i, (tag, cls) in enumerate(elements):
                if found[i] is None and html and cls in html:
                    found[i] = _ElementText.first(html, tag, cls) or None
    return found


class _ElementText(HTMLParser):
    """Collects the text inside the first <tag class="cls"> (its spans included)."""

    def __init__(self, tag: str, cls: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag, self.cls = tag, cls
        self.depth, self.done, self.parts = 0, False, []

    @classmethod
    def first(cls, html: str, tag: str, klass: str) -> str:
        parser = cls(tag, klass)
        parser.feed(html)
        parser.close()
        return " ".join("".join(parser.parts).split())

    def handle_starttag(self, tag, attrs) -> None:
        if self.depth:
            self.depth += tag == self.tag
        elif not self.done and tag == self.tag and self.cls in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag) -> None:
        if self.depth and tag == self.tag:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data) -> None:
        if self.depth:
            self.parts.append(data)
