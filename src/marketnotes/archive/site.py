"""Records -> the archive's pages: `index.html` at the top of the reports folder and one
`<name>/latest/index.html` per note name. Nothing else is written, and no note folder is.

`<name>/latest/` is a small redirect page (a meta refresh, plus a plain link), not a symlink
and not a copy. It is an ordinary file at an ordinary path, so it works wherever the index
does: opened from `file://`, and from any static server or bucket, including those that
refuse or drop symlinks (GitHub Pages, S3, nginx with `disable_symlinks`, Apache without
`FollowSymLinks`, an rsync or zip without `-l`). Its target is relative, so the reports folder
can be moved or served under any prefix. A server maps `latest/` to the page; from `file://`
a browser shows a folder listing for `latest/`, so links point at `latest/index.html`.

Every text is escaped by Jinja's autoescape: titles and headlines come from params and data.
The filter's script is inline (nothing is fetched: the page works offline) and is the only
script the page's Content-Security-Policy allows, by its hash; if some text ever did get
through unescaped, the browser still would not run it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from marketnotes import atomic
from marketnotes.archive.listing import NoteRecord
from marketnotes.errors import ArchiveError

HERE = Path(__file__).parent
GENERATOR = "marketnotes archive"  # marks the latest pages this module wrote (and may remove)


@dataclass(frozen=True)
class Series:
    """The notes of one name, newest first; `latest` is where `<name>/latest/` leads."""

    name: str
    notes: list[NoteRecord]

    @property
    def latest(self) -> NoteRecord:
        return self.notes[0]


def series_of(records: list[NoteRecord]) -> list[Series]:
    """Intact notes grouped by name (records come sorted: names A-Z, each newest first)."""
    grouped: dict[str, list[NoteRecord]] = {}
    for record in records:
        if record.intact and record.page:
            grouped.setdefault(record.name, []).append(record)
    return [Series(name, notes) for name, notes in grouped.items()]


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["weekday"] = lambda iso: dt.date.fromisoformat(iso).strftime("%a")
    return env


@cache
def _script() -> tuple[Markup, str]:
    """The filter script, and its hash for the page's Content-Security-Policy."""
    source = (HERE / "filter.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return Markup(source), f"'sha256-{digest}'"


def href(path: Path, start: Path) -> str:
    """A relative URL from folder `start` to `path`, each segment percent-encoded."""
    return "/".join(quote(part) for part in Path(os.path.relpath(path, start)).parts)


def render_index(root: Path, series: list[Series], built: dt.datetime) -> str:
    """The index page's HTML: every note of every series, with its links relative to `root`."""
    script, script_hash = _script()
    groups = [
        {
            "name": s.name,
            "title": s.latest.title,
            "latest": href(root / s.name / "latest" / "index.html", root),
            "notes": [{"note": n, "links": {f: href(n.folder / f, root) for f in ("note.html", "note.pdf") if f in n.files}, "page": href(n.folder / n.page, root)} for n in s.notes],
        }
        for s in series
    ]
    count = sum(len(s.notes) for s in series)
    return _env().get_template("index.html.j2").render(groups=groups, count=count, built=built.strftime("%Y-%m-%d %H:%M UTC"), script=script, script_hash=script_hash)


def render_latest(root: Path, s: Series) -> str:
    """The page at `<name>/latest/index.html`: straight on to the newest note's page."""
    here, note = root / s.name / "latest", s.latest
    links = {f: href(note.folder / f, here) for f in ("note.html", "note.pdf") if f in note.files}
    return _env().get_template("latest.html.j2").render(note=note, target=href(note.folder / note.page, here), links=links, index=href(root / "index.html", here), generator=GENERATOR)


def write_site(root: Path, series: list[Series], built: dt.datetime | None = None) -> Path:
    """Write the latest pages, then the index (each atomically: temp file + rename), and
    remove latest pages left for names that no longer have a note. Returns the index path."""
    built = built or dt.datetime.now(dt.UTC)
    try:
        for s in series:
            atomic.write_text(root / s.name / "latest" / "index.html", render_latest(root, s))
        _remove_stale_latest(root, {s.name for s in series})
        return atomic.write_text(root / "index.html", render_index(root, series, built))
    except OSError as exc:
        raise ArchiveError(root, f"cannot write the archive: {(exc.strerror or str(exc)).lower()}") from None


def _remove_stale_latest(root: Path, names: set[str]) -> None:
    """A `<name>/latest/` whose notes were all pruned would lead nowhere: remove it, but only
    a page this module wrote, and its folders only if nothing else is in them."""
    for page in root.glob("*/latest/index.html"):
        name = page.parent.parent.name
        if name in names or f'content="{GENERATOR}"' not in page.read_text(encoding="utf-8", errors="replace"):
            continue
        page.unlink()
        for folder in (page.parent, page.parent.parent):
            if any(folder.iterdir()):
                break
            folder.rmdir()
