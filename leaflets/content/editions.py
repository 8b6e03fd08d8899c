"""The leaflets one content file makes: overview, tri-fold, one per detailed cause, large print."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from leaflets.content import wording, words
from leaflets.content.papers import PAPERS
from leaflets.content.schema import CauseLeaflet, Content, GlossaryEntry, Section

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
        """Stylesheet names in templates/css/, in cascade order; rtl.css last for a language written right to
        left (wording.direction)."""
        style = [] if self.style == STANDARD else [f"{self.style}.css"]
        mirrored = ["rtl.css"] if wording.direction(self.language or wording.REFERENCE) == "rtl" else []
        return ["leaflet.css", f"{paper}.css", *style, *(["print-shop.css"] if print_shop else []), *mirrored]


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


#: What the overview tells from every cause leaflet, in its order; the tri-fold carries some (`trifold.carries`).
STORY_PARTS = ("timeline", "tests", "helps")


@dataclass(frozen=True)
class Fit:
    """One way to lay out the whole story: which of STORY_PARTS it prints, and whether its short sections
    are each kept in one column (class `keep`) or may break between columns and pages to fill them."""

    carries: tuple[str, ...] = STORY_PARTS
    keep: bool = True


def fits(content: Content, edition: Edition) -> list[Fit]:
    """The layouts to try, in order, until one fits its pages or panels (the PDF stage lays out each in turn).

    The overview prints everything, its short sections kept whole if they fit so (large print never keeps
    them). The tri-fold starts with what `trifold.carries` names, sections kept whole; then with sections
    free to break; then it carries one part fewer (leaving out the last named first: ['timeline', 'helps']
    tries ['timeline'], then ['helps']), then two fewer, down to none. Every other leaflet has one layout.
    """
    if edition.kind == "overview" and edition.style == STANDARD:
        return [Fit(), Fit(keep=False)]
    if edition.kind == "trifold":
        carries = tuple(content.trifold.carries)
        fewer = [parts for count in range(len(carries), -1, -1) for parts in combinations(carries, count)]
        return [Fit(carries), *(Fit(parts, keep=False) for parts in fewer)]
    return [Fit()]


def leaving_out(wanted: Fit, fit: Fit) -> str:
    """What of `wanted` (the first of `fits`) `fit` leaves out, in words for a message; '' when nothing."""
    left = [part for part in wanted.carries if part not in fit.carries]
    return f"leaving out {', '.join(left)} of trifold.carries" if left else ""


def gathered(content: Content, part: str) -> list[Any]:
    """Every cause leaflet's `part` (timeline, tests or helps) as one list, for the whole story: each entry
    once, where it first appears (two leaflets may say the same thing); time facts in the order they happen."""
    seen: dict[tuple[str, ...], Any] = {}
    for leaflet in content.cause_leaflets:
        for item in getattr(leaflet, part):
            said = (item.when, item.what) if part == "timeline" else (item,)
            seen.setdefault(tuple(" ".join(text.split()).casefold() for text in said), item)
    items = list(seen.values())
    return sorted(items, key=lambda fact: fact.week) if part == "timeline" else items


def sections(
    content: Content, edition: Edition, strings: Mapping[str, Any], fit: Fit | None = None
) -> list[tuple[str, list[str]]]:
    """The edition's text section by section: (heading, paragraphs and list items). Titles and glossary aside.

    `fit`: the layout printed (default: the first of `fits`, what the content asks for).
    """
    condition = content.condition
    fit = fit or fits(content, edition)[0]
    if edition.cause is None:  # the overview and the tri-fold tell the whole story
        story = {part: gathered(content, part) for part in STORY_PARTS}
        causes = [f"{cause.name}{strings['sentence_end']}{cause.summary}" for cause in content.causes]
        parts = [
            (strings["key_points"], [*condition.key_points, condition.main_message]),
            (wording.expand(strings["what_is_it"], condition=condition.in_text), list(condition.what_is_it)),
            (strings["what_causes_it"], [*condition.causes_intro, *causes]),
        ]
    else:
        story = {part: list(getattr(edition.cause, part)) for part in STORY_PARTS}
        parts = [(edition.cause.title, [edition.cause.main_message])]
        parts += [
            (section.heading, [*section.paragraphs, *section.points, *_words_of(section)])
            for section in edition.cause.sections
        ]
    carried = {part: story[part] if part in fit.carries else [] for part in STORY_PARTS}
    end = strings["sentence_end"].rstrip()
    treatment = list(condition.treatment) if edition.cause is None or edition.cause.treatment else []
    parts += [
        (strings["timeline"], [f"{fact.when}{strings['colon']} {fact.what}{end}" for fact in carried["timeline"]]),
        (strings["tests"], carried["tests"]),
        (strings["what_helps"], [*carried["helps"], *treatment]),
    ]
    return [(heading, texts) for heading, texts in parts if texts]


def _words_of(section: Section) -> list[str]:
    """The words of a section's figure: its caption, printed, and its alt text, which screen readers say (both
    are read, so both are checked like the section's text)."""
    figure = section.figure
    return [] if figure is None else [*([figure.caption] if figure.caption else []), figure.alt]


#: The wording `texts` reads the sections with: each fixed heading and mark a line break, so the content's own
#: texts stand apart (a cause's name is not run into its summary) whatever the language's punctuation.
CONTENT_ONLY: Mapping[str, Any] = defaultdict(lambda: "\n")


def texts(content: Content, edition: Edition, fit: Fit | None = None) -> Iterator[str]:
    """Every piece of content text the edition prints (fixed headings and glossary aside), laid out as `fit`."""
    yield content.condition.title
    if edition.cause is None:
        yield content.condition.also_called
    yield from (leaflet.title for leaflet in content.cause_leaflets if edition.cause in (None, leaflet))
    for heading, paragraphs in sections(content, edition, CONTENT_ONLY, fit):
        yield from (heading, *paragraphs)
    yield from (content.brand.other_formats, content.brand.disclaimer)


def glossary_for(content: Content, edition: Edition, fit: Fit | None = None) -> list[GlossaryEntry]:
    """The glossary entries whose words the edition uses (laid out as `fit`), in glossary order (found as
    leaflets/content/words.py finds words: by their start, Arabic prefixes aside, or anywhere in a script written
    without spaces)."""
    text = "\n".join(texts(content, edition, fit))
    names = [(entry, (entry.term, *entry.also)) for entry in content.glossary]
    return [entry for entry, each in names if any(words.mentions(text, name, content.language) for name in each)]
