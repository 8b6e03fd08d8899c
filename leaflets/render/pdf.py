"""Stage 3: HTML -> tagged PDF through WeasyPrint, written atomically.

WeasyPrint only sees files through `AssetFetcher`, which serves the
template folders, the installed font and the logo, and the images the
build made or read itself (QR codes; the figures, as the bytes that were
checked), and nothing else: no other local file, no network. Any WeasyPrint warning (a font that did
not load, a blocked file, bad CSS) fails the build instead of quietly
printing a worse leaflet.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from leaflets.content.fonts import FONT_DIR, SHIPPED, FontSet
from leaflets.errors import BuildError
from leaflets.render.conformance import finish_conformance
from leaflets.render.layout import MM, FieldNamer, check_budget, check_panels, check_printable, holds, margin_overrun
from leaflets.render.tagging import finish_tags
from leaflets.theme import SHIPPED as SHIPPED_THEME
from leaflets.theme import TEMPLATES, Theme

#: Tagged for screen readers (PDF/UA-1); sets PDF 1.7 and the structure tree.
PDF_VARIANT = "pdf/ua-1"
#: For a print shop: PDF/X-4 (CMYK output intent), used when an ICC profile is given.
PRINT_VARIANT = "pdf/x-4"
#: Bleed for a print shop, in PDF points (3 mm).
BLEED_PT = 3 / 25.4 * 72


#: The kinds of image the build hands WeasyPrint by address (AssetFetcher's `generated`), by name ending.
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `file://` URLs under the allowed folders or files, and the build's own images and fonts by address
    (`generated:NAME` QR codes and faces taken out of font collections, `figure:NAME` figures); refuses everything
    else."""

    def __init__(self, allowed: Sequence[Path], generated: Mapping[str, bytes] | None = None):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self.allowed = tuple(Path(p).resolve() for p in allowed)
        self.generated = dict(generated or {})

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        """Fetch `url` if it is an allowed local file or a generated image, else stop the render."""
        if url in self.generated:
            kind = IMAGE_TYPES.get(url[url.rfind(".") :].lower(), "font/sfnt")  # else a face out of a collection
            return URLFetcherResponse(url, self.generated[url], {"Content-Type": kind})
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" and not parts.netloc else None
        if path is None or not any(path == root or path.is_relative_to(root) for root in self.allowed):
            raise FatalURLFetchingError(f"blocked {url[:80]!r}: leaflets may only use the project's own files")
        return super().fetch(path.as_uri(), headers)


def cmyk_profile_css(icc_profile: Path | None) -> str:
    """The @color-profile rule that gives device-cmyk colours a real CMYK profile (and PDF/X its intent)."""
    if icc_profile is None:
        return ""
    source = f'src: url("{icc_profile.as_uri()}")'
    return f"@color-profile device-cmyk {{ {source}; components: cyan magenta yellow black; }}"


@dataclass(frozen=True)
class Rendered:
    """A finished PDF in memory, with the layout it came from (for the quality checks)."""

    data: bytes
    pages: int
    document: Any
    footer_pt: list[float]  # each page's bottom margin, where the footer sits
    fit: int = 0  # which HTML was laid out: 0 the first, 1 the first of the fallbacks, ...


class PdfWriter:
    """Renders HTML to PDF, reusing one font configuration and each parsed stylesheet."""

    def __init__(
        self,
        assets: Sequence[Path] = (),
        generated: Mapping[str, bytes] | None = None,
        icc_profile: Path | None = None,
        source_date: datetime.date = datetime.date(2000, 1, 1),
        fonts: FontSet = SHIPPED,
        private: bool = False,
        theme: Theme = SHIPPED_THEME,
    ):
        """`assets`: the files (the logo) and folders the pages may use besides the theme's and the fonts;
        `private`: the pages hold patient data, so no library message is passed on (it may quote them)."""
        self.theme = theme
        self.source_date = source_date
        self.icc_profile = icc_profile
        self.fonts = fonts
        self.private = private
        allowed = [*assets, *theme.folders, FONT_DIR, *fonts.fallbacks, *([icc_profile] if icc_profile else [])]
        self.fetcher = AssetFetcher(allowed, {**(generated or {}), **fonts.generated()})
        self.base_url = TEMPLATES.resolve().as_uri() + "/"
        self.font_config = FontConfiguration()
        self._parsed: dict[str, weasyprint.CSS] = {}
        self._color_profiles: dict[str, Any] = {}  # filled by the @color-profile rule below
        self._margin_rules: dict[tuple[Any, ...], list[weasyprint.CSS]] = {}  # see lay_out
        with weasyprint_warnings_fail():
            self._fonts = self._css(string=fonts.css())
            self._cmyk = self._css(string=cmyk_profile_css(icc_profile))

    def _css(self, **source: Any) -> weasyprint.CSS:
        return weasyprint.CSS(
            **source, font_config=self.font_config, url_fetcher=self.fetcher, color_profiles=self._color_profiles
        )

    def stylesheets(self, names: Sequence[str], print_shop: bool) -> list[weasyprint.CSS]:
        """The font rules, then each named stylesheet (the theme's `css/NAME`), parsed once per writer."""
        for name in names:
            if name not in self._parsed:
                with weasyprint_warnings_fail():
                    self._parsed[name] = self._css(filename=self.theme.find(f"css/{name}"))
        return [self._fonts, *([self._cmyk] if print_shop else []), *(self._parsed[n] for n in names)]

    def variant(self, print_shop: bool) -> str | None:
        """PDF/UA-1 for screens and office printers; PDF/X-4 for a print shop when a CMYK profile is known."""
        if not print_shop:
            return PDF_VARIANT
        return PRINT_VARIANT if self.icc_profile else None

    def render(
        self,
        html: str,
        stylesheets: Sequence[str],
        max_pages: int,
        what: str,
        print_shop: bool = False,
        variant: str | None = None,
        forms: bool = False,
        field_of: FieldNamer = lambda text: "some text",
        margins: str | None = None,
        fallbacks: Sequence[str] = (),
        least: str = "",
    ) -> Rendered:
        """Render one leaflet; fail if it breaks its page budget, overflows a panel or leaves the printable area.

        `variant` overrides the PDF variant (discharge handouts are PDF/A); `forms` keeps form fields fillable;
        `field_of` names the field a piece of text came from, for messages (never the text itself);
        `margins` is the leaflet's margins-only HTML (render_html's `margins_only`), which sizes its margins
        before the pages are laid out. `fallbacks`: HTML laid out in turn when `html` does not fit its pages
        or panels (editions.fits), the first that fits is written; `least` says how the last one differs from
        `html`, for the message when none fits.
        """
        with weasyprint_warnings_fail(self.private):
            document, fit = self._first_to_fit([html, *fallbacks], stylesheets, max_pages, print_shop, forms, margins)
            html = [html, *fallbacks][fit]
            if fallbacks and least and not holds(document, max_pages):
                what = f"{what}, even {least}"
            check_panels(document, what)  # first: a panel that overflows is named, not the page it spilled to
            check_budget(document, max_pages, what)
            check_printable(document, what, field_of)
            seed = hashlib.sha256(html.encode()).digest()
            chosen = variant or self.variant(print_shop)
            archival = (chosen or "").startswith("pdf/a")
            with source_date_epoch(self.source_date):
                data = document.write_pdf(
                    pdf_variant=chosen, pdf_tags=True, finisher=partial(_finish, seed, print_shop, archival)
                )
            self._audit_fonts(document, what)
        footer_pt = [page._page_box.margin_bottom * 0.75 for page in document.pages]
        return Rendered(data, len(document.pages), document, footer_pt, fit)

    def _first_to_fit(
        self,
        candidates: Sequence[str],
        stylesheets: Sequence[str],
        max_pages: int,
        print_shop: bool,
        forms: bool,
        margins: str | None,
    ) -> tuple[Any, int]:
        """The pages of the first of `candidates` that fits its pages and panels, and its index; the last
        candidate's when none fits."""
        for fit, html in enumerate(candidates):
            document = self.lay_out(html, stylesheets, print_shop, forms, margins)
            if holds(document, max_pages) or fit == len(candidates) - 1:
                return document, fit
        raise ValueError("no HTML to lay out")

    def _audit_fonts(self, document: Any, what: str) -> None:
        """Fail if any text was drawn with a font that is not one of ours (Pango falls back to the machine's)."""
        allowed = self.fonts.families()
        strays = sorted({str(font.family) for font in document.fonts.values()} - allowed)
        if strays:
            raise BuildError(
                f"{what}: some characters were drawn with the machine's font {', '.join(strays)}: no embedded "
                "font has them; add a font that does to the content's `fonts:` folder (see docs/brand-and-fonts.md)"
            )

    def lay_out(
        self,
        html: str,
        stylesheets: Sequence[str],
        print_shop: bool = False,
        forms: bool = False,
        margins: str | None = None,
    ) -> Any:
        """The laid-out pages, unchecked, with page margins as deep as what they print needs (see `_fit_margins`).

        The depth is measured first on `margins`, the margins' content alone on a page (about 20 ms, where a
        leaflet takes 200-800 ms), once per writer for all the leaflets that print the same: so a footer that
        needs one more line than the stylesheet allows for costs no second layout of every leaflet.
        """
        sheets = self.stylesheets(stylesheets, print_shop)
        if margins is not None:
            key = (margins, tuple(stylesheets), print_shop)
            if key not in self._margin_rules:
                if len(self._margin_rules) >= 32:  # a handout's footer has its record number: do not hoard them
                    self._margin_rules.clear()
                self._margin_rules[key] = self._fit_margins(margins, sheets, print_shop, forms=False)[1]
            sheets = [*sheets, *self._margin_rules[key]]
        return self._fit_margins(html, sheets, print_shop, forms)[0]

    def _fit_margins(
        self, html: str, sheets: list[weasyprint.CSS], print_shop: bool, forms: bool
    ) -> tuple[Any, list[weasyprint.CSS]]:
        """Lay out the pages; if a running footer (or the top banner) needs more room than its margin holds,
        deepen that margin, so nothing is printed within 5 mm of the paper edge. The pages, and the rules added."""
        added: list[weasyprint.CSS] = []
        document = None
        for _ in range(3):  # a deeper margin can move a page break, which can change the footer once more
            document = weasyprint.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config,
                stylesheets=[*sheets, *added],
                color_profiles=self._color_profiles if print_shop else {},
                pdf_forms=forms,
            )
            overrun = {side: mm for side, mm in margin_overrun(document).items() if mm > 0}
            if not overrun:
                break
            deepest = {
                side: max(getattr(p._page_box, f"margin_{side}") for p in document.pages) * MM for side in overrun
            }
            rules = [f"margin-{side}: {deepest[side] + mm + 1:.1f}mm;" for side, mm in overrun.items()]
            added.append(self._css(string="@page { " + " ".join(rules) + " }"))
        return document, added


@contextlib.contextmanager
def source_date_epoch(date: datetime.date) -> Iterator[None]:
    """Fix the clock fontTools writes into each embedded font's `head` table.

    Without the HarfBuzz-Subset library WeasyPrint subsets fonts with fontTools,
    which stamps the current time into the font unless SOURCE_DATE_EPOCH is set
    (reproducible-builds.org). A date from the content makes the bytes stable.
    """
    before = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.datetime.combine(date, datetime.time(), datetime.UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _finish(seed: bytes, print_shop: bool, archival: bool, document: Any, pdf: Any) -> None:
    """Last touches before the PDF is written.

    - PDF/X-4 metadata carries a random document id: derive it from the input
      instead, so the same content always gives the same bytes.
    - The print-shop stylesheet asks for 6 mm around the page: 3 mm of bleed
      plus 3 mm where the crop marks sit, clear of the artwork. The BleedBox
      is set to exactly the 3 mm of bleed (WeasyPrint would pick 3.5 mm).
    - Tagged PDFs: panels in reading order, and PDF/UA-1 declared in the XMP
      metadata whatever the variant (see tagging.py).
    - Every drawn glyph mapped to its text; for PDF/A (`archival`), images not
      smoothed and form fields drawn (see conformance.py).
    """
    finish_tags(document, pdf)  # first, so that the loop below sees the metadata as written
    finish_conformance(document, pdf, archival)
    stable = f"xmp.did:{uuid.UUID(bytes=seed[:16])}".encode()
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            obj.stream = [
                re.sub(rb"xmp\.did:[0-9a-f-]{36}", stable, part) if isinstance(part, bytes) else part
                for part in obj.stream
            ]
        elif print_shop and isinstance(obj, pydyf.Dictionary) and "TrimBox" in obj:
            left, top, right, bottom = obj["TrimBox"]
            obj["BleedBox"] = pydyf.Array([left - BLEED_PT, top - BLEED_PT, right + BLEED_PT, bottom + BLEED_PT])


class _Collector(logging.Handler):
    def __init__(self, level: int):
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def weasyprint_warnings_fail(private: bool = False) -> Iterator[None]:
    """Turn WeasyPrint's warnings and a blocked file into one BuildError.

    With `private`, the messages are not passed on: WeasyPrint quotes the text it could not draw,
    which on a discharge handout is patient data.
    """
    handler = _Collector(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    except FatalURLFetchingError as error:
        raise BuildError(str(error)) from None
    finally:
        logger.removeHandler(handler)
    messages = dict.fromkeys(r.getMessage() for r in handler.records)  # unique, in order
    # Without HarfBuzz-Subset, fontTools subsets the fonts; source_date_epoch() keeps its bytes stable.
    messages = {m: None for m in messages if not m.startswith("Using fontTools instead of HarfBuzz-Subset")}
    if messages and private:
        raise BuildError(f"WeasyPrint reported {len(messages)} problem(s), not shown here: they may quote patient data")
    if messages:
        raise BuildError("WeasyPrint: " + "; ".join(messages))
