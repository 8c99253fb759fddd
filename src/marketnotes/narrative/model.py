"""The written note: headline, lead paragraph and sections, each sentence tied to its facts.

It renders itself as HTML (with `data-fact` spans), Markdown-free plain text and, in Jupyter,
as rich HTML output, which is how the prose reaches the notebook and then the rendered note.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from markupsafe import Markup

from marketnotes.narrative.writer import Sentence


@dataclass
class Section:
    title: str
    sentences: list[Sentence]


@dataclass
class Narrative:
    as_of: str
    headline: Sentence
    lead: list[Sentence]
    sections: list[Section] = field(default_factory=list)

    def all_sentences(self) -> list[Sentence]:
        return [self.headline, *self.lead, *(s for sec in self.sections for s in sec.sentences)]

    @property
    def fact_ids(self) -> list[str]:
        return list(dict.fromkeys(f for s in self.all_sentences() for f in s.facts))

    def headline_html(self) -> Markup:
        return Markup(f'<h2 class="mn-headline">{self.headline.html}</h2>')

    def lead_html(self) -> Markup:
        return Markup('<p class="mn-lead">') + Markup(" ").join(s.html for s in self.lead) + Markup("</p>")

    def sections_html(self, titles: bool = True) -> Markup:
        parts = []
        for sec in self.sections:
            head = f'<h3 class="mn-section">{html.escape(sec.title)}</h3>' if titles else ""
            parts.append(head + '<p class="mn-prose">' + " ".join(str(s.html) for s in sec.sentences) + "</p>")
        return Markup("\n".join(parts))

    def to_html(self) -> Markup:
        return Markup(f'<div class="mn-narrative">{self.headline_html()}\n{self.lead_html()}\n{self.sections_html()}</div>')

    def to_text(self) -> str:
        lines = [self.headline.text, "", " ".join(s.text for s in self.lead)]
        for sec in self.sections:
            lines += ["", sec.title.upper(), " ".join(s.text for s in sec.sentences)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return str(self.to_html())
