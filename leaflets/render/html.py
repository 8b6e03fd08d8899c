"""Stage 2: content + edition -> one HTML document, through Jinja2 templates.

Templates are trusted, content is not: autoescape is on everywhere, and a
missing variable is an error (StrictUndefined), never an empty gap.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
import segno
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from leaflets import __version__
from leaflets.content import images, wording
from leaflets.content import webpages as web
from leaflets.content.editions import STORY_PARTS, Edition, Fit, editions, fits, gathered, glossary_for
from leaflets.content.load import text_fields
from leaflets.content.schema import Content
from leaflets.content.wording import format_date
from leaflets.content.yamltree import dotted
from leaflets.errors import BuildError
from leaflets.render.bidi import isolate_runs
from leaflets.render.wrapping import (
    WORD_JOINER,
    breakable,
    codes_kept_whole,
    fill,
    keep_hyphenated_words,
    keep_words_whole,
    keeping,
    unbroken,
)
from leaflets.theme import SHIPPED, Theme


def environment(theme: Theme = SHIPPED) -> jinja2.Environment:
    """The one Jinja environment: the theme's folders in order (a clinic's own templates first). Sandboxed: a
    clinic's template reads the content and the wording, never the program's objects."""
    env = SandboxedEnvironment(
        loader=theme.loader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["css_counter_text"] = css_counter_text
    env.filters["booking_address"] = booking_address
    env.filters["unbroken"] = unbroken
    env.filters["keeping"] = keeping
    env.filters["fill"] = fill
    env.filters["expand"] = expand
    env.filters["printed_address"] = web.printed_address
    env.filters["breakable"] = breakable
    env.filters["codes_kept_whole"] = codes_kept_whole
    env.filters["qr_squares"] = qr_squares
    return env


def expand(pattern: str, **values: str) -> str:
    """A wording entry with its {placeholders} filled ('What is {condition}?'): see wording.expand."""
    return wording.expand(pattern, **values)


def css_string(value: str) -> Markup:
    """A quoted CSS string that cannot break out of its declaration or <style>."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;!?()-'" else f"\\{ord(ch):x} " for ch in str(value))
    return Markup(f'"{escaped}"')


def css_counter_text(pattern: str) -> Markup:
    """'Page {page} of {pages}' -> `"Page " counter(page) " of " counter(pages)` for margin boxes."""
    out: list[str] = []
    for text, name in wording.segments(pattern):
        out += [css_string(text)] if text else []
        out += [f"counter({name})"] if name is not None else []
    return Markup(" ".join(out))


def palette(content: Content, print_shop: bool) -> dict[str, str]:
    """CSS colour values by variable name: screen RGB, or device-cmyk() for a print shop."""
    colours, cmyk = content.brand.colours, content.brand.colours_cmyk
    if not print_shop:
        return {
            "primary": colours.primary,
            "accent": colours.accent,
            "tint": colours.tint,
            **{name: rgb for name, (rgb, _) in NEUTRALS.items()},
        }
    values: dict[str, list[float]] = {
        "primary": cmyk.primary,
        "accent": cmyk.accent,
        "tint": cmyk.tint,
        **{name: list(c) for name, (_, c) in NEUTRALS.items()},
    }
    return {name: "device-cmyk(" + " ".join(f"{v / 100:g}" for v in c) + ")" for name, c in values.items()}


#: Colours that are not the brand's: text, secondary text, rules, paper; RGB and CMYK (%).
NEUTRALS: dict[str, tuple[str, tuple[float, float, float, float]]] = {
    "text": ("#1a1a1a", (0, 0, 0, 90)),
    "muted": ("#333333", (0, 0, 0, 80)),
    "rule": ("#8a9aa5", (20, 5, 0, 40)),
    "paper": ("#ffffff", (0, 0, 0, 0)),
}

#: Where templates find the QR code to the booking page (served by the PDF stage's fetcher).
QR_URL = "generated:booking-qr.svg"


#: Where templates find a figure: FIGURE_SCHEME and its name, served by the PDF stage's fetcher from the bytes the
#: content was checked with (figure_images), never from a path.
FIGURE_SCHEME = "figure:"


@dataclass(frozen=True)
class PlacedFigure:
    """Where a section's figure comes from, as a template draws it: its address, and its field for messages."""

    src: str
    field: str


def figure_name(content: Content, file: str) -> str:
    """A figure's name for leaflets and the web edition: a digest of its bytes and its kind (`3f2a...9c.svg`), so
    the HTML changes whenever the picture does (and a leaflet is remade), and two names never clash."""
    if file not in content._images:  # content made other than by content.load.load, which reads each figure
        raise BuildError(f"{file}: this figure was not read with the content")
    digest = hashlib.sha256(content._images[file]).hexdigest()[:20]
    return f"{digest}{Path(file).suffix.lower()}"


def figure_files(content: Content) -> dict[str, bytes]:
    """Each figure's bytes by its name (figure_name)."""
    return {figure_name(content, f.file): content._images[f.file] for _, f in content.figures()}


def figure_images(content: Content) -> dict[str, bytes]:
    """Each figure's bytes by the address leaflets draw it from (FIGURE_SCHEME and its name)."""
    return {FIGURE_SCHEME + name: data for name, data in figure_files(content).items()}


def placed_figures(content: Content, prefix: str = FIGURE_SCHEME) -> dict[tuple[str, int], PlacedFigure]:
    """Each figure by (cause leaflet id, section index), as templates look it up: its address is `prefix` and
    its name (the web edition's prefix is the folder it copies them to)."""
    placed = {}
    for where, figure in content.figures():
        _, leaflet, _, section, _ = where
        key = (content.cause_leaflets[int(leaflet)].id, int(section))
        placed[key] = PlacedFigure(prefix + figure_name(content, figure.file), dotted(where))
    return placed


def generated_images(content: Content) -> dict[str, bytes]:
    """Every image the leaflets draw that is not a file of the project: the QR codes and the figures."""
    return {**booking_qr(content), **figure_images(content)}


#: A path short and plain enough to print after the host: letters, digits, '-', '_' and '/', no dot.
PRINTABLE_PATH = re.compile(r"/[A-Za-z0-9_/-]{0,23}")


def booking_address(url: str) -> str:
    """The booking address as printed: the host the link and QR code open, then the path if short and plain.

    Made from the URL's parts, never by trimming its text, so nothing in the
    URL can pose as the host: `https://evil.example/example.org/` prints as
    `evil.example` (a dot in the path is never printed), `https://a@b.example`
    as `b.example`. An international host is printed as browsers send it (xn--).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").encode("idna").decode("ascii")
    port = f":{parts.port}" if parts.port else ""
    path = parts.path.rstrip("/")
    shown_path = path if PRINTABLE_PATH.fullmatch(path) else ""
    return f"{host}{port}{shown_path}"


#: The white margin a QR code needs around it, in squares (ISO/IEC 18004's quiet zone): part of the image.
QR_QUIET_ZONE = 4


@cache
def _qr_code(url: str) -> segno.QRCode:
    # Error correction M (15% of the code can be lost to a crease or a smudge and it still reads).
    return segno.make(url, error="m")


def booking_qr(content: Content) -> dict[str, bytes]:
    """The QR codes the leaflets draw, as vector SVGs keyed by the URL templates use: the booking web address,
    and (with `brand.web_url`) each leaflet's web page."""
    pages = web.qr_codes(content, editions(content))
    return {QR_URL: _qr_svg(content.brand.booking_url), **{key: _qr_svg(url) for key, url in pages.items()}}


def _qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    _qr_code(url).save(buffer, kind="svg", scale=1, border=QR_QUIET_ZONE, xmldecl=False)
    return buffer.getvalue()


def qr_squares(url: str) -> int:
    """How many squares the QR code to `url` has a side, quiet zone included: the stylesheet prints each at
    least 0.4 mm wide (leaflet.css, `--qr-squares`), so a longer address gets a bigger code, never a denser one."""
    return int(_qr_code(url).symbol_size(border=QR_QUIET_ZONE)[0])


#: The widest logo drawn at full height (width : height); a wider wordmark is drawn less tall.
MAX_LOGO_RATIO, MIN_LOGO_RATIO = 4.0, 0.25


def logo_ratio(path: Path) -> float:
    """The logo's width divided by its height (PNG pixels, or the SVG's size or viewBox), within the caps; read
    as the content stage checked it (content/images.py), never with another parser."""
    data, problem = images.read_image(path, "logo")
    try:
        if problem:
            raise ValueError(problem)
        width, height = images.size(data, path.suffix.lower() == ".svg")
    except ValueError as error:
        raise BuildError(f"brand.logo: cannot read the size of {path.name} ({error})") from None
    if width <= 0 or height <= 0:
        raise BuildError(f"brand.logo: {path.name} has no width or height")
    return round(min(MAX_LOGO_RATIO, max(MIN_LOGO_RATIO, width / height)), 4)


def _logo_ratio_of_url(url: str) -> float:
    path = Path(url2pathname(urlsplit(url).path))
    return _cached_ratio(path, path.stat().st_mtime_ns if path.exists() else 0)


@cache
def _cached_ratio(path: Path, mtime_ns: int) -> float:
    return logo_ratio(path)


def field_namer(content: Content, private: Mapping[str, str] | None = None) -> Callable[[str], str]:
    """A function naming the field a piece of laid-out text came from, for layout messages.

    `private` maps names (e.g. patient-list columns) to values that must never be printed: only
    their names are returned. Text no field holds is fixed wording from the strings table.
    """
    fields = [*(private or {}).items(), *((dotted(p), v) for p, v in text_fields(content.model_dump(mode="json")))]

    def name(text: str) -> str:
        fragment = " ".join(text.replace(WORD_JOINER, "").split())
        for field, value in fields:
            if fragment and fragment in " ".join(value.split()):
                return field
        return "fixed wording (templates/strings.yaml)"

    return name


def render_html(
    content: Content,
    edition: Edition,
    paper: str,
    logo_url: str,
    env: jinja2.Environment | None = None,
    print_shop: bool = False,
    expired: bool = False,
    extra: Mapping[str, Any] | None = None,
    margins_only: bool = False,
    fit: Fit | None = None,
) -> str:
    """The edition's HTML, ready for WeasyPrint; `extra` adds to (or replaces) the template's variables.

    `margins_only`: the page with what its margins show (the running footer) and nothing else, for the PDF
    stage to size the margins from (PdfWriter.render's `margins`). `fit`: one of the edition's `fits`
    (default: the first, what the content asks for).
    """
    env = env or environment()
    strings = content.wording
    governance = content.governance
    fit = fit or fits(content, edition)[0]
    context = {
        "colours": palette(content, print_shop),
        "print_shop": print_shop,
        "expired": expired,
        "qr_url": QR_URL,
        "content": content,
        "brand": content.brand,
        "condition": content.condition,
        "governance": governance,
        "edition": edition,
        "cause": edition.cause,
        "paper": paper,
        # "ltr" or "rtl": `dir` on <html>, how the stylesheets mirror the page, which runs of text are set apart
        "direction": wording.direction(content.language),
        "s": strings,
        "logo_url": logo_url,
        "logo_ratio": _logo_ratio_of_url(logo_url),
        "figures": placed_figures(content),
        "glossary": glossary_for(content, edition, fit),
        "fit": fit,
        "story": {part: gathered(content, part) for part in STORY_PARTS},
        "published": format_date(governance.published, content),
        "review_by": format_date(governance.review_by, content),
        "generator": f"leaflets {__version__}",
        "record": None,
        "margins_only": margins_only,
        # The leaflet's own web page (brand.web_url), drawn as a second QR code (partials/web_page.html); or None.
        "web_page": web.printed_link(content, edition, strings),
        "web_qr_url": web.qr_url(web.page_name(edition) or ""),
        **(extra or {}),
    }
    try:
        html = env.get_template(edition.template).render(context)
    except jinja2.TemplateError as error:
        where = f"{error.filename}:{error.lineno}: " if isinstance(error, jinja2.TemplateSyntaxError) else ""
        raise BuildError(f"template {edition.template}: {where}{error}") from error
    html = keep_words_whole(keep_hyphenated_words(html), content.language)
    return isolate_runs(html, context["direction"])
