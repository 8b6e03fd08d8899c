"""The quality gate: each check with a passing and a failing case, messages word for word."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
import weasyprint

from leaflets.checks.pages import check_accessibility, check_layout, check_type_size, contrast
from leaflets.checks.quality import ERROR, PASS, WARNING, Finding, check_actionability
from leaflets.checks.readability import measure, syllables
from leaflets.cli import main
from leaflets.content.sources import load_content
from leaflets.errors import QualityError
from leaflets.pipeline.plan import Gate, Output, build
from leaflets.render.pdf import PdfWriter
from tests.conftest import CONTENT
from tests.pdfread import page_texts

MakeContent = Callable[..., Path]
Built = tuple[str, Path, list[Output]]
PUBLISHED = datetime.date(2026, 11, 2)
REVIEW_BY = datetime.date(2027, 11, 2)


def gate_error(content: Path, tmp_path: Path, only: str, **gate: object) -> str:
    with pytest.raises(QualityError) as caught:
        build(content, tmp_path / "out", only=[only], gate=Gate(**gate), languages=["en"])  # type: ignore[arg-type]
    assert not list((tmp_path / "out").glob("*.pdf")), "a leaflet that fails the gate is not written"
    return str(caught.value)


# --- reading level ---------------------------------------------------------------------------


def test_grades_match_a_hand_computed_example() -> None:
    # 'Rehabilitation is important. The cat sat on the mat.'
    #   2 sentences, 9 words; syllables 5+1+3 + 6 = 15; 2 words of 3+ syllables.
    #   FK   = 0.39 * 9/2 + 11.8 * 15/9 - 15.59 = 1.755 + 19.6667 - 15.59 = 5.8317
    #   SMOG = 1.0430 * sqrt(2 * 30 / 2) + 3.1291 = 1.0430 * 5.4772 + 3.1291 = 8.8418
    assert [syllables(w) for w in ("Rehabilitation", "is", "important", "3", "self-care")] == [5, 1, 3, 1, 2]
    result = measure(["Rehabilitation is important. The cat sat on the mat."])
    assert (result.sentences, result.words, result.syllables, result.polysyllables) == (2, 9, 15, 2)
    assert result.flesch_kincaid == pytest.approx(5.8317, abs=0.001)
    assert result.smog == pytest.approx(8.8418, abs=0.001)


@pytest.mark.pdf
def test_hard_text_is_a_warning_naming_the_sentence_to_rewrite(content_copy: MakeContent, tmp_path: Path) -> None:
    hard = (
        "Postoperative rehabilitation interventions necessitate individualised multidisciplinary "
        "physiotherapeutic prescription considering comorbidities."
    )
    content = content_copy(("          - If rehab is not done well, pain can go on.", f"          - {hard}"))
    findings: list[Finding] = []
    build(content, tmp_path / "first", only=["rehabilitation"], findings=findings)
    warning = next(f for f in findings if f.check == "reading level" and f.level == WARNING)
    assert warning.message.startswith("grade ")
    assert "is above the target 8 (NIH: below grade 8; AMA: grade 4-6); rewrite first: " in warning.message
    assert f'"{hard}"' in warning.message
    message = gate_error(content, tmp_path, "rehabilitation", strict=True)
    assert message.startswith(
        "the quality gate stopped the build, 2 problems:\n  reading level (rehabilitation-en): grade "
    )
    # The same words are uncommon (word frequency) and explained nowhere: a second warning.
    assert "plain words (rehabilitation-en): uncommon words no glossary entry explains" in message
    assert "physiotherapeutic, comorbidities" in message


@pytest.mark.pdf
def test_target_comes_from_the_content(content_copy: MakeContent, tmp_path: Path) -> None:
    content = content_copy(("quality:\n", "quality:\n  max_grade: 4\n"))
    findings: list[Finding] = []
    build(content, tmp_path / "out", only=["scar-tissue"], findings=findings)
    assert [f.level for f in findings if f.check == "reading level"] == [WARNING]


# --- plain words -------------------------------------------------------------------------------


def test_a_medical_word_missing_from_the_glossary_is_an_error(content_copy: MakeContent, tmp_path: Path) -> None:
    content = content_copy(
        (
            "  - term: Stenosis\n    meaning: When the spinal canal gets narrow and squeezes the nerves.\n"
            "    also: [narrow]\n",
            "",
        ),
    )
    message = gate_error(content, tmp_path, "failed-decompression")
    assert message == (
        "the quality gate stopped the build, 1 problem:\n"
        "  plain words (failed-decompression-en): uses 'stenosis' (medical_terms.txt) but the glossary does not "
        "explain it (PEMAT: define medical terms)"
    )


@pytest.mark.pdf
def test_an_unused_glossary_entry_is_a_warning(content_copy: MakeContent, tmp_path: Path) -> None:
    content = content_copy(("glossary:\n", "glossary:\n  - term: Lesion\n    meaning: A problem area.\n"))
    findings: list[Finding] = []
    build(content, tmp_path / "out", only=["scar-tissue"], findings=findings)
    assert Finding("plain words", WARNING, "all", "glossary entry 'Lesion' is not used by any leaflet") in findings


@pytest.mark.pdf
def test_every_medical_word_in_the_shipped_leaflets_is_explained(tmp_path: Path) -> None:
    findings: list[Finding] = []
    build(CONTENT, tmp_path, languages=["en"], only=["failed-decompression"], findings=findings)
    (words,) = [f for f in findings if f.check == "plain words"]
    assert words == Finding(
        "plain words",
        PASS,
        "failed-decompression-en",
        "6 glossary entries printed; checked 15 listed terms (medical_terms.txt) and every word against wordfreq "
        "(en, Zipf 3): 4 uncommon, all explained",
        "6 explained",
    )


# --- actionability ------------------------------------------------------------------------------


def test_actionability_items(tmp_path: Path) -> None:
    from tests.conftest import CONTENT as path

    content = load_content(path)
    good = check_actionability(content, "x", [("Key points", ["Call us if you need help."])])
    assert [f.level for f in good] == [PASS]
    bad = check_actionability(content, "x", [("", ["Pain can go on."])])
    assert bad == [
        Finding(
            "actionability",
            WARNING,
            "x",
            "missing (AHRQ PEMAT): an action addressed to the reader ('you'); a heading on every section",
        )
    ]


# --- contrast and images --------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#1b4965", "#ffffff") == pytest.approx(9.60, abs=0.01)


@pytest.mark.pdf
def test_a_pale_brand_colour_fails_with_the_pair_and_ratio(content_copy: MakeContent, tmp_path: Path) -> None:
    content = content_copy(('    primary: "#1b4965"', '    primary: "#7fb3d5"'))
    message = gate_error(content, tmp_path, "scar-tissue")
    assert message.startswith("the quality gate stopped the build, 5 problems:\n")
    assert (
        "  contrast (scar-tissue-en): paper colour #ffffff on brand.colours.primary #7fb3d5 is 2.3:1, "
        "needs 4.5:1 (WCAG AA), e.g. 'Exampleton Spine & Pain Clinic'"
    ) in message.splitlines()


def test_images_need_alt_text() -> None:
    logo = (CONTENT.parent / "assets" / "logo.svg").as_uri()
    html = f"<html lang='en'><body><p>Words</p><img src='{logo}'></body></html>"
    writer = PdfWriter(assets=[CONTENT.parent / "assets"])
    document = weasyprint.HTML(string=html, base_url=writer.base_url, url_fetcher=writer.fetcher).render(
        font_config=writer.font_config
    )
    findings = check_layout(document, "x", {})
    assert Finding("images", ERROR, "x", f"image {logo[:60]!r} has no alt text") in findings


# --- type size and PDF/UA, read from PDFs ----------------------------------------------------------


def test_type_size_is_read_from_the_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "small.pdf"
    html = (
        "<html lang='en'><head><title>t</title></head><body>"
        "<p style='font-size: 12pt'>Big enough</p><p style='font-size: 10pt'>Too small</p></body></html>"
    )
    writer = PdfWriter()
    pdf.write_bytes(writer.render(html, ["a4.css"], 1, "t").data)
    (finding,) = check_type_size(pdf, "x", "standard", [0.0])
    assert finding == Finding(
        "type size", ERROR, "x", "smallest text 10 pt (page 1, 'Too small') is below 12 pt (RNIB Clear Print)"
    )
    (finding,) = check_type_size(pdf, "x", "standard", [pdf_height_pt(pdf) - 90])
    assert finding.level == PASS


def pdf_height_pt(path: Path) -> float:
    with pikepdf.open(path) as pdf:
        return float(pdf.pages[0].MediaBox[3])


def test_an_untagged_pdf_fails_the_accessibility_check(tmp_path: Path) -> None:
    pdf = tmp_path / "untagged.pdf"
    weasyprint.HTML(string="<p>No tags, no title, no language</p>").write_pdf(pdf)
    findings = check_accessibility(pdf, "x")
    untagged = "7.1-11 (document): the catalog has no StructTreeRoot: the PDF is not tagged"
    assert Finding("pdf/ua", ERROR, "x", untagged) in findings
    assert all(f.level in (ERROR, WARNING) for f in findings)


# --- review date ------------------------------------------------------------------------------------


def test_past_the_review_date_the_build_stops(tmp_path: Path) -> None:
    message = gate_error(CONTENT, tmp_path, "scar-tissue", today=REVIEW_BY + datetime.timedelta(days=1))
    assert message == (
        "the quality gate stopped the build, 1 problem:\n"
        "  review date (all): EXS-FBSS-001 version 1.0 was due for review on 2027-11-02: review the content and "
        "update governance.review_by, or build with --allow-expired to print copies marked as past review"
    )


@pytest.mark.pdf
def test_allow_expired_marks_every_page(tmp_path: Path) -> None:
    late = REVIEW_BY + datetime.timedelta(days=1)
    outputs = build(
        CONTENT, tmp_path, languages=["en"], only=["overview", "trifold"], gate=Gate(allow_expired=True, today=late)
    )
    mark = "Past review date: this leaflet was due for review on 2 November 2027"
    for output in outputs:
        pages = page_texts(tmp_path / output.file)
        assert len(pages) == 2
        assert all(mark in text for text in pages), output.file


@pytest.mark.pdf
def test_near_the_review_date_is_a_warning(tmp_path: Path) -> None:
    findings: list[Finding] = []
    build(
        CONTENT,
        tmp_path,
        only=["scar-tissue"],
        gate=Gate(today=REVIEW_BY - datetime.timedelta(days=30)),
        findings=findings,
    )
    assert (
        Finding("review date", WARNING, "all", "EXS-FBSS-001 version 1.0 is due for review on 2027-11-02, in 30 days")
        in findings
    )


# --- the gate from the command line -------------------------------------------------------------------


@pytest.mark.pdf
def test_shipped_content_passes_strict_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--strict", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\nerrors (warnings count as errors with --strict): none\n" in out
    assert list(tmp_path.glob("*.pdf")) == [], "--check writes no PDF"
    records = json.loads((tmp_path / "quality.json").read_text())
    assert {r["check"] for r in records} == {
        "review date",
        "reading level",
        "plain words",
        "actionability",
        "contrast",
        "type size",
        "pdf/ua",
    }
    assert all(r["level"] == PASS for r in records)


@pytest.mark.pdf
def test_strict_turns_a_warning_into_a_failure(
    content_copy: MakeContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = content_copy(("glossary:\n", "glossary:\n  - term: Lesion\n    meaning: A problem area.\n"))
    args = ["--content", str(content), "--out", str(tmp_path / "out"), "--only", "scar-tissue"]
    assert main(args) == 0
    assert "\nwarnings: 1\n  plain words (all): glossary entry 'Lesion' is not used by any leaflet\nerrors: none\n" in (
        capsys.readouterr().out
    )
    assert main([*args, "--strict"]) == 1
    out, err = capsys.readouterr()
    # The report and the error agree: under --strict the warning is one of the errors that stopped the build.
    assert out.endswith(
        "\nerrors (warnings count as errors with --strict): 1\n"
        "  plain words (all): warning: glossary entry 'Lesion' is not used by any leaflet\n"
    )
    assert err == (
        "Error: the quality gate stopped the build, 1 problem:\n"
        "  plain words (all): glossary entry 'Lesion' is not used by any leaflet\n"
    )


#: The type-size findings on the shipped A4 leaflets as pdfplumber measured them (before PDFium): the same words.
SHIPPED_TYPE_SIZES = {
    "overview": "smallest text 12 pt (page 1, '-laminectomy syndrome.'); footer 9 pt",
    "trifold": "smallest text 12 pt (page 1, ', it is called post-laminectomy syndrome')",
    "failed-fusion": "smallest text 12 pt (page 1, ', a new problem or a new source of pain'); footer 9 pt",
    "failed-decompression": "smallest text 12 pt (page 1, '(herniation) bulges out.'); footer 9 pt",
    "scar-tissue": "smallest text 12 pt (page 1, '. Doctors call this adhesion. It can cau'); footer 9 pt",
    "rehabilitation": "smallest text 12 pt (page 1, '. It is an important part of healing.'); footer 9 pt",
    "overview-large-print": "smallest text 18 pt (page 1, ', it is called post-'); footer 12 pt",
    "failed-fusion-large-print": "smallest text 18 pt (page 1, ', because the spine then moves i'); footer 12 pt",
    "failed-decompression-large-print": "smallest text 18 pt (page 1, ', or comes back, there can be a'); footer 12 pt",
    "scar-tissue-large-print": "smallest text 18 pt (page 1, ', scar tissue usually forms as par'); footer 12 pt",
    "rehabilitation-large-print": "smallest text 18 pt (page 1, ', pain can go on.'); footer 12 pt",
}


def test_the_type_size_findings_on_the_shipped_leaflets_are_unchanged(built: Built) -> None:
    paper, _, outputs = built
    if paper != "a4":
        pytest.skip("the recorded findings are those of the A4 set")
    found = {o.edition: c["message"] for o in outputs for c in o.checks if c["check"] == "type size"}
    assert found == SHIPPED_TYPE_SIZES


@pytest.mark.pdf
def test_pdfium_reads_the_characters_pdfplumber_reads(built: Built) -> None:
    import pdfplumber

    from leaflets.checks.pages import read_pages

    _, out, outputs = built
    for output in outputs:
        with pdfplumber.open(out / output.file) as pdf:
            # pdfplumber gives a ligature ('fi') one character, PDFium one per letter, at the same place
            expected = [
                [(letter, c["size"], c["top"], c["x0"]) for c in page.chars for letter in c["text"]]
                for page in pdf.pages
            ]
        pages = read_pages(out / output.file)
        assert [[g.text for g in p.glyphs] for p in pages] == [[c[0] for c in p] for p in expected]
        for page, chars in zip(pages, expected, strict=True):
            for glyph, (_, size, top, x0) in zip(page.glyphs, chars, strict=True):
                assert (glyph.size, glyph.top, glyph.x0) == pytest.approx((size, top, x0), abs=0.01)
