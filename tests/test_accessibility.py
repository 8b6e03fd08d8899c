"""Accessibility as the reference validator (veraPDF, PDF/UA-1) judges it, read from the structure trees.

Every built PDF is walked: lists, headings, links, figures, reading order and
metadata. The checker itself is fed broken PDFs (old template markup rendered
through WeasyPrint, trees edited with pikepdf) and must fail on each.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from leaflets.checks import conformance
from leaflets.checks.conformance import Problem, StructureTree, check_file, outline
from leaflets.checks.pages import check_accessibility
from leaflets.checks.quality import ERROR, PASS
from leaflets.cli import main
from leaflets.content import wording
from leaflets.content.editions import editions, glossary_for
from leaflets.content.sources import load_content
from leaflets.errors import BuildError
from leaflets.pipeline.plan import Output, build
from leaflets.render.pdf import PdfWriter

Built = tuple[str, Path, list[Output]]
ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content.yaml"
GHOSTSCRIPT_CMYK = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"


def rules(problems: tuple[Problem, ...] | list[Problem]) -> set[str]:
    """The ids of the rules that failed."""
    return {p.rule for p in problems}


def assert_conforms(path: Path) -> None:
    report = check_file(path)
    assert report.problems == (), f"{path.name}:\n" + "\n".join(map(str, report.problems))
    assert {"5-1", "7.1-3", "7.2-19", "7.4.2-1", "7.18.5-1", "7.21.4.1-1"} <= set(report.checked)


# --- every PDF the project makes -------------------------------------------------------------------------------


@pytest.mark.pdf
def test_every_leaflet_conforms_to_pdf_ua_1(built: Built) -> None:
    _, out, outputs = built
    assert len(outputs) == 11
    for output in outputs:
        assert_conforms(out / output.file)


@pytest.fixture(scope="module")
def print_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("a11y-print-shop")
    build(CONTENT, out, languages=["en"], only=["trifold", "scar-tissue-large-print"], print_shop=True)
    return out


@pytest.mark.pdf
def test_the_print_shop_set_is_tagged_and_conforms(print_shop: Path) -> None:
    for name in ("trifold-en-a4-print-shop.pdf", "scar-tissue-large-print-en-a4-print-shop.pdf"):
        assert_conforms(print_shop / name)
        with pikepdf.open(print_shop / name) as pdf:
            assert pdf.open_metadata().get("dc:title")


@pytest.mark.skipif(not GHOSTSCRIPT_CMYK.exists(), reason="needs Ghostscript's CMYK profile (libgs-common)")
def test_a_pdf_x4_print_shop_file_also_declares_pdf_ua(tmp_path: Path) -> None:
    build(CONTENT, tmp_path, languages=["en"], only=["scar-tissue"], print_shop=True, icc_profile=GHOSTSCRIPT_CMYK)
    path = tmp_path / "scar-tissue-en-a4-print-shop.pdf"
    assert_conforms(path)
    with pikepdf.open(path) as pdf:
        assert pdf.open_metadata().get("pdfx:GTS_PDFXVersion") == "PDF/X-4"


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Handouts for the fixture list (good rows only), as plain forms and fillable ones."""
    out = tmp_path_factory.mktemp("a11y-handouts")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for folder, extra in (("plain", []), ("fillable", ["--fillable"])):
            patients = ROOT / "tests" / "fixtures" / "patients.csv"
            main(["discharge", "--patients", str(patients), "--out", str(out / folder), "--jobs", "1", *extra])
    return out


@pytest.mark.pdf
@pytest.mark.parametrize("folder", ["plain", "fillable"])
def test_handouts_are_pdf_a_2a_and_pdf_ua_1(handouts: Path, folder: str) -> None:
    path = handouts / folder / "EXS-0001.pdf"
    assert_conforms(path)
    with pikepdf.open(path) as pdf:
        metadata = pdf.open_metadata()
        assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("2", "A")
        assert metadata.get("pdfuaid:part") == "1"
        xmp = etree.fromstring(pdf.Root.Metadata.read_bytes())
    # PDF/A allows pdfuaid only if the file describes it in an extension schema (ISO 19005-2, 6.6.2.3).
    ns = {"pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#", "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}
    schema = xmp.xpath(f"//*[pdfaSchema:namespaceURI='{PDFUA_NS}']", namespaces=ns)
    assert len(schema) == 1
    assert schema[0].xpath("string(pdfaSchema:prefix)", namespaces=ns) == "pdfuaid"
    assert schema[0].xpath("string(.//pdfaProperty:name)", namespaces=ns) == "part"


@pytest.mark.pdf
def test_a_fillable_handout_tags_its_field_under_a_form_with_a_name(handouts: Path) -> None:
    with pikepdf.open(handouts / "fillable" / "EXS-0001.pdf") as pdf:
        tree = StructureTree(pdf)
        forms = [e for e in tree.walk() if e.standard == "Form"]
        assert len(forms) == 1
        (widget,) = forms[0].objrs
        assert widget.Subtype == "/Widget"
        assert str(widget.get("/TU", "")) == wording.shipped()["en"]["your_questions"]


# --- what a screen reader meets ------------------------------------------------------------------------------


@pytest.mark.pdf
def test_headings_start_at_h1_and_never_skip_a_level(built: Built, handouts: Path) -> None:
    _, out, outputs = built
    for path in [*(out / o.file for o in outputs), handouts / "plain" / "EXS-0001.pdf"]:
        with pikepdf.open(path) as pdf:
            levels = [int(e.type[1]) for e in StructureTree(pdf).walk() if e.type in ("H1", "H2", "H3", "H4")]
        assert levels[0] == 1 and levels.count(1) == 1, path.name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (path.name, levels)


@pytest.mark.pdf
def test_lists_hold_items_and_items_hold_a_label_and_a_body(built: Built, handouts: Path) -> None:
    _, out, outputs = built
    for path in [*(out / o.file for o in outputs), handouts / "plain" / "EXS-0001.pdf"]:
        with pikepdf.open(path) as pdf:
            for element in StructureTree(pdf).walk():
                kids = [kid.type for kid in element.kids]
                if element.type == "L":
                    assert kids and set(kids) == {"LI"} and not element.mcids, (path.name, kids)
                if element.type == "LI":
                    assert kids in (["LBody"], ["Lbl", "LBody"]) and not element.mcids, (path.name, kids)


@pytest.mark.pdf
def test_the_glossary_reads_one_entry_per_word(built: Built) -> None:
    _, out, outputs = built
    content = load_content(CONTENT)
    heading = wording.shipped()[content.language]["glossary"]
    for output in outputs:
        edition = next(e for e in editions(content) if e.name == output.edition)
        words = glossary_for(content, edition)
        listing = outline(out / output.file)
        start = next(i for i, (_, kind, text) in enumerate(listing) if kind == "H2" and text == heading)
        end = next(i for i, (_, kind, _) in enumerate(listing) if i > start and kind.startswith("H"))
        lists = [count for _, kind, count in listing[start:end] if kind == "L"]
        items = [text for _, kind, text in listing[start:end] if kind == "LI"]
        assert [f"{entry.term} {entry.meaning}" for entry in words] == items, output.file
        # One list; WeasyPrint tags a list broken over two pages as two (large print), one per page.
        assert len(lists) == 1 or (output.edition.endswith("large-print") and len(lists) == 2), output.file


def test_the_booking_link_is_one_described_annotation_under_its_link(built: Built, handouts: Path) -> None:
    _, out, outputs = built
    for path in [*(out / o.file for o in outputs), handouts / "plain" / "EXS-0001.pdf"]:
        with pikepdf.open(path) as pdf:
            tree = StructureTree(pdf)
            links = [e for e in tree.walk() if e.standard == "Link"]
            annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", pikepdf.Array())]
            assert len(links) == len(annotations) == 1, path.name
            (annotation,) = annotations
            assert [o.objgen for o in links[0].objrs] == [annotation.objgen]
            assert tree.parent_tree[int(annotation.StructParent)].objgen == links[0].obj.objgen
            assert str(annotation.A.URI) == str(annotation.Contents) == "https://www.example.org/book"


def test_figures_say_what_they_show(built: Built) -> None:
    _, out, outputs = built
    for output in outputs:
        with pikepdf.open(out / output.file) as pdf:
            alts = [str(e.obj.get("/Alt", "")) for e in StructureTree(pdf).walk() if e.standard == "Figure"]
        assert alts == ["Exampleton Spine & Pain Clinic logo", "QR code that opens https://www.example.org/book"]


def test_document_language_title_and_identification(built: Built) -> None:
    _, out, outputs = built
    for output in outputs:
        with pikepdf.open(out / output.file) as pdf:
            metadata = pdf.open_metadata()
            assert str(pdf.Root.Lang) == "en"
            assert metadata.get("pdfuaid:part") == "1"
            assert metadata.get("dc:title") == str(pdf.docinfo.Title)
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
            assert pdf.Root.MarkInfo.Marked is True


def test_the_trifold_reads_cover_inside_then_back(built: Built) -> None:
    paper, out, _ = built
    listing = outline(out / f"trifold-en-{paper}.pdf")
    headings = [text for _, kind, text in listing if kind in ("H1", "H2")]
    assert headings == [
        "Failed back surgery syndrome",  # front cover
        "Key points",  # inside flap, seen on opening the cover
        "What is failed back surgery syndrome?",
        "What can cause it?",  # inside, one flow across its three panels, left to right
        "When problems can show up",  # what trifold.carries names, then the other leaflets
        "What can help",
        "Ask us for our one-page leaflets",
        "Treatment",
        "Words we use",
        "Book an appointment",  # back
    ]
    assert listing[0] == (0, "Figure", "Exampleton Spine & Pain Clinic logo")
    with pikepdf.open(out / f"trifold-en-{paper}.pdf") as pdf:
        (document,) = StructureTree(pdf).elements
        # Cover and flap stay in the outside sheet's Div, the inside (one flow) in its own, the back comes last.
        assert [e.type for e in document.kids] == ["Div", "Div", "Sect"]
        panels = [panel for top in document.kids for panel in (top.kids if top.type == "Div" else [top])]
        assert [p.page for p in panels] == [1, 1, 2, 1]
        assert all(p.parent is not None and p.obj.P.objgen == p.parent.obj.objgen for p in panels)


# --- the checker fails what veraPDF fails ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def writer() -> PdfWriter:
    return PdfWriter()


def render(writer: PdfWriter, body: str, tmp_path: Path, name: str = "t.pdf") -> Path:
    """A one-page tagged PDF/UA-1 of `body`, made as the leaflets are (same writer and finisher)."""
    html = f"<html lang='en'><head><title>Test</title></head><body><h1>Test</h1>{body}</body></html>"
    path = tmp_path / name
    path.write_bytes(writer.render(html, ["a4.css"], 1, "t").data)
    return path


def test_the_old_booking_link_markup_fails(writer: PdfWriter, tmp_path: Path) -> None:
    good = render(writer, "<p><strong><a href='https://example.org/'>example.org</a></strong></p>", tmp_path)
    assert check_file(good).problems == ()
    old = render(writer, "<p><a href='https://example.org/'><strong>example.org</strong></a></p>", tmp_path, "o.pdf")
    (problem,) = check_file(old).problems
    assert problem == Problem(
        "7.18.5-1",
        1,
        "the link to 'https://example.org/' is tagged under Document > P > Link > NonStruct, "
        "not under a Link through an OBJR",
    )


def test_the_old_glossary_markup_fails(writer: PdfWriter, tmp_path: Path) -> None:
    meaning = "A long meaning that runs over more than one line of the page, " * 3
    old = f"<dl><div class='entry'><dt>Word</dt> <dd>{meaning}</dd></div></dl>"
    report = check_file(render(writer, f"<section class='glossary'>{old}</section>", tmp_path))
    assert rules(report.problems) == {"7.2-19", "7.2-17"}
    assert str(report.problems[0]) == (
        "7.2-19 (page 1): a list (L) holds Div, not only list items (Document > Sect > L)"
    )
    new = f"<ul class='terms'><li class='entry'><strong>Word</strong> <span>{meaning}</span></li></ul>"
    assert check_file(render(writer, f"<section class='glossary'>{new}</section>", tmp_path, "n.pdf")).passed


def test_headings_that_skip_or_start_low_fail(writer: PdfWriter, tmp_path: Path) -> None:
    skipped = check_file(render(writer, "<h3>Too deep</h3>", tmp_path))
    assert [str(p) for p in skipped.problems] == ["7.4.2-1 (page 1): H3 follows H1: a level is skipped"]
    html = "<html lang='en'><head><title>T</title></head><body><h2>First</h2><h1>Then</h1></body></html>"
    path = tmp_path / "low.pdf"
    path.write_bytes(writer.render(html, ["a4.css"], 1, "t").data)
    assert [str(p) for p in check_file(path).problems] == ["7.4.2-1 (page 1): the first heading is H2, not H1"]


def test_an_untagged_pdf_fails_on_every_count(writer: PdfWriter, tmp_path: Path) -> None:
    import weasyprint

    path = tmp_path / "untagged.pdf"
    weasyprint.HTML(string="<p>No tags, no title, no language</p>").write_pdf(path)
    assert {"7.1-3", "7.1-8", "7.1-10", "7.1-11", "7.1:marked", "7.2-34"} <= rules(check_file(path).problems)


def edited(path: Path, change: Callable[[pikepdf.Pdf], object], folder: Path) -> Path:
    """A copy of `path` in `folder` with `change(pdf)` applied through pikepdf."""
    target = folder / f"edited-{path.name}"
    with pikepdf.open(path) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def first(pdf: pikepdf.Pdf, kind: str) -> pikepdf.Object:
    return next(e.obj for e in StructureTree(pdf).walk() if e.type == kind)


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("7.3-1", lambda pdf: first(pdf, "Figure").__delitem__("/Alt")),
        ("7.2-29", lambda pdf: setattr(first(pdf, "P"), "Lang", pikepdf.String("en_GB!"))),
        ("7.2-34", lambda pdf: pdf.Root.__delitem__("/Lang")),
        ("7.2-33", lambda pdf: pdf.Root.__delitem__("/Lang")),
        ("7.2-2", lambda pdf: pdf.Root.__delitem__("/Lang")),
        ("7.1:info-title", lambda pdf: pdf.trailer.Info.__delitem__("/Title")),
        ("7.1-10", lambda pdf: setattr(pdf.Root.ViewerPreferences, "DisplayDocTitle", False)),
        ("7.1:marked", lambda pdf: pdf.Root.__delitem__("/MarkInfo")),
        ("7.1-12", lambda pdf: first(pdf, "H1").__delitem__("/P")),
        ("7.1-5", lambda pdf: setattr(first(pdf, "P"), "S", pikepdf.Name("/Paragraph"))),
        ("7.2-20", lambda pdf: setattr(first(pdf, "LBody"), "S", pikepdf.Name("/P"))),
        ("7.18.5-1", lambda pdf: setattr(first(pdf, "Link"), "S", pikepdf.Name("/Span"))),
        ("7.18.5-2", lambda pdf: pdf.pages[0].Annots[0].__delitem__("/Contents")),
        ("7.18.3-1", lambda pdf: pdf.pages[0].obj.__delitem__("/Tabs")),
        ("7.4:empty", lambda pdf: setattr(first(pdf, "H1"), "K", pikepdf.Array())),
        ("7.21.4.1-1", lambda pdf: _unembed(pdf)),
        ("5-1", lambda pdf: _without_pdfua(pdf)),
    ],
)
def test_a_broken_tree_fails_its_rule(
    writer: PdfWriter, tmp_path: Path, rule: str, change: Callable[[pikepdf.Pdf], object]
) -> None:
    body = (
        "<p>Text <img src='../assets/logo.svg' alt='Logo' width=20></p>"
        "<ul><li>One</li></ul><p><a href='https://example.org/'>example.org</a></p>"
    )
    writer_with_logo = PdfWriter(assets=[ROOT / "assets"])
    path = render(writer_with_logo, body, tmp_path)
    assert check_file(path).passed
    assert rule in rules(check_file(edited(path, change, tmp_path)).problems)


def _unembed(pdf: pikepdf.Pdf) -> None:
    for font in pdf.pages[0].Resources.Font.values():
        descriptor = font.DescendantFonts[0].FontDescriptor
        for key in ("/FontFile2", "/FontFile3"):
            if key in descriptor:
                del descriptor[key]


def _without_pdfua(pdf: pikepdf.Pdf) -> None:
    xmp = pdf.Root.Metadata.read_bytes().replace(b'pdfuaid:part="1"', b"")
    pdf.Root.Metadata = pdf.make_stream(xmp, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)


def test_table_headers_must_be_determinable(writer: PdfWriter, tmp_path: Path) -> None:
    table = "<table><tr><th>When</th><th>What</th></tr><tr><td>Week 1</td><td>Rest</td></tr></table>"
    path = render(writer, table, tmp_path)
    assert check_file(path).passed  # WeasyPrint names each cell's headers

    def forget_headers(pdf: pikepdf.Pdf) -> None:
        for element in StructureTree(pdf).walk():
            if element.type == "TD":
                del element.obj.A["/Headers"]

    (problem,) = check_file(edited(path, forget_headers, tmp_path)).problems
    assert str(problem) == (
        "7.5-1 (page 1): a TH has no Scope and the table's cells do not name their headers (2 times)"
    )


def test_text_in_another_language_must_say_so(writer: PdfWriter, tmp_path: Path) -> None:
    # WeasyPrint 70 drops an element's lang: the check is there so that a template never relies on it.
    path = render(writer, "<p lang='es'>Hablamos español.</p>", tmp_path)
    report = check_file(path, {"Hablamos español.": "es"})
    assert [str(p) for p in report.problems] == [
        "7.2:parts (document): 'Hablamos español.' is in es but no element around it says so (Lang)"
    ]
    assert check_file(path, {"Test": "en"}).passed


# --- the reading order, and the gate --------------------------------------------------------------------------


def test_panels_without_a_reading_position_stop_the_build(writer: PdfWriter) -> None:
    html = (
        "<html lang='en'><head><title>T</title></head><body><h1>T</h1><div class='sheet'>"
        "<section data-reading-order='2'><p>B</p></section><section><p>A</p></section></div></body></html>"
    )
    with pytest.raises(BuildError, match="every panel on a sheet needs a data-reading-order"):
        writer.render(html, ["a4.css"], 1, "t")


def test_the_gate_lists_every_rule_it_checked(built: Built, tmp_path: Path) -> None:
    _, out, _ = built
    path = out / f"scar-tissue-en-{built[0]}.pdf"
    (finding,) = check_accessibility(path, "scar-tissue")
    assert (finding.level, finding.figure) == (PASS, "pass")
    ran = [*conformance.RULES, "7.1:marked", "7.1:info-title", "7.4:empty"]
    assert finding.message == f"PDF/UA-1: no problems; {len(ran)} rules checked ({', '.join(ran)})"
    assert f"{len(ran)} rules checked (5-1, 5-2, 7.1-1, 7.1-2, 7.1-3," in finding.message

    broken = edited(path, lambda pdf: pdf.Root.__delitem__("/Lang"), tmp_path)
    found = check_accessibility(broken, "x")
    messages = [f.message for f in found]
    assert {f.level for f in found} == {ERROR}
    assert messages == [str(problem) for problem in check_file(broken).problems]
    assert "7.2-34 (document): the document's language is not set (no Lang in the catalog)" in messages


def test_every_rule_the_pdfua_package_checked_has_its_equal_here() -> None:
    """The table in the package's docstring names, for each rule of pdfua 0.1.3, the rules that check it here."""
    table = conformance.__doc__.split("UA-01-005", 1)[1]
    named = set(re.findall(r"\b\d(?:\.\d+)*(?:-\d+|:[a-z-]+)\b", table))
    assert len(re.findall(r"^UA-\d\d-\d{3}", "UA-01-005" + table, re.M)) == 12
    assert named and named <= {*conformance.RULES, *conformance.EXTRA_RULES}
