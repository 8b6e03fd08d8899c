"""Figures in content: a section's picture (`cause_leaflets[].sections[].figure`), checked like the logo, laid out
inside its column in every edition that prints its section (cause leaflet, large print, discharge handout, web
page), tagged as a Figure with its alt text and its caption after it, within the page budget.

The fixture is the shipped content with a simple diagram (tests/fixtures/figures/) on the scar-tissue leaflet's
first section.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from leaflets.checks.conformance import Element, StructureTree, check_file, outline
from leaflets.checks.conformance.reader import marked_texts
from leaflets.cli import main
from leaflets.content.editions import editions
from leaflets.content.load import display_path
from leaflets.content.sources import content_fonts, load_content, load_sources
from leaflets.errors import BuildError
from leaflets.pipeline.plan import build
from leaflets.render.html import FIGURE_SCHEME, figure_name, generated_images, render_html
from leaflets.render.layout import MM
from leaflets.render.pdf import AssetFetcher, PdfWriter
from leaflets.theme import TEMPLATES
from leaflets.web.site import make_site
from tests.conftest import CONTENT, ROOT, TRANSLATIONS, line_of
from tests.test_bad_input import _png, _svg, problems

MakeContent = Callable[..., Path]

SVG = ROOT / "tests" / "fixtures" / "figures" / "scar-tissue-side-view.svg"
#: The end of the scar-tissue leaflet's first section, where the fixture's figure goes.
ANCHOR = "Doctors call this adhesion. It can cause pain.\n"
ALT = (
    "Drawing of the lower spine from the side. It shows three bones with discs between them, the nerves in the "
    "spinal canal behind them, and a nerve root leaving the canal. A dashed circle marks scar tissue stuck to the "
    "nerve root."
)
CAPTION = "Scar tissue (in the circle) can stick to a nerve root inside the spinal canal."
FIELD = "cause_leaflets[2].sections[0].figure"
PX_PER_PT = 96 / 72
SLACK_PX = 1.0


def figure_yaml(file: str = "figures/scar-tissue-side-view.svg", alt: str | None = ALT, caption: str = CAPTION) -> str:
    """The fixture's `figure:` group, indented as a section's field."""
    lines = ["figure:", f"  file: {file}", *([f"  alt: {alt}"] if alt is not None else [])]
    lines += [f"  caption: {caption}"] if caption else []
    return "".join(f"        {line}\n" for line in lines)


def with_figure(content_copy: MakeContent, figure: str | None = None, *replacements: tuple[str, str]) -> Path:
    """The shipped content (English) with a figure on the scar-tissue leaflet's first section, the diagram beside it."""
    content = content_copy((ANCHOR, ANCHOR + (figure if figure is not None else figure_yaml())), *replacements)
    (content.parent / "figures").mkdir(exist_ok=True)
    shutil.copy(SVG, content.parent / "figures" / SVG.name)
    return content


def _copy_into(folder: Path) -> Path:
    """with_figure, for a fixture that outlives one test."""
    text = CONTENT.read_text(encoding="utf-8").replace(TRANSLATIONS, "", 1).replace(ANCHOR, ANCHOR + figure_yaml(), 1)
    for name in ("assets/logo.svg", "medical_terms.txt"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    (folder / "figures").mkdir()
    shutil.copy(SVG, folder / "figures" / SVG.name)
    (folder / "content.yaml").write_text(text, encoding="utf-8")
    return folder / "content.yaml"


@pytest.fixture(scope="module", params=["a4", "letter"])
def figured(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    """The scar-tissue leaflet and its large print built with the figure: (paper, content file, output folder)."""
    folder = tmp_path_factory.mktemp(f"figure-{request.param}")
    content = _copy_into(folder)
    build(content, folder / "out", paper=request.param, only=["scar-tissue", "scar-tissue-large-print"])
    return request.param, content, folder / "out"


EDITIONS = ["scar-tissue", "scar-tissue-large-print"]


# --- the PDF: tagged, and inside its column ------------------------------------------------------------------------


def _figures(path: Path) -> list[tuple[Element, list[str]]]:
    """Each Figure of the tag tree but the logo and QR code, with the kinds of its parent's kids."""
    with pikepdf.open(path) as pdf:
        tree = StructureTree(pdf)
        return [
            (element, [kid.standard or kid.type for kid in element.parent.kids] if element.parent else [])
            for element in tree.walk()
            if element.standard == "Figure" and str(element.obj.get("/Alt", "")) == ALT
        ]


@pytest.mark.pdf
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_figure_is_tagged_with_its_alt_text_and_its_caption_after_it(
    figured: tuple[str, Path, Path], edition: str
) -> None:
    paper, _, out = figured
    path = out / f"{edition}-en-{paper}.pdf"
    (figure, siblings), *others = _figures(path)
    assert others == []
    assert siblings == ["Figure", "Caption"]  # grouped (the <figure>), the caption read after the picture
    caption = figure.parent.kids[1]  # type: ignore[union-attr]
    texts = marked_texts(path)
    spoken = " ".join(" ".join(texts.get(key, "") for e in caption.walk() for key in e.mcids).split())  # a line each
    assert spoken == CAPTION
    assert ("Figure", ALT) in [(kind, said) for _, kind, said in outline(path)]
    report = check_file(path)
    assert report.passed, report.problems


def _drawn(path: Path, page: int, mcid: int) -> tuple[float, float, float, float]:
    """What the PDF paints as marked content `mcid` on `page` (1-based): its bounds in CSS px from the top left."""
    document = pdfium.PdfDocument(path)
    try:
        height = document[page - 1].get_size()[1]
        bounds = [
            obj.get_bounds()
            for obj in document[page - 1].get_objects(max_depth=1)
            if pdfium_c.FPDFPageObj_GetMarkedContentID(obj.raw) == mcid
        ]
    finally:
        document.close()
    assert bounds, f"nothing is painted as the figure (MCID {mcid}) on page {page}"
    left, bottom = min(b[0] for b in bounds), min(b[1] for b in bounds)
    right, top = max(b[2] for b in bounds), max(b[3] for b in bounds)
    return left * PX_PER_PT, (height - top) * PX_PER_PT, right * PX_PER_PT, (height - bottom) * PX_PER_PT


def _image_and_column(document: Any, field: str) -> tuple[int, Any, Any]:
    """The laid-out figure (its img box), the column that holds it (a column box, or the one-column block) and
    its page (1-based)."""

    def find(box: Any, around: list[Any]) -> tuple[Any, list[Any]] | None:
        if box.element_tag == "img" and box.element.get("data-field") == field:
            return box, around
        for child in getattr(box, "children", ()):
            found = find(child, [*around, box])
            if found:
                return found
        return None

    for number, page in enumerate(document.pages, start=1):
        found = find(page._page_box, [])
        if found:
            image, around = found
            column = next(
                box
                for box in reversed(around)
                if getattr(box, "is_column", False) or "columns" in (box.element.get("class") or "").split()
            )
            return number, image, column
    raise AssertionError(f"no figure {field} on the pages")


def _box(box: Any) -> tuple[float, float, float, float]:
    left, top = box.content_box_x(), box.content_box_y()
    return left, top, left + box.width, top + box.height


def _inside(inner: Sequence[float], outer: Sequence[float]) -> bool:
    return (
        inner[0] >= outer[0] - SLACK_PX
        and inner[1] >= outer[1] - SLACK_PX
        and inner[2] <= outer[2] + SLACK_PX
        and inner[3] <= outer[3] + SLACK_PX
    )


def _natural_ratio(folder: Path) -> float:
    """Width over height of what the fixture's diagram paints, drawn alone at its own size."""
    import weasyprint

    page = '<html lang="en"><title>t</title><body style="margin: 0"><img alt="x" src="{}"></body></html>'
    path = folder / "alone.pdf"
    weasyprint.HTML(string=page.format(SVG.as_uri())).write_pdf(path, pdf_tags=True)
    with pikepdf.open(path) as pdf:
        ((figure, _),) = [(e, 0) for e in StructureTree(pdf).walk() if e.standard == "Figure"]
    left, top, right, bottom = _drawn(path, 1, figure.mcids[0][1])
    return (right - left) / (bottom - top)


@pytest.mark.pdf
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_figure_is_drawn_inside_its_column_within_the_margins(
    figured: tuple[str, Path, Path], edition: str, tmp_path: Path
) -> None:
    paper, path, out = figured
    content = load_content(path)
    chosen = next(e for e in editions(content) if e.name == edition)
    logo = (path.parent / content.brand.logo).resolve()
    writer = PdfWriter(
        [logo],
        generated_images(content),
        source_date=content.governance.published,
        fonts=content_fonts(content, path),
    )
    html = render_html(content, chosen, paper, logo.as_uri())
    margins = render_html(content, chosen, paper, logo.as_uri(), margins_only=True)
    rendered = writer.render(html, chosen.stylesheets(paper), chosen.max_pages, edition, margins=margins)
    built = out / f"{edition}-en-{paper}.pdf"
    assert rendered.data == built.read_bytes()  # the pages measured here are the built file's
    page, image, column = _image_and_column(rendered.document, FIELD)
    page_box = rendered.document.pages[page - 1]._page_box
    text_area = _box(page_box)  # the page inside its margins
    assert _inside(_box(column), text_area), (_box(column), text_area)
    assert _inside(_box(image), _box(column)), (_box(image), _box(column))
    (figure, _), *_ = _figures(built)
    assert figure.page == page
    drawn = _drawn(built, page, figure.mcids[0][1])
    assert _inside(drawn, _box(column)), (drawn, _box(column))
    width, height = drawn[2] - drawn[0], drawn[3] - drawn[1]
    assert abs(width / height - _natural_ratio(tmp_path)) < 0.01  # its proportions kept
    limit = 55 if edition == "scar-tissue" else 90  # --figure-height in leaflet.css and large-print.css
    assert _box(image)[3] - _box(image)[1] <= limit / MM + SLACK_PX
    assert width >= (_box(column)[2] - _box(column)[0]) * 0.5  # a picture, not a thumbnail


@pytest.mark.pdf
def test_a_figure_is_laid_out_in_a_discharge_handout_as_a_tagged_figure(
    content_copy: MakeContent, tmp_path: Path
) -> None:
    from PIL import Image, ImageDraw

    # A PNG this time: PDF/A-2 needs it drawn without smoothing (conformance.py), as a PNG logo is.
    content = with_figure(content_copy, figure_yaml(file="figures/diagram.png"))
    picture = Image.new("RGB", (600, 400), "white")
    ImageDraw.Draw(picture).ellipse((100, 50, 500, 350), outline=(26, 26, 26), width=8)
    picture.save(content.parent / "figures" / "diagram.png")
    patients = tmp_path / "patients.csv"
    lines = (ROOT / "tests" / "fixtures" / "patients.csv").read_text(encoding="utf-8").splitlines()
    patients.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")  # EXS-0001: scar-tissue, rehabilitation
    out = tmp_path / "handouts"
    code = main(["discharge", "--patients", str(patients), "--content", str(content), "--out", str(out), "--jobs", "1"])
    assert code == 0
    handout = out / "EXS-0001.pdf"
    ((_, siblings),) = _figures(handout)
    assert siblings == ["Figure", "Caption"]
    report = check_file(handout)
    assert report.passed, report.problems
    assert any(rule.startswith("6.2.8") for rule in report.checked)  # judged as PDF/A: images not smoothed
    with pikepdf.open(handout) as pdf:
        found = [image for page in pdf.pages for image in page.get_images().values() if int(image.Width) == 600]
        pictures = {image.objgen: image for image in found}
        assert len(pictures) == 1 and all(image.get("/Interpolate") is not True for image in pictures.values())


# --- the page budget --------------------------------------------------------------------------------------------


@pytest.mark.pdf
def test_figures_that_push_text_off_the_page_are_named_with_the_room_they_take(
    content_copy: MakeContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figure = figure_yaml(alt="A drawing of the spine from the side.", caption="")
    after = [
        "If they do not go away, the nerve may be damaged for good.\n",
        "          - nerve damage during the operation.\n",
        "Bone that grows back can narrow the canal.\n",
    ]
    content = with_figure(content_copy, "", *((end, end + figure) for end in after))
    out = str(tmp_path / "out")
    code = main(["--content", str(content), "--out", out, "--only", "failed-decompression", "--jobs", "1"])
    error = capsys.readouterr().err
    assert code == 3, error
    assert "failed-decompression-en (a4) needs 2 pages but may have 1" in error
    named = re.search(r"or leave out a figure \(the figures take room too: (.*?)\)\n", error)
    assert named, error
    fields = re.findall(r"(cause_leaflets\[1\]\.sections\[\d\]\.figure) \((\d+) mm\)", named.group(1))
    assert [field for field, _ in fields] == [f"cause_leaflets[1].sections[{i}].figure" for i in range(3)]
    assert all(50 <= int(mm) <= 65 for _, mm in fields)  # 55 mm of picture, and its margins
    assert not (tmp_path / "out" / "failed-decompression-en-a4.pdf").exists()


# --- located content errors -------------------------------------------------------------------------------------


def test_a_figure_without_alt_text_is_a_located_content_error(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str]
) -> None:
    content = with_figure(content_copy, figure_yaml(alt=None))
    line = line_of(content, "        figure:")
    assert problems(content, capsys) == [f"{line}:9: {FIELD}.alt: this field is missing; it is required"]


def test_empty_alt_text_is_a_located_content_error(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str]
) -> None:
    content = with_figure(content_copy, figure_yaml(alt='""'))
    line = line_of(content, "          alt:")
    assert problems(content, capsys) == [f"{line}:11: {FIELD}.alt: is empty; write some text here"]


RESAVE = "save it again as plain SVG (in Inkscape: Save As, Plain SVG), or use a PNG figure"


@pytest.mark.parametrize(
    ("file", "data", "message"),
    [
        (
            "figures/d.svg",
            _svg("<rect/>", '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "svg11.dtd">'),
            f"the SVG figure has a DOCTYPE or ENTITY declaration, which can make it expand without end; {RESAVE}",
        ),
        (
            "figures/d.svg",
            _svg('<image href="https://example.org/photo.png" width="1" height="1"/>'),
            "the SVG figure refers to another file, a web address or an embedded picture; a figure must be drawn in "
            f"its own file: {RESAVE}",
        ),
        (
            "figures/d.svg",
            _svg('<rect style="fill: url(../assets/logo.svg)"/>'),
            "the SVG figure refers to another file or a web address in its styles; a figure must be drawn in its "
            f"own file: {RESAVE}",
        ),
        (
            "figures/d.png",
            _png(20_000, 20_000),
            "the PNG figure is 20000 x 20000 pixels; at most 8,192 a side and 16,000,000 pixels in all: a figure "
            "needs far fewer (save it smaller)",
        ),
        (
            "figures/d.png",
            b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024),
            "the figure file is larger than 2,097,152 bytes; save it smaller (a figure needs far less)",
        ),
        ("figures/d.jpg", b"\xff\xd8\xff", "the figure must be an .svg or .png file, not 'd.jpg'"),
        (
            "../outside.svg",
            SVG.read_bytes(),
            "'../outside.svg' goes out of the content's folder: put the file in it, and name it from there",
        ),
    ],
    ids=["doctype", "web-address", "url-in-style", "huge-png", "large-file", "jpeg", "outside"],
)
def test_a_figure_file_that_would_expand_reach_out_or_is_huge_is_refused(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], file: str, data: bytes, message: str
) -> None:
    content = with_figure(content_copy, figure_yaml(file=file))
    (content.parent / file).resolve().write_bytes(data)
    line = line_of(content, "          file:")
    assert problems(content, capsys) == [f"{line}:11: {FIELD}.file: {message}"]


def test_a_translation_lacking_the_masters_figure_is_told_so(content_copy: MakeContent) -> None:
    from leaflets.errors import ContentError

    content = content_copy((ANCHOR, ANCHOR + figure_yaml()), translated=True)
    (content.parent / "figures").mkdir()
    shutil.copy(SVG, content.parent / "figures" / SVG.name)
    with pytest.raises(ContentError) as raised:
        load_sources(content)
    assert [(p.field, p.message) for p in raised.value.problems] == [
        (FIELD, f"missing: {display_path(content)} has the figure group here; translate it")
    ]


# --- drawn from the checked bytes, and nothing else ---------------------------------------------------------------


def test_the_leaflets_draw_the_bytes_that_were_checked_and_never_the_file(content_copy: MakeContent) -> None:
    content_path = with_figure(content_copy)
    content = load_content(content_path)
    data = SVG.read_bytes()
    name = figure_name(content, f"figures/{SVG.name}")
    assert name == hashlib.sha256(data).hexdigest()[:20] + ".svg"
    assert generated_images(content)[FIGURE_SCHEME + name] == data
    fetcher = AssetFetcher([TEMPLATES], generated_images(content))
    served = fetcher.fetch(FIGURE_SCHEME + name)
    assert served.headers["Content-Type"] == "image/svg+xml"
    # The file itself is not one of the project's: an HTML naming it is refused.
    writer = PdfWriter([], generated_images(content))
    path = (content_path.parent / "figures" / SVG.name).as_uri()
    html = f'<html lang="en"><title>t</title><body><img alt="x" src="{path}"></body></html>'
    with pytest.raises(BuildError, match="blocked"):
        writer.render(html, ["a4.css"], 1, "test")


@pytest.mark.pdf
def test_a_changed_picture_remakes_the_leaflets_that_print_it(content_copy: MakeContent, tmp_path: Path) -> None:
    content = with_figure(content_copy)
    out = tmp_path / "out"
    only = ["scar-tissue", "rehabilitation"]
    first = {o.file: o.sha256 for o in build(content, out, only=only)}
    svg = content.parent / "figures" / SVG.name
    svg.write_text(svg.read_text(encoding="utf-8").replace('stroke-dasharray="6 4"', 'stroke-dasharray="3 3"'))
    second = {o.file: o.sha256 for o in build(content, out, only=only)}
    assert first["rehabilitation-en-a4.pdf"] == second["rehabilitation-en-a4.pdf"]
    assert first["scar-tissue-en-a4.pdf"] != second["scar-tissue-en-a4.pdf"]


# --- the web edition and braille ----------------------------------------------------------------------------------


class _Figures(HTMLParser):
    """Each <figure>'s pictures (src, alt) and caption text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self.caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "figure":
            self.found.append({"images": [], "caption": ""})
        elif tag == "img" and self.found:
            self.found[-1]["images"].append(dict(attrs))
        self.caption = self.caption or tag == "figcaption"

    def handle_endtag(self, tag: str) -> None:
        self.caption = self.caption and tag != "figcaption"

    def handle_data(self, data: str) -> None:
        if self.caption:
            self.found[-1]["caption"] += data


def test_the_web_page_shows_the_figure_with_its_alt_text_and_caption(content_copy: MakeContent) -> None:
    files = make_site(with_figure(content_copy))
    reader = _Figures()
    reader.feed(files["en/scar-tissue.html"].decode("utf-8"))
    ((image,),) = [figure["images"] for figure in reader.found]
    assert image["alt"] == ALT
    assert " ".join(reader.found[0]["caption"].split()) == CAPTION
    src = image["src"] or ""
    assert src.startswith("../figures/")
    assert files[src.removeprefix("../")] == SVG.read_bytes()
    assert "<figure" not in files["en/failed-decompression.html"].decode("utf-8")


def test_a_braille_file_gives_the_figure_as_its_alt_text_then_its_caption(content_copy: MakeContent) -> None:
    from leaflets import braille

    content_path = with_figure(content_copy)
    content = load_content(content_path)
    edition = next(e for e in editions(content) if e.name == "scar-tissue")
    html = render_html(content, edition, "a4", (content_path.parent / content.brand.logo).resolve().as_uri())
    texts = [block.text for block in braille.blocks(html)]
    at = texts.index(ALT)
    assert texts[at - 1].endswith(ANCHOR.strip()) and texts[at + 1] == CAPTION


def test_a_figure_wider_than_its_column_stops_the_build_naming_its_field(content_copy: MakeContent) -> None:
    # Its stylesheet draws it the width of its column; a clinic's stylesheet that made it wider would print it
    # over the next column, or the margin.
    content = load_content(with_figure(content_copy))
    writer = PdfWriter([], generated_images(content))
    (src,) = generated_images(content).keys() - {"generated:booking-qr.svg"}
    figure = f'<figure class="figure"><img style="width: 60mm" data-field="{FIELD}" alt="a" src="{src}"></figure>'
    html = f'<html lang="en"><title>t</title><body><div style="width: 50mm">{figure}</div></body></html>'
    with pytest.raises(BuildError, match=re.escape(f"test, page 1: the image from {FIELD} runs 10 mm past the right")):
        writer.render(html, ["leaflet.css", "a4.css"], 1, "test")


@pytest.mark.pdf
def test_a_changed_picture_is_reported_with_the_leaflets_it_changes(
    content_copy: MakeContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_approval import commit_all, leaflets_in

    content = with_figure(content_copy)
    commit_all(tmp_path)  # the approved version, its picture with it
    svg = content.parent / "figures" / SVG.name
    svg.write_text(svg.read_text(encoding="utf-8").replace('stroke-dasharray="6 4"', 'stroke-dasharray="3 3"'))
    out = tmp_path / "out"
    only = ["--only", "scar-tissue", "--only", "rehabilitation"]
    code = main(["changes", "--since", "HEAD", "--content", str(content), "--out", str(out), "--jobs", "1", *only])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert f"The picture of {FIELD} is different: figures/{SVG.name}." in printed
    html = (out / "changes.html").read_text(encoding="utf-8")
    assert sorted(leaflets_in(html)) == ["scar-tissue-en-a4.pdf"]
