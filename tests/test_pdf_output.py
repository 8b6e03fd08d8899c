"""The built PDFs, opened and read back: pages, paper, text, metadata, tags, fonts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from leaflets.pipeline.plan import Output, build
from tests.conftest import CONTENT
from tests.pdfread import MM_PER_POINT, assert_in_order, page_texts

#: Pages of each English edition, on A4 and on Letter alike (Letter is 17.6 mm shorter, none needs a page more).
EXPECTED_PAGES = {
    "overview": 2,
    "trifold": 2,
    "failed-fusion": 1,
    "failed-decompression": 1,
    "scar-tissue": 1,
    "rehabilitation": 1,
    "overview-large-print": 5,
    "failed-fusion-large-print": 2,
    "failed-decompression-large-print": 3,
    "scar-tissue-large-print": 2,
    "rehabilitation-large-print": 2,
}
PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
# The bottom page margin, where the governance footer and page number sit (see the stylesheets).
FOOTER_MM = {"standard": 17, "large-print": 31}

Built = tuple[str, Path, list[Output]]


def paged(outputs: list[Output]) -> list[Output]:
    """Editions with numbered pages and a running footer (all but the tri-fold)."""
    return [o for o in outputs if o.edition != "trifold"]


def test_every_edition_is_built_with_its_page_count(built: Built) -> None:
    paper, out, outputs = built
    assert {o.edition: o.pages for o in outputs} == EXPECTED_PAGES
    for output in outputs:
        assert output.file == f"{output.edition}-{output.language}-{paper}.pdf"
        with pikepdf.open(out / output.file) as pdf:
            assert len(pdf.pages) == EXPECTED_PAGES[output.edition]


def test_page_size_matches_the_paper(built: Built) -> None:
    paper, out, outputs = built
    for output in outputs:
        width, height = PAPER_MM[paper]
        expected = (height, width) if output.edition == "trifold" else (width, height)
        with pikepdf.open(out / output.file) as pdf:
            for page in pdf.pages:
                x0, y0, x1, y1 = (float(v) for v in page.MediaBox)
                size = ((x1 - x0) * MM_PER_POINT, (y1 - y0) * MM_PER_POINT)
                assert size == pytest.approx(expected, abs=0.5)


def test_metadata_title_language_author(built: Built) -> None:
    _, out, outputs = built
    titles = {
        "overview": "Failed back surgery syndrome",
        "scar-tissue": "Failed back surgery syndrome: When scar tissue causes pain",
    }
    for output in outputs:
        with pikepdf.open(out / output.file) as pdf:
            assert str(pdf.docinfo["/Author"]) == "Exampleton Spine & Pain Clinic"
            assert str(pdf.Root.Lang) == "en"
            assert str(pdf.docinfo["/CreationDate"]) == "D:20261102"
            assert "EXS-FBSS-001" in str(pdf.docinfo["/Keywords"])
            assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
            if output.edition in titles:
                assert str(pdf.docinfo["/Title"]) == titles[output.edition]


def test_tagged_for_screen_readers(built: Built) -> None:
    _, out, outputs = built
    for output in outputs:
        with pikepdf.open(out / output.file) as pdf:
            assert bool(pdf.Root.MarkInfo.Marked)
            tree = pdf.Root.StructTreeRoot
            assert len(tree.K) > 0
            assert pdf.open_metadata().get("pdfuaid:part") == "1"
            elements = _elements(tree)
            assert {"H1", "H2", "P", "L", "LI", "Figure"} <= {role for role, _ in elements}
            assert ("Figure", "Exampleton Spine & Pain Clinic logo") in elements


def _elements(node: pikepdf.Object, found: set[tuple[str, str]] | None = None, depth: int = 0) -> set[tuple[str, str]]:
    """(role, alt text) of every element in the structure tree."""
    found = set() if found is None else found
    if depth > 60:
        return found
    if isinstance(node, pikepdf.Array):
        for child in node:
            _elements(child, found, depth + 1)
    elif isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.add((str(node.S).lstrip("/"), str(node.get("/Alt", ""))))
        if "/K" in node:
            _elements(node.K, found, depth + 1)
    return found


def test_only_the_shipped_font_is_used_and_it_is_embedded(built: Built) -> None:
    _, out, outputs = built
    for output in outputs:
        with pikepdf.open(out / output.file) as pdf:
            fonts = {}
            for page in pdf.pages:
                for font in page.Resources.Font.values():
                    descriptor = font.DescendantFonts[0].FontDescriptor
                    fonts[str(font.BaseFont)] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
            assert fonts, "no fonts found"
            assert all(fonts.values()), f"fonts not embedded: {fonts}"
            families = {name.split("+", 1)[1] for name in fonts}
            assert families <= {"Source-Sans-Pro", "Source-Sans-Pro-Semi-Bold", "Source-Sans-Pro-Bold"}, families


def body_sizes(path: Path) -> list[tuple[float, str, int]]:
    """(size in pt, character, page) of every character above the footer margin, list bullets aside."""
    sizes = []
    footer_mm = FOOTER_MM["large-print" if "-large-print-" in path.name else "standard"]
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            footer_top = page.height - footer_mm / MM_PER_POINT
            for char in page.chars:
                # List bullets (U+25A0) are decoration, drawn smaller on purpose.
                if char["top"] < footer_top and char["text"].strip() not in ("", "\u25a0"):
                    sizes.append((round(char["size"], 2), char["text"], number))
    return sizes


@pytest.mark.pdf
def test_body_text_is_at_least_12_points(built: Built) -> None:
    _, out, outputs = built
    for output in outputs:
        if output.edition.endswith("-large-print"):
            continue
        smallest = min(body_sizes(out / output.file))
        assert smallest[0] >= 11.95, f"{output.file}: {smallest}"


@pytest.mark.pdf
def test_large_print_body_is_18_points_and_headings_20_to_22(built: Built) -> None:
    paper, out, outputs = built
    for output in outputs:
        if not output.edition.endswith("-large-print"):
            continue
        sizes = body_sizes(out / output.file)
        assert min(sizes)[0] >= 17.95, f"{output.file}: smallest {min(sizes)}"
        with pdfplumber.open(out / output.file) as pdf:
            headings = [w for w in pdf.pages[0].extract_words(extra_attrs=["size", "fontname"]) if w["text"] == "What"]
        assert headings, output.file
        assert all(20 <= w["size"] <= 22 and w["fontname"].endswith("Bold") for w in headings), headings
    text = " ".join(page_texts(out / f"overview-large-print-en-{paper}.pdf"))
    assert_in_order(
        text,
        [
            "Key points",
            "What is failed back surgery syndrome?",
            "What can cause it?",
            "When problems can show up",
            "What can help",
            "Words we use",
            "Book an appointment",
        ],
    )


def test_every_page_has_governance_footer_and_page_x_of_y(built: Built) -> None:
    _, out, outputs = built
    for output in paged(outputs):
        pages = page_texts(out / output.file)
        for number, text in enumerate(pages, start=1):
            assert f"Page {number} of {len(pages)}" in text
            assert_in_order(
                text,
                [
                    "Ref EXS-FBSS-001",
                    "Version 1.0",
                    "Published 2 November 2026",
                    "Review by 2 November 2027",
                    "Approved by: Patient Information Group",
                ],
            )


@pytest.mark.pdf
def test_standard_leaflets_offer_large_print_in_16_points(built: Built) -> None:
    _, out, outputs = built
    for output in outputs:
        if output.edition.endswith("-large-print"):
            continue
        with pdfplumber.open(out / output.file) as pdf:
            words = [w for p in pdf.pages for w in p.extract_words(extra_attrs=["size"])]
        offer = [w for w in words if w["text"] == "large"]
        assert offer and all(w["size"] >= 15.95 for w in offer), (output.file, offer)


def test_overview_reads_in_order_with_the_seed_facts(built: Built) -> None:
    paper, out, _ = built
    text = " ".join(page_texts(out / f"overview-en-{paper}.pdf"))
    assert_in_order(
        text,
        [
            "Failed back surgery syndrome",
            "Also called post-laminectomy syndrome",
            "Key points",
            "What is failed back surgery syndrome?",
            "laminectomy",
            "post-laminectomy syndrome",
            "What can cause it?",
            "The main reason surgery does not help is that the true source of the pain was not found.",
            "Other causes include:",
            "Fusion did not work.",
            "A new source of pain next to the surgery.",
            "Not enough pressure taken off the nerve.",
            "Narrowing or a slipped disc comes back.",
            "Nerve damage.",
            "Scar tissue around the nerve.",
            "Another source of pain was not treated.",
            "When problems can show up",
            "In the first 3 months",
            "6 to 12 weeks after surgery",
            "3 months or longer",
            "Several months to a year",
            "Years after surgery",
            "Tests that can help find the cause",
            "EMG",
            "What can help",
            "Stretching",
            "spinal cord stimulation",
            "Words we use",
            "Book an appointment",
            "Call 555-0134",
            "example.org/book",
            "large print",
        ],
    )


@pytest.mark.parametrize(
    ("edition", "facts"),
    [
        ("failed-fusion", ["3 months or longer", "more than two parts of the spine", "vertebrae"]),
        (
            "failed-decompression",
            [
                "Numbness, tingling or weakness",
                "damaged for good",
                "In the first 3 months",
                "wrong part of the spine",
                "Years after surgery",
                "EMG",
                "stenosis",
            ],
        ),
        ("scar-tissue", ["6 to 12 weeks after surgery", "adhesion", "Stretching can help"]),
        ("rehabilitation", ["several months to a year", "complex surgery", "instead of a second surgery"]),
    ],
)
def test_cause_leaflet_carries_its_seed_facts(built: Built, edition: str, facts: list[str]) -> None:
    paper, out, _ = built
    text = page_texts(out / f"{edition}-en-{paper}.pdf")[0]
    assert_in_order(text, ["Book an appointment", "555-0134"])
    for fact in facts:
        assert fact.lower() in text.lower(), f"{edition}: {fact!r} missing"
    assert "spinal cord stimulation" in text


def test_glossary_lists_only_the_words_the_leaflet_uses(built: Built) -> None:
    paper, out, _ = built
    text = page_texts(out / f"scar-tissue-en-{paper}.pdf")[0]
    glossary = text[text.index("Words we use") : text.index("Book an appointment")]
    assert "Adhesion" in glossary and "Nerve roots" in glossary
    assert "EMG" not in glossary and "Laminectomy" not in glossary


def test_manifest_lists_every_file_with_its_hash(built: Built) -> None:
    paper, out, outputs = built
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["reference"] == "EXS-FBSS-001"
    assert manifest["content_version"] == "1.0"
    assert [f["file"] for f in manifest["files"]] == [o.file for o in outputs]
    for entry in manifest["files"]:
        data = (out / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["paper"] == paper
        assert entry["pages"] == EXPECTED_PAGES[entry["edition"]]


@pytest.mark.pdf
def test_same_inputs_give_byte_identical_pdfs(tmp_path: Path) -> None:
    first = build(CONTENT, tmp_path / "one", languages=["en"], only=["scar-tissue"])
    second = build(CONTENT, tmp_path / "two", languages=["en"], only=["scar-tissue"])
    assert first[0].sha256 == second[0].sha256
    assert (tmp_path / "one" / "manifest.json").read_bytes() == (tmp_path / "two" / "manifest.json").read_bytes()


@pytest.mark.parametrize("kept", [True, False])
def test_a_phone_number_in_a_sentence_is_kept_on_one_line(kept: bool, tmp_path: Path) -> None:
    # A 46 mm line has room for "Please call us on (555)" but not for the whole number after it.
    import pypdfium2 as pdfium

    from leaflets.content.sources import load_content
    from leaflets.render.html import palette
    from leaflets.render.pdf import PdfWriter
    from leaflets.render.wrapping import fill

    colours = "".join(f"--{name}: {value};" for name, value in palette(load_content(CONTENT), False).items())
    sentence = fill("Please call us on {phone} today.", phone="(555) 014-7720")
    body = sentence if kept else "Please call us on (555) 014-7720 today."
    html = (
        f'<html lang="en"><head><style>:root {{ {colours} }}</style></head>'
        f'<body><main><h1>Test</h1><p style="width: 46mm">{body}</p></main></body></html>'
    )
    rendered = PdfWriter().render(html, ["leaflet.css", "a4.css"], 1, "test")
    (tmp_path / "phone.pdf").write_bytes(rendered.data)
    document = pdfium.PdfDocument(tmp_path / "phone.pdf")
    try:
        lines = [" ".join(line.split()) for line in document[0].get_textpage().get_text_range().splitlines()]
    finally:
        document.close()
    assert any("(555) 014-7720" in line for line in lines) is kept, lines
