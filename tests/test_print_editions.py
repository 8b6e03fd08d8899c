"""Print editions: tri-fold panel order and folds, QR codes, print-shop boxes and colours, gallery."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from leaflets.errors import BuildError
from leaflets.pipeline.plan import Output, build
from tests.browser import HEADLESS
from tests.conftest import CONTENT
from tests.pdfread import MM_PER_POINT, page_texts, printed_sentences, repeated

Built = tuple[str, Path, list[Output]]
PANELS_MM = {"a4": (97.0, 100.0), "letter": (91.4, 94.0)}  # (flap, panel), as in a4.css / letter.css
BOOKING_URL = "https://www.example.org/book"
GHOSTSCRIPT_CMYK = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


def x_mm_of(path: Path, page: int, phrase: str) -> float:
    """Left edge, in mm, of the first place `phrase` is printed on a page."""
    with pdfplumber.open(path) as pdf:
        found = pdf.pages[page].search(phrase, regex=False)
    assert found, f"{phrase!r} not on page {page + 1} of {path.name}"
    return float(found[0]["x0"]) * MM_PER_POINT


@pytest.mark.pdf
def test_trifold_panels_sit_in_folding_order(built: Built) -> None:
    paper, out, _ = built
    flap, panel = PANELS_MM[paper]
    trifold = out / f"trifold-en-{paper}.pdf"
    # Outside: inside flap | back panel | front cover.
    assert 0 < x_mm_of(trifold, 0, "Key points") < flap
    assert flap < x_mm_of(trifold, 0, "Book an appointment") < flap + panel
    assert flap + panel < x_mm_of(trifold, 0, "Failed back") < flap + 2 * panel
    # Inside: three panels read left to right; the last one is the flap's back.
    assert 0 < x_mm_of(trifold, 1, "What can cause it?") < panel
    assert panel < x_mm_of(trifold, 1, "When problems can show up") < 2 * panel
    assert 2 * panel < x_mm_of(trifold, 1, "Treatment") < 2 * panel + flap


@pytest.mark.pdf
def test_no_trifold_text_within_6_mm_of_a_fold(built: Built) -> None:
    paper, out, _ = built
    flap, panel = PANELS_MM[paper]
    folds = {0: (flap, flap + panel), 1: (panel, 2 * panel)}
    with pdfplumber.open(out / f"trifold-en-{paper}.pdf") as pdf:
        for number, page in enumerate(pdf.pages):
            for char in page.chars:
                left, right = char["x0"] * MM_PER_POINT, char["x1"] * MM_PER_POINT
                for fold in folds[number]:
                    assert right < fold - 6 or left > fold + 6, (number, char["text"], left, fold)


def decode_qr(path: Path, page: int) -> list[str]:
    document = pdfium.PdfDocument(path)
    try:
        image = document[page].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize(("stem", "page"), [("overview", 1), ("trifold", 0), ("scar-tissue", 0)])
def test_qr_code_decodes_to_the_booking_address_printed_beside_it(built: Built, stem: str, page: int) -> None:
    paper, out, _ = built
    path = out / f"{stem}-en-{paper}.pdf"
    assert decode_qr(path, page) == [BOOKING_URL]
    with pdfplumber.open(path) as pdf:
        assert "example.org/book" in pdf.pages[page].extract_text()
        # Drawn as vectors: no raster image anywhere on the page.
        assert pdf.pages[page].images == []


@pytest.fixture(scope="module")
def print_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print-shop")
    build(CONTENT, out, languages=["en"], only=["overview", "trifold", "scar-tissue"], print_shop=True)
    return out


@pytest.mark.pdf
@pytest.mark.parametrize("stem", ["overview-en-a4", "trifold-en-a4", "scar-tissue-en-a4"])
def test_print_shop_pages_have_trim_bleed_and_room_for_crop_marks(print_shop: Path, stem: str) -> None:
    with pikepdf.open(print_shop / f"{stem}-print-shop.pdf") as pdf:
        for page in pdf.pages:
            trim = [float(v) * MM_PER_POINT for v in page.TrimBox]
            bleed = [float(v) * MM_PER_POINT for v in page.BleedBox]
            media = [float(v) * MM_PER_POINT for v in page.MediaBox]
            width, height = (297, 210) if stem.startswith("trifold") else (210, 297)
            assert trim == pytest.approx([0, 0, width, height], abs=0.05)
            assert bleed == pytest.approx([-3, -3, width + 3, height + 3], abs=0.05)
            assert media == pytest.approx([-6, -6, width + 6, height + 6], abs=0.05)
    # The office-printer PDF is untouched: no bleed around the page.
    with pikepdf.open(print_shop / f"{stem}.pdf") as pdf:
        assert list(pdf.pages[0].MediaBox) == list(pdf.pages[0].TrimBox) == list(pdf.pages[0].BleedBox)


@pytest.mark.pdf
def test_print_shop_uses_the_cmyk_brand_colours_and_bleeds_the_band(print_shop: Path) -> None:
    with pikepdf.open(print_shop / "overview-en-a4-print-shop.pdf") as pdf:
        contents = pdf.pages[0].Contents
        stream = (
            b"".join(c.read_bytes() for c in contents) if isinstance(contents, pikepdf.Array) else contents.read_bytes()
        )
    assert b"0.73 0.28 0 0.6 scn" in stream  # colours_cmyk.primary, as DeviceCMYK
    assert b"0.105882 0.286275 0.396078 rg\n0 0 m" not in stream  # the band is not drawn in RGB
    document = pdfium.PdfDocument(print_shop / "overview-en-a4-print-shop.pdf")
    try:
        image = document[0].render(scale=100 / 72).to_pil().convert("RGB")
    finally:
        document.close()
    px = 100 / 25.4  # pixels per mm
    # 1.5 mm outside the trimmed edge, above the masthead: still the band's colour.
    red, green, blue = image.getpixel((int(60 * px), int((6 - 1.5) * px)))
    assert blue > red + 40 and red < 90, (red, green, blue)


@pytest.mark.skipif(not GHOSTSCRIPT_CMYK.is_file(), reason="needs a CMYK ICC profile (Debian: libgs-common)")
def test_print_shop_is_pdf_x4_when_a_cmyk_profile_is_given(tmp_path: Path) -> None:
    first = build(
        CONTENT, tmp_path / "one", languages=["en"], only=["overview"], print_shop=True, icc_profile=GHOSTSCRIPT_CMYK
    )
    second = build(
        CONTENT, tmp_path / "two", languages=["en"], only=["overview"], print_shop=True, icc_profile=GHOSTSCRIPT_CMYK
    )
    assert [o.sha256 for o in first] == [o.sha256 for o in second]
    with pikepdf.open(tmp_path / "one" / "overview-en-a4-print-shop.pdf") as pdf:
        assert str(pdf.Root.OutputIntents[0].S) == "/GTS_PDFX"
        assert pdf.open_metadata().get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
    with pikepdf.open(tmp_path / "one" / "overview-en-a4.pdf") as pdf:
        assert "/OutputIntents" not in pdf.Root


#: A treatment line, repeated to make the tri-fold's inside too long (its panels share the three columns).
TREATMENT_LINE = "    - Your doctor may talk with you about a range of treatment choices to help with your pain.\n"


def _panels_finding(output: Output) -> list[str]:
    return [check["message"] for check in output.checks if check["check"] == "panels"]


@pytest.mark.pdf
def test_a_trifold_too_full_carries_fewer_parts_and_says_which_fits(
    content_copy: Callable[..., Path], tmp_path: Path
) -> None:
    # 14 more treatment lines: the panels hold the story with one part of trifold.carries, not with both.
    content = content_copy(("  treatment:\n", "  treatment:\n" + TREATMENT_LINE * 14))
    (output,) = build(content, tmp_path / "out", only=["trifold"])
    assert _panels_finding(output) == [
        "a4: its panels cannot hold all of trifold.carries (timeline, helps), so it leaves out timeline; set "
        "`trifold.carries: [helps]` to print it so without this warning, or shorten the text"
    ]
    inside = page_texts(tmp_path / "out" / "trifold-en-a4.pdf")[1]
    assert "What can help" in inside and "Stretching can help." in inside  # the part that fits, whole
    assert "When problems can show up" not in inside
    # What the warning names does fit: with it, the same tri-fold and no warning.
    named = content.read_text(encoding="utf-8").replace("carries: [timeline, helps]", "carries: [helps]")
    content.write_text(named, encoding="utf-8")
    (again,) = build(content, tmp_path / "named", only=["trifold"])
    assert _panels_finding(again) == []
    assert page_texts(tmp_path / "named" / "trifold-en-a4.pdf")[1] == inside


@pytest.mark.pdf
def test_a_trifold_too_full_even_carrying_nothing_names_its_panels(
    content_copy: Callable[..., Path], tmp_path: Path
) -> None:
    content = content_copy(("  treatment:\n", "  treatment:\n" + TREATMENT_LINE * 24))
    with pytest.raises(BuildError) as caught:
        build(content, tmp_path / "out", only=["trifold"])
    assert re.fullmatch(
        r"trifold-en \(a4\), even leaving out timeline, helps of trifold.carries: the 3 'inside' panels overflow by "
        r"\d+ mm; shorten the text that goes on them in the content file",
        str(caught.value),
    ), str(caught.value)
    assert not (tmp_path / "out" / "trifold-en-a4.pdf").exists()


def inside_panels_used(path: Path, paper: str) -> list[float]:
    """How far down each inside panel (page 2, left to right) its text reaches, as a share of the panel's height."""
    flap, panel = PANELS_MM[paper]
    edges = [0.0, panel, 2 * panel, 2 * panel + flap]
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[1]
        height = float(page.height) * MM_PER_POINT
        bottoms = [0.0, 0.0, 0.0]
        for char in page.chars:
            x = float(char["x0"]) * MM_PER_POINT
            column = next(n for n in range(3) if edges[n] <= x < edges[n + 1])
            bottoms[column] = max(bottoms[column], float(char["bottom"]) * MM_PER_POINT)
    return [bottom / height for bottom in bottoms]


@pytest.mark.pdf
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_trifold_that_carries_less_shares_the_room_across_its_inside_panels(
    content_copy: Callable[..., Path], tmp_path: Path, paper: str
) -> None:
    # Fixed panels left the middle one about two thirds empty with `carries: [helps]`; the flow fills all three.
    content = content_copy(("carries: [timeline, helps]", "carries: [helps]"))
    build(content, tmp_path / "out", paper=paper, only=["trifold"])
    used = inside_panels_used(tmp_path / "out" / f"trifold-en-{paper}.pdf", paper)
    assert min(used) >= 0.5, used


@pytest.mark.pdf
def test_no_sentence_is_printed_twice(built: Built) -> None:
    paper, out, _ = built
    for stem in ("overview", "trifold"):
        sentences = printed_sentences(out / f"{stem}-en-{paper}.pdf")
        assert len(sentences) > 40 and repeated(sentences) == [], stem


@pytest.mark.pdf
def test_a_sentence_two_cause_leaflets_share_is_printed_once(content_copy: Callable[..., Path], tmp_path: Path) -> None:
    # The rehab leaflet gives the scar-tissue leaflet's stretching advice too: the whole story prints it once.
    stretching = "      - Stretching can help. It keeps the nerves moving so they are less likely to stick.\n"
    content = content_copy(
        ("      - Keep up your rehab after surgery.\n", stretching + "      - Keep up your rehab after surgery.\n")
    )
    build(content, tmp_path / "out", only=["overview", "trifold", "rehabilitation"])
    for stem in ("overview", "trifold"):
        sentences = printed_sentences(tmp_path / "out" / f"{stem}-en-a4.pdf")
        assert " ".join(sentences).count("Stretching can help.") == 1, stem
        assert repeated(sentences) == [], stem
    assert "Stretching can help." in " ".join(printed_sentences(tmp_path / "out" / "rehabilitation-en-a4.pdf"))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value.split("#", 1)[0])


def test_gallery_shows_every_page_and_every_link_resolves(built: Built) -> None:
    _, out, outputs = built
    parser = _Links()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    assert parser.targets, "no links in the gallery"
    for target in parser.targets:
        assert (out / target).is_file(), target
    thumbnails = [t for t in parser.targets if t.endswith(".png")]
    assert len(thumbnails) == sum(o.pages for o in outputs)
    assert {t for t in parser.targets if t.endswith(".pdf")} == {o.file for o in outputs}


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.pdf
@pytest.mark.skipif(chromium() is None and not os.environ.get("CI"), reason="Chromium not installed")
def test_gallery_opens_in_headless_chromium(built: Built, tmp_path: Path) -> None:
    _, out, _ = built
    browser = chromium()
    assert browser, "CI must have Chromium (.ci/run installs it)"
    shot = out / "gallery-screenshot.png"
    flags = [
        *HEADLESS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
        "--window-size=1200,1400",
        "--virtual-time-budget=5000",
        f"--screenshot={shot}",
    ]
    done = subprocess.run(
        [browser, *flags, (out / "index.html").as_uri()], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1200, 1400)
        # The first thumbnail has loaded: the overview's masthead (#1b4965) shows where it sits.
        colours = image.convert("RGB").crop((30, 180, 320, 360)).getcolors(maxcolors=1 << 20) or []
        assert any(abs(r - 0x1B) < 12 and abs(g - 0x49) < 12 and abs(b - 0x65) < 12 for _, (r, g, b) in colours)
