"""The leaflets one content file makes: overview, tri-fold, one per detailed cause, large print."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from leaflets.content import wording
from leaflets.content.schema import PAPERS, CauseLeaflet, Content, GlossaryEntry

#: Layouts, each a stylesheet in templates/css/ on top of leaflet.css.
STANDARD, LARGE_PRINT, TRIFOLD = "standard", "large-print", "trifold"


@dataclass(frozen=True)
class Edition:
    """One leaflet: what it is called, which template and layout draw it, its page budget."""

    name: str
    kind: str  # "overview", "cause" or "trifold": which content it carries
    template: str
    style: str  # STANDARD, LARGE_PRINT or TRIFOLD
    max_pages: int
    description: str
    cause: CauseLeaflet | None = None
    language: str = ""  # the language tag of the content it is made from

    @property
    def label(self) -> str:
        """How files and the quality report name it: the leaflet and its language, e.g. `scar-tissue-es`."""
        return f"{self.name}-{self.language}" if self.language else self.name

    def filename(self, paper: str, print_shop: bool = False) -> str:
        """File name in the output folder, e.g. `scar-tissue-en-a4.pdf`."""
        if paper not in PAPERS:
            raise ValueError(f"unknown paper {paper!r}")
        return f"{self.label}-{paper}{'-print-shop' if print_shop else ''}.pdf"

    def stylesheets(self, paper: str, print_shop: bool = False) -> list[str]:
        """Stylesheet names in templates/css/, in cascade order."""
        style = [] if self.style == STANDARD else [f"{self.style}.css"]
        return ["leaflet.css", f"{paper}.css", *style, *(["print-shop.css"] if print_shop else [])]


def editions(content: Content) -> list[Edition]:
    """Every leaflet the content makes: overview, tri-fold, cause leaflets, then large print."""
    standard = [
        Edition(
            "overview",
            "overview",
            "overview.html",
            STANDARD,
            2,
            "The whole story on one sheet, both sides: for the waiting room.",
        ),
        Edition(
            "trifold",
            "trifold",
            "trifold.html",
            TRIFOLD,
            2,
            "Tri-fold brochure, landscape, 3 panels a side: for the waiting-room rack.",
        ),
        *(
            Edition(c.id, "cause", "cause.html", STANDARD, 1, f"One page on '{c.title}': for discharge paperwork.", c)
            for c in content.cause_leaflets
        ),
    ]
    large = [
        Edition(
            f"{e.name}-large-print",
            e.kind,
            e.template,
            LARGE_PRINT,
            LARGE_PRINT_PAGES[e.kind],
            f"Large print (18 pt) of {e.name}: for readers with low vision.",
            e.cause,
        )
        for e in standard
        if e.style == STANDARD
    ]
    return [replace(e, language=content.language) for e in [*standard, *large]]


#: Page budgets of the large-print editions (the text is the same, the type 1.5 times larger).
LARGE_PRINT_PAGES = {"overview": 6, "cause": 3}


def sections(content: Content, edition: Edition, strings: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """The edition's text section by section: (heading, paragraphs and list items). Titles and glossary aside."""
    condition = content.condition
    if edition.cause is None:  # the overview and the tri-fold tell the whole story
        leaflets = list(content.cause_leaflets)
        causes = [f"{cause.name}. {cause.summary}" for cause in content.causes]
        parts = [
            (strings["key_points"], [*condition.key_points, condition.main_message]),
            (wording.expand(strings["what_is_it"], condition=condition.in_text), list(condition.what_is_it)),
            (strings["what_causes_it"], [*condition.causes_intro, *causes]),
        ]
    else:
        leaflets = [edition.cause]
        parts = [(edition.cause.title, [edition.cause.main_message])]
        parts += [(section.heading, [*section.paragraphs, *section.points]) for section in edition.cause.sections]
    carries = content.trifold.carries if edition.kind == "trifold" else ("timeline", "tests", "helps")
    timeline = [f"{fact.when}: {fact.what}." for leaflet in leaflets for fact in leaflet.timeline]
    tests = [test for leaflet in leaflets for test in leaflet.tests]
    helps = [help for leaflet in leaflets for help in leaflet.helps]
    treatment = list(condition.treatment) if edition.cause is None or edition.cause.treatment else []
    parts += [
        (strings["timeline"], timeline if "timeline" in carries else []),
        (strings["tests"], tests if "tests" in carries else []),
        (strings["what_helps"], [*(helps if "helps" in carries else []), *treatment]),
    ]
    return [(heading, texts) for heading, texts in parts if texts]


def texts(content: Content, edition: Edition) -> Iterator[str]:
    """Every piece of content text the edition prints (fixed headings and glossary aside)."""
    yield content.condition.title
    if edition.cause is None:
        yield content.condition.also_called
    yield from (leaflet.title for leaflet in content.cause_leaflets if edition.cause in (None, leaflet))
    for heading, paragraphs in sections(content, edition, defaultdict(str)):
        yield from (heading, *paragraphs)
    yield from (content.brand.other_formats, content.brand.disclaimer)


def glossary_for(content: Content, edition: Edition) -> list[GlossaryEntry]:
    """The glossary entries whose words the edition uses, in glossary order."""
    text = "\n".join(texts(content, edition))
    return [entry for entry in content.glossary if _mentions(text, entry)]


def _mentions(text: str, entry: GlossaryEntry) -> bool:
    words = "|".join(re.escape(word) for word in (entry.term, *entry.also))
    return re.search(rf"\b(?:{words})", text, flags=re.IGNORECASE) is not None
