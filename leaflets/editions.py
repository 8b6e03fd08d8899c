"""The leaflets one content file makes: the overview and one per detailed cause."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .schema import PAPERS, CauseLeaflet, Content, GlossaryEntry


@dataclass(frozen=True)
class Edition:
    """One leaflet: what it is called, which template draws it, its page budget."""

    name: str
    kind: str  # "overview" or "cause"
    template: str
    max_pages: int
    description: str
    cause: CauseLeaflet | None = None

    def filename(self, paper: str) -> str:
        """File name in the output folder, e.g. `scar-tissue-a4.pdf`."""
        if paper not in PAPERS:
            raise ValueError(f"unknown paper {paper!r}")
        return f"{self.name}-{paper}.pdf"


def editions(content: Content) -> list[Edition]:
    """Every leaflet the content makes, overview first."""
    overview = Edition(
        "overview",
        "overview",
        "overview.html",
        2,
        "The whole story on one sheet (2 pages): for the waiting room.",
    )
    causes = [
        Edition(c.id, "cause", "cause.html", 1, f"One page on '{c.title}': for discharge paperwork.", c)
        for c in content.cause_leaflets
    ]
    return [overview, *causes]


def texts(content: Content, edition: Edition) -> Iterator[str]:
    """Every piece of content text the edition prints (glossary aside)."""
    condition = content.condition
    if edition.cause is None:
        yield from (condition.title, *condition.key_points, *condition.what_is_it, *condition.causes_intro)
        for cause in content.causes:
            yield from (cause.name, cause.summary)
        leaflets = list(content.cause_leaflets)
    else:
        leaflets = [edition.cause]
        yield from (edition.cause.title, edition.cause.main_message)
        for section in edition.cause.sections:
            yield from (section.heading, *section.paragraphs, *section.points)
    for leaflet in leaflets:
        for fact in leaflet.timeline:
            yield from (fact.when, fact.what)
        yield from (*leaflet.tests, *leaflet.helps)
    yield from condition.treatment


def glossary_for(content: Content, edition: Edition) -> list[GlossaryEntry]:
    """The glossary entries whose words the edition uses, in glossary order."""
    text = "\n".join(texts(content, edition))
    return [entry for entry in content.glossary if _mentions(text, entry)]


def _mentions(text: str, entry: GlossaryEntry) -> bool:
    words = "|".join(re.escape(word) for word in (entry.term, *entry.also))
    return re.search(rf"\b(?:{words})", text, flags=re.IGNORECASE) is not None
