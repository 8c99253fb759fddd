"""Build the email for a rendered note: subject, text + HTML body, the PDF attached.

Everything comes from the note's own folder (manifest.json, facts.json, note.pdf, note.ipynb),
so `send` works on any past report. The prose is recomposed from facts.json by the same
deterministic narrative engine that wrote the note, so the email says exactly what the note says.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import nbformat
import yaml
from jinja2 import Environment, StrictUndefined
from markupsafe import escape
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from marketnotes.archive.listing import texts_of
from marketnotes.errors import DamagedNote, NotANote, ParamsError
from marketnotes.facts import FactTable, key_of
from marketnotes.manifest import verify
from marketnotes.narrative import compose
from marketnotes.narrative.formats import render as fmt

ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
DEFAULT_SUBJECT = "{{ headline }} ({{ as_of_long }})"


class Recipients(BaseModel):
    """A recipients file (`params/team.yaml`): who gets the note, and how it reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    to: tuple[str, ...] = Field(min_length=1)
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = DEFAULT_SUBJECT
    inline_charts: bool = False

    @field_validator("to", "cc", "bcc", mode="before")
    @classmethod
    def _listify(cls, value):
        return [value] if isinstance(value, str) else value

    @field_validator("to", "cc", "bcc")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [a for a in value if not ADDRESS.match(a.strip())]
        if bad:
            raise ValueError(f"not an email address: {', '.join(bad)}")
        return tuple(a.strip() for a in value)

    @property
    def everyone(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]


def load_recipients(path: Path) -> Recipients:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return Recipients.model_validate(raw)
    except FileNotFoundError:
        raise ParamsError(path, ["file not found"]) from None
    except yaml.YAMLError:
        raise ParamsError(path, ["not valid YAML"]) from None
    except ValidationError as exc:
        raise ParamsError(path, [f"field {'.'.join(map(str, e['loc']))!r}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]) from None


@dataclass(frozen=True)
class NoteFolder:
    """A rendered note on disk."""

    path: Path
    manifest: dict
    facts: FactTable

    @classmethod
    def open(cls, path: Path) -> NoteFolder:
        """The note at `path`, checked against its manifest as `marketnotes verify` checks it.

        The only way to a NoteFolder, so no message is ever built from a damaged note (a PDF
        changed since it was rendered would be mailed as the note): a folder that is not a
        note is bad input (`NotANote`, exit 2), one that differs from its manifest is
        `DamagedNote` (exit 4, as `verify`), both before anything is written or sent.
        """
        path = Path(path)
        if not path.is_dir():
            raise NotANote(path, "a file, not a folder" if path.exists() else "no such folder")
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotANote(path, "no manifest.json") from None
        except OSError as exc:
            raise NotANote(path, f"manifest.json cannot be read: {exc.strerror}") from None
        except ValueError:
            raise NotANote(path, "manifest.json is not JSON") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict) or not {"note", "params", "as_of"} <= manifest.keys():
            raise NotANote(path, "manifest.json is not a marketnotes manifest")
        problems = verify(path)
        if problems:
            raise DamagedNote(path, problems)
        try:
            facts = FactTable.from_json((path / "facts.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotANote(path, "no facts.json") from None
        return cls(path, manifest, facts)

    @property
    def name(self) -> str:
        return self.manifest["note"]

    @property
    def attachment(self) -> Path:
        pdf = self.path / "note.pdf"
        return pdf if pdf.exists() else self.path / "note.html"

    def charts(self) -> list[tuple[bytes, str]]:
        nb_path = self.path / "note.ipynb"
        if not nb_path.exists():
            return []
        nb = nbformat.read(nb_path, as_version=4)
        found = []
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png:
                    alt = output.get("metadata", {}).get("image/png", {}).get("alt", "chart")
                    found.append((base64.b64decode(png), alt))
        return found


def build_message(note: NoteFolder, recipients: Recipients, sender: str, domain: str = "marketnotes.local") -> EmailMessage:
    params = note.manifest["params"]
    symbols = [i["symbol"] for i in params["indices"]]
    pair = (params["rotation"]["lead"], params["rotation"]["lag"]) if params.get("rotation") else (tuple(symbols[:2]) if len(symbols) > 1 else None)
    # the headline and lead the note showed, else (a template that shows neither) the stock
    # prose composed from the facts
    headline, lead = texts_of(note.path / "note.ipynb", ("h2", "mn-headline"), ("p", "mn-lead"))
    if headline is None or lead is None:
        narrative = compose(note.facts, symbols, pair)
        headline = headline or narrative.headline.text
        lead = lead or " ".join(s.text for s in narrative.lead)
    as_of = dt.date.fromisoformat(note.facts.as_of)
    context = {
        "title": params["title"],
        "headline": headline,
        "as_of": as_of.isoformat(),
        "as_of_long": fmt(as_of.isoformat(), "full_date", as_of),
        "note": note.name,
    }
    subject = Environment(undefined=StrictUndefined).from_string(recipients.subject).render(context)
    msg = EmailMessage()
    msg["Subject"] = " ".join(subject.split())
    msg["From"] = sender
    msg["To"] = ", ".join(recipients.to)
    if recipients.cc:
        msg["Cc"] = ", ".join(recipients.cc)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(idstring=f"{note.name}.{as_of.isoformat()}", domain=domain)
    numbers = _key_numbers(note.facts, symbols)
    msg.set_content(f"{params['title']}\n{note.manifest['as_of']['phrase']}\n\n{headline}\n\n{lead}\n\n" + "\n".join(numbers) + "\n\nThe full note is attached.\nNot investment advice.\n")
    charts = note.charts() if recipients.inline_charts else []
    cids = [make_msgid(domain=domain) for _ in charts]
    images = "".join(f'<p><img src="cid:{cid[1:-1]}" alt="{escape(alt)}" style="max-width:100%"></p>' for cid, (_, alt) in zip(cids, charts, strict=True))
    html = (
        f"<html><body style=\"font-family:Georgia,serif;max-width:40rem\"><p style=\"color:#555\">{escape(params['title'])} — {escape(note.manifest['as_of']['phrase'])}</p>"
        f"<h2>{escape(headline)}</h2><p>{escape(lead)}</p><ul>"
        + "".join(f"<li>{escape(line)}</li>" for line in numbers)
        + f"</ul>{images}<p>The full note is attached.</p><p style=\"color:#555;font-size:small\">Not investment advice.</p></body></html>"
    )
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[-1]
    for cid, (png, _) in zip(cids, charts, strict=True):
        html_part.add_related(png, maintype="image", subtype="png", cid=cid)
    attachment = note.attachment
    kind = ("application", "pdf") if attachment.suffix == ".pdf" else ("text", "html")
    msg.add_attachment(attachment.read_bytes(), maintype=kind[0], subtype=kind[1], filename=f"{note.name}-{as_of.isoformat()}{attachment.suffix}")
    return msg


def _key_numbers(facts: FactTable, symbols: list[str]) -> list[str]:
    lines = []
    for symbol in symbols:
        k = key_of(symbol)
        parts = [f"{facts.labels[symbol]}: {fmt(facts.value(f'{k}.close'), 'level', None)}"]
        for window, name in (("1d", "day"), ("1w", "week"), ("ytd", "YTD")):
            if f"{k}.ret.{window}" in facts:
                parts.append(f"{name} {fmt(facts.value(f'{k}.ret.{window}'), 'spct1', None)}")
        parts.append(f"{fmt(facts.value(f'{k}.ath.below'), 'pct1', None)} below {'record' if facts.value(f'{k}.history.records', facts.value(f'{k}.history.complete')) == 1 else 'peak'}")
        lines.append(", ".join(parts))
    return lines
