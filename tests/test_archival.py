"""Discharge handouts are PDF/A-2a (and PDF/UA-1) with a bitmap logo and a fillable form, as veraPDF judges them.

WeasyPrint 70 marks a PNG for smoothing (PDF/A-2 6.2.8-3), leaves a text field
undrawn and asks viewers to draw it (6.3.3-1, 6.4.1-3), and, for a font a form
field uses, loses the text of glyphs such as the "ft" ligature (6.2.11.7.2-1,
PDF/UA-1 7.21.7-1). leaflets/render/conformance.py puts each right; the checker
(leaflets/checks/conformance/) is fed the handout with each fix undone and must
fail on each.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageDraw

from leaflets.checks import conformance
from leaflets.checks.conformance import glyphs
from leaflets.cli import main
from leaflets.discharge.handouts import check_conformance
from leaflets.errors import BuildError
from tests.conftest import CONTENT, ROOT, TRANSLATIONS
from tests.pdfread import page_texts

#: A phrase of EXS-0001's handout, in the regular face (the form field's), whose "ft" is one ligature glyph.
LIGATURE_PHRASE = "Keep up your rehab after surgery."


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """EXS-0001's fillable handout, for a clinic whose logo is a PNG (made here with Pillow)."""
    folder = tmp_path_factory.mktemp("clinic")
    (folder / "assets").mkdir()
    logo = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(logo).ellipse((10, 10, 110, 110), fill=(11, 110, 79))
    logo.save(folder / "assets" / "logo.png")
    text = CONTENT.read_text(encoding="utf-8").replace(TRANSLATIONS, "", 1)
    assert "logo: assets/logo.svg" in text, "test fixture out of date: content.yaml's logo"
    (folder / "content.yaml").write_text(text.replace("logo: assets/logo.svg", "logo: assets/logo.png"))
    shutil.copy(ROOT / "medical_terms.txt", folder / "medical_terms.txt")
    rows = (ROOT / "tests" / "fixtures" / "patients.csv").read_text().splitlines(keepends=True)
    (folder / "one.csv").write_text(rows[0] + rows[1])
    out = folder / "out"
    arguments = ["--patients", str(folder / "one.csv"), "--content", str(folder / "content.yaml"), "--out", str(out)]
    assert main(["discharge", *arguments, "--jobs", "1", "--fillable"]) == 0
    return out / "EXS-0001.pdf"


@pytest.mark.pdf
def test_png_logo_and_form_field_meet_pdf_a_2(handout: Path) -> None:
    report = conformance.check_file(handout)
    assert report.problems == (), "\n".join(map(str, report.problems))
    assert {*conformance.PDFA_RULES, "7.21.7-1"} <= set(report.checked)
    with pikepdf.open(handout) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert [int(image.Width) for image in images] == [120]  # the logo, drawn as a bitmap
        assert all(image.get("/Interpolate") is False for image in images)
        (field,) = pdf.Root.AcroForm.Fields
        assert "/NeedAppearances" not in pdf.Root.AcroForm
        appearance = field.AP.N
        assert appearance.read_bytes().split() == [b"/Tx", b"BMC", b"EMC"]
        left, bottom, right, top = (float(v) for v in field.Rect)
        assert [float(v) for v in appearance.BBox] == pytest.approx([0, 0, abs(right - left), abs(top - bottom)])


def test_a_ligature_reads_back_as_its_letters(handout: Path) -> None:
    assert LIGATURE_PHRASE in " ".join(page_texts(handout))  # PDFium; without the fix it reads "aȅer"
    with pdfplumber.open(handout) as pdf:
        assert LIGATURE_PHRASE in " ".join(page.extract_text() for page in pdf.pages)
    assert ligature_code(handout) is not None  # the phrase was drawn with the ligature, not with f and t


def ligature_code(path: Path) -> int | None:
    """The code of the regular text font that its ToUnicode map gives as "ft", if it draws one."""
    with pikepdf.open(path) as pdf:
        for drawn in glyphs.drawn_fonts(conformance.Document(pdf)):
            mapping = glyphs.unicode_map(drawn.font) or {}
            codes = [code for code in drawn.codes if mapping.get(code) == "ft"]
            if drawn.name == "Source-Sans-Pro" and codes:
                return codes[0]
    return None


def interpolate(pdf: pikepdf.Pdf) -> None:
    for image in pdf.objects:
        if isinstance(image, pikepdf.Stream) and image.get("/Subtype") == "/Image":
            image.Interpolate = True


def need_appearances(pdf: pikepdf.Pdf) -> None:
    pdf.Root.AcroForm.NeedAppearances = True


def no_appearance(pdf: pikepdf.Pdf) -> None:
    del pdf.Root.AcroForm.Fields[0].AP


def ligature_text(text: str | None) -> Callable[[pikepdf.Pdf], None]:
    """Give the "ft" ligature `text` in the ToUnicode map (as hex UTF-16), or remove its entry (None)."""

    def change(pdf: pikepdf.Pdf) -> None:
        font = next(f for f in pdf.pages[0].Resources.Font.values() if str(f.BaseFont).endswith("+Source-Sans-Pro"))
        cmap = font.ToUnicode.read_bytes()
        assert cmap.count(b"<00660074>") == 1
        font.ToUnicode.write(_drop(cmap) if text is None else cmap.replace(b"<00660074>", f"<{text}>".encode()))

    return change


def _drop(cmap: bytes) -> bytes:
    """The CMap without its "ft" entry (its block's count one less)."""
    lines = cmap.split(b"\n")
    index = next(i for i, line in enumerate(lines) if line.endswith(b"<00660074>"))
    start = max(i for i in range(index) if lines[i].endswith(b"beginbfchar"))
    count = int(lines[start].split()[0])
    lines[start] = f"{count - 1} beginbfchar".encode()
    return b"\n".join(lines[:index] + lines[index + 1 :])


GLYPH_LOST = (
    "7.21.7-1 (page 1): the font Source-Sans-Pro draws 1 glyph(s) with no Unicode text (ToUnicode; PDF/A-2 "
    "6.2.11.7.2-1): screen readers skip them, and copied or searched text loses those letters; if the font is one "
    "the content names in `fonts:`, try another font file; otherwise this is a fault in the leaflet generator, not "
    "in the content: report it"
)
BROKEN = {
    "smoothed logo": (
        interpolate,
        "6.2.8-3 (page 1): an image of 120 x 120 pixels (a logo?) is marked for smoothing (Interpolate true), "
        "which PDF/A-2 forbids: archives may refuse the file; a fault in the leaflet generator, not in the content: "
        "report it",
    ),
    "viewers asked to draw the form": (
        need_appearances,
        "6.4.1-3 (document): the form asks each viewer to draw its fields (NeedAppearances true), which PDF/A-2 "
        "forbids: archives may show them differently or refuse the file; a fault in the leaflet generator, not in "
        "the content: report it",
    ),
    "undrawn form field": (
        no_appearance,
        "6.3.3-1 (page 2): the form field 'Your questions for your next appointment' has no appearance of its own "
        "(AP with N): PDF/A-2 needs it drawn in the file, so that every viewer and archive shows it the same; a "
        "fault in the leaflet generator, not in the content: report it",
    ),
    "ligature with no entry": (ligature_text(None), GLYPH_LOST),
    "ligature with empty text": (ligature_text(""), GLYPH_LOST),
    "ligature as U+0000": (ligature_text("0000"), GLYPH_LOST),
    "ligature as a byte-order mark": (ligature_text("0066feff"), GLYPH_LOST),
}


@pytest.mark.parametrize("broken", BROKEN.values(), ids=BROKEN.keys())
def test_the_checker_fails_on_each_rule_undone(
    handout: Path, tmp_path: Path, broken: tuple[Callable[[pikepdf.Pdf], None], str]
) -> None:
    change, message = broken
    target = tmp_path / "broken.pdf"
    with pikepdf.open(handout) as pdf:
        change(pdf)
        pdf.save(target)
    assert [str(problem) for problem in conformance.check_file(target).problems] == [message]


def test_a_broken_handout_is_stopped_before_it_is_written(handout: Path, tmp_path: Path) -> None:
    target = tmp_path / "broken.pdf"
    with pikepdf.open(handout) as pdf:
        interpolate(pdf)
        need_appearances(pdf)
        pdf.save(target)
    check_conformance(handout.read_bytes())
    with pytest.raises(BuildError) as stopped:
        check_conformance(target.read_bytes())
    assert str(stopped.value).startswith("it would not be PDF/A-2a and PDF/UA-1: 6.4.1-3 (document): the form asks")
    assert str(stopped.value).endswith("report it (and 1 more)")


def test_unicode_maps_are_read_as_pdf_readers_read_them() -> None:
    """bfchar pairs, bfrange with a counting text or a list of texts, and text that is no text."""
    cmap = b"""begincmap 1 begincodespacerange <0000> <ffff> endcodespacerange
    3 beginbfchar <0001> <0041> <0002> <00660074> <0003> <> endbfchar
    2 beginbfrange <0010> <0012> <0061> <0020> <0021> [<0078> <feff>] endbfrange endcmap"""
    with pikepdf.new() as pdf:
        font = pikepdf.Dictionary(Type=pikepdf.Name.Font, ToUnicode=pikepdf.Stream(pdf, cmap))
        mapping = glyphs.unicode_map(font)
        assert glyphs.unicode_map(pikepdf.Dictionary(Type=pikepdf.Name.Font)) is None
    assert mapping == {1: "A", 2: "ft", 3: "", 0x10: "a", 0x11: "b", 0x12: "c", 0x20: "x", 0x21: "\ufeff"}
    assert [code for code, text in mapping.items() if not glyphs.readable(text)] == [3, 0x21]
