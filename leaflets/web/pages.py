"""The web edition's pages: each leaflet (overview and cause leaflets) in each language, and the front page.

A page is rendered by the print stage's `render_html`, with the same content, wording, glossary, dates and
template pieces as the printed leaflet (templates/web/ extends them), so it says the same words. The tri-fold
and large-print editions are print formats: on a screen the overview's page tells the tri-fold's story, and
the browser's zoom gives large print.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from leaflets.content.editions import STANDARD, Edition, editions
from leaflets.content.schema import Content
from leaflets.content.webpages import INDEX, needed, page_name, page_path
from leaflets.content.wording import direction
from leaflets.content.yamltree import FieldPath
from leaflets.render.html import palette, placed_figures, render_html

#: The stylesheet at the top of the web folder: the fonts' @font-face rules, then templates/css/web.css.
STYLESHEET = "style.css"
#: The folder at the top of the web folder that holds the figures, each named by a digest of its bytes.
FIGURES = "figures"
#: The wording entries the web pages print besides the leaflets' own.
WORDING = ("web_languages", "web_all_leaflets")
#: The colours the web pages draw text in, on the colours behind it, and where (templates/css/web.css: keep the
#: two in step). Each pair must reach 4.5:1, WCAG 2.2 AA for text (1.4.3), whatever its size.
TEXT_ON = (
    ("text", "paper", "body text"),
    ("muted", "paper", "labels, figure captions and the footer"),
    ("primary", "paper", "headings, links and times"),
    ("text", "tint", "the key points and booking box"),
    ("muted", "tint", "labels in the booking box"),
    ("primary", "tint", "headings and links in the key points and booking box"),
    ("paper", "primary", "the band at the top"),
)
AA_TEXT = 4.5


@dataclass(frozen=True)
class Language:
    """One language of the web edition: its content, where its logo is, and how it is written."""

    content: Content
    logo: Path  # the content's logo file, copied into the language's folder
    tag: str
    name: str  # in the language itself, as a menu shows it: "English", "Español"
    direction: str  # "ltr" or "rtl"

    @classmethod
    def of(cls, content: Content, logo: Path) -> Language:
        """The language of `content`, its name and direction from CLDR (Babel)."""
        return cls(content, logo, content.language, language_name(content.language), direction(content.language))

    @property
    def logo_name(self) -> str:
        """The logo's file name in the language's folder."""
        return "logo" + self.logo.suffix.lower()


@dataclass(frozen=True)
class Page:
    """One file of the web edition: its path from the top of the folder, and its HTML."""

    path: str
    html: str


def language_name(tag: str) -> str:
    """The language's name in itself (CLDR), with a capital as a menu item has it: 'Español', 'English'."""
    name = str(_locale(tag).get_display_name(_locale(tag)) or tag)
    return name[:1].upper() + name[1:]


@cache
def _locale(tag: str) -> Any:
    from babel import Locale

    return Locale.parse(tag, sep="-")


def web_editions(content: Content) -> list[Edition]:
    """The leaflets that get a web page: the overview and each cause leaflet (standard editions)."""
    return [e for e in editions(content) if e.style == STANDARD and e.kind in ("overview", "cause")]


def colour_problems(content: Content) -> Iterator[tuple[FieldPath, str]]:
    """Each brand colour that web text would be drawn in, or on, with too little contrast (a content check,
    so the message points at the colour's line in the content file)."""
    from leaflets.checks.pages import contrast  # late: loads WeasyPrint's box classes

    colours = palette(content, print_shop=False)
    brand = set(content.brand.colours.model_dump())
    for foreground, background, where in TEXT_ON:
        ratio = contrast(colours[foreground], colours[background])
        if ratio >= AA_TEXT:
            continue
        field = foreground if foreground in brand else background
        shown = [f"{colours[c]} ({_colour_name(c, brand)})" for c in (foreground, background)]
        change = [f"a darker {foreground}" if foreground in brand else "", f"a lighter {background}"]
        change[1] = change[1] if background in brand else ""
        yield (
            ("brand", "colours", field),
            f"on the web pages, {shown[0]} on {shown[1]} ({where}) has a contrast of {ratio:.1f}:1; WCAG 2.2 AA "
            f"needs {AA_TEXT:g}:1 for text (1.4.3): choose {' or '.join(filter(None, change))} colour",
        )


def _colour_name(name: str, brand: set[str]) -> str:
    return f"brand.colours.{name}" if name in brand else f"{name} colour"


def render_pages(languages: Sequence[Language], env: jinja2.Environment) -> list[Page]:
    """Every page of the web edition: each language's leaflets, then the front page (in the first language)."""
    for language in languages:
        for key in WORDING:
            needed(language.content.wording, key, language.tag, "the web edition is being made")
    pages = [
        _leaflet_page(language, edition, languages, env)
        for language in languages
        for edition in web_editions(language.content)
    ]
    return [*pages, _index_page(languages, env)]


def _leaflet_page(language: Language, edition: Edition, languages: Sequence[Language], env: jinja2.Environment) -> Page:
    name = page_name(edition) or edition.name
    others = [
        {"tag": o.tag, "name": o.name, "direction": o.direction, "href": f"../{page_path(o.tag, name)}"}
        for o in languages
        if o is not language
    ]
    extra = {
        "languages": others,
        "root": "../",
        "logo": language.logo_name,
        "index_href": f"../{INDEX}",
        "figures": placed_figures(language.content, f"../{FIGURES}/"),
    }
    page = replace(edition, template="web/" + edition.template)
    return Page(page_path(language.tag, name), _render(language, page, env, extra))


def _index_page(languages: Sequence[Language], env: jinja2.Environment) -> Page:
    """The front page: every language's leaflets, each list in its own language."""
    listing = [
        {
            "tag": language.tag,
            "name": language.name,
            "direction": language.direction,
            "pages": [
                {"href": page_path(language.tag, page_name(e) or e.name), "title": _title(language.content, e)}
                for e in web_editions(language.content)
            ],
        }
        for language in languages
    ]
    first = languages[0]
    index = Edition("index", "index", "web/index.html", "web", 1, "The web edition's front page.", None, first.tag)
    logo = f"{first.tag}/{first.logo_name}"
    extra = {"languages": [], "root": "", "logo": logo, "index_href": "", "listing": listing}
    return Page(INDEX, _render(first, index, env, extra))


def _title(content: Content, edition: Edition) -> str:
    """How the front page lists a leaflet: the cause leaflet's title, or the condition's for the overview."""
    return edition.cause.title if edition.cause is not None else content.condition.title


def _render(language: Language, edition: Edition, env: jinja2.Environment, extra: dict[str, Any]) -> str:
    context = {
        "stylesheet": STYLESHEET,
        "body_class": edition.kind,
        "web_page": None,  # the QR code to the web page is for paper
        **extra,
    }
    content = language.content
    return render_html(content, edition, content.paper, language.logo.as_uri(), env, extra=context)
