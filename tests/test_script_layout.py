"""Pages in other scripts: Arabic laid out right to left, Chinese broken into lines by its own rules, and large
print whatever the font's height.

Built in full here from tests/fixtures/ar and tests/fixtures/zh (the shipped content in Arabic and in Simplified
Chinese, each with its own wording), every edition on A4 and discharge handouts for patients whose names are
in those scripts. The fonts are Debian's (fonts-noto-core, fonts-noto-cjk; .ci/run installs them), copied or
taken out of their collection into the test's own folder: the tests that need them say so and are skipped
where they are missing. tests/fixtures/pt (Brazilian Portuguese, left to right) builds beside them.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest
import regex
import yaml

from leaflets.cli import main
from leaflets.content import wording
from leaflets.content.editions import Edition
from leaflets.pipeline.plan import Output, build
from leaflets.render.bidi import direction_of, isolate_runs
from leaflets.render.wrapping import IDEOGRAPHS, SEGMENTERS, WORD_JOINER
from tests.conftest import ROOT
from tests.pdfread import MM_PER_POINT

pytestmark = pytest.mark.pdf  # every test here makes PDFs (pytest -m 'not pdf' leaves them out)

FIXTURES = ROOT / "tests" / "fixtures"
NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
ARABIC_FONTS = [NOTO / "NotoSansArabic-Regular.ttf", NOTO / "NotoSansArabic-Bold.ttf"]
CJK_COLLECTIONS = [NOTO_CJK / "NotoSansCJK-Regular.ttc", NOTO_CJK / "NotoSansCJK-Bold.ttc"]
A4_WIDTH_MM = 210.0
#: The standard pages' side margin and the masthead's padding (leaflet.css).
SIDE_MM, MASTHEAD_MM = 9.0, 6.0
#: What a line never starts with (UAX #14 classes CL, CP, EX, IS, NS: closing brackets and punctuation, full-width
#: or not), and never ends with (class OP: opening brackets).
NEVER_FIRST = regex.compile(r"[\p{Line_Break=CL}\p{Line_Break=CP}\p{Line_Break=EX}\p{Line_Break=IS}\p{Line_Break=NS}]")
NEVER_LAST = regex.compile(r"\p{Line_Break=OP}")
#: A fixture's own files: its content, and its wording.
FIXTURE_FILES = ("content.yaml", "strings.yaml")


def _needs(*paths: Path) -> None:
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian fonts-noto-core and fonts-noto-cjk, see .ci/run)")


def clinic(folder: Path, language: str) -> Path:
    """The fixture of `language` copied into `folder`, with its fonts in `fonts/`; its content file."""
    shutil.copytree(FIXTURES / language, folder, dirs_exist_ok=True)
    fonts = folder / "fonts"
    fonts.mkdir(exist_ok=True)
    if language == "ar":
        _needs(*ARABIC_FONTS)
        for path in ARABIC_FONTS:
            shutil.copy(path, fonts / path.name)
    elif language == "zh":
        _needs(*CJK_COLLECTIONS)
        for path in CJK_COLLECTIONS:
            _simplified_chinese_face(path, fonts / f"{path.stem}SC.otf")
    return folder / "content.yaml"


def _simplified_chinese_face(collection: Path, target: Path) -> None:
    """The Simplified Chinese face of a Noto Sans CJK collection (.ttc), as a font file of its own."""
    from fontTools.ttLib import TTCollection

    with TTCollection(collection, lazy=True) as faces:
        face = next(f for f in faces.fonts if f["name"].getDebugName(4).startswith("Noto Sans CJK SC"))
        face.save(target, reorderTables=False)


def what_is_it(s: dict[str, str]) -> str:
    """The Arabic fixture's 'What is ...?' heading."""
    return wording.expand(s["what_is_it"], condition=str(content_of("ar")["condition"]["name_in_text"]))  # type: ignore[index]


def content_of(language: str) -> dict[str, object]:
    return dict(yaml.safe_load((FIXTURES / language / "content.yaml").read_text(encoding="utf-8")))


def words_of(language: str) -> dict[str, str]:
    base = wording.base(str(content_of(language)["language"]))
    return dict(yaml.safe_load((FIXTURES / language / "strings.yaml").read_text(encoding="utf-8"))[base])


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every Arabic leaflet, built once: the output folder."""
    content = clinic(tmp_path_factory.mktemp("ar"), "ar")
    out = content.parent / "out"
    build(content, out, jobs=1)
    return out


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every Chinese leaflet, built once: the output folder."""
    content = clinic(tmp_path_factory.mktemp("zh"), "zh")
    out = content.parent / "out"
    build(content, out, jobs=1)
    return out


# --- reading the pages back ---------------------------------------------------------------------------------------


def page_text(path: Path, page: int = 0) -> str:
    """A page's text as PDFium reads it (right-to-left lines in logical order)."""
    document = pdfium.PdfDocument(path)
    try:
        return str(document[page].get_textpage().get_text_range())
    finally:
        document.close()


def box_of(path: Path, page: int, phrase: str) -> tuple[float, float]:
    """(left, right) in mm of the first place PDFium finds `phrase` on a page."""
    document = pdfium.PdfDocument(path)
    try:
        text = document[page].get_textpage()
        found = text.search(phrase).get_next()
        assert found, f"{phrase!r} not on page {page + 1} of {path.name}"
        start, count = found
        boxes = [text.get_charbox(index) for index in range(start, start + count)]
    finally:
        document.close()
    return min(b[0] for b in boxes) * MM_PER_POINT, max(b[2] for b in boxes) * MM_PER_POINT


def latin_boxes(path: Path, page: int, phrase: str) -> list[tuple[float, float]]:
    """(left, right) in mm of each place a left-to-right `phrase` is printed on a page, top first, read as it
    is printed, left to right (PDFium reorders a right-to-left line, and the Latin runs in it with the rest)."""
    with pdfplumber.open(path) as pdf:
        found = pdf.pages[page].search(phrase, regex=False)
    assert found, f"{phrase!r} not on page {page + 1} of {path.name}"
    return [(float(f["x0"]) * MM_PER_POINT, float(f["x1"]) * MM_PER_POINT) for f in found]


def tagged(path: Path) -> Iterator[tuple[str, str]]:
    """(tag, text) of every heading in structure-tree order, its text read from its marked content: the
    characters of each line right to left (as an Arabic reader reads them), in compatibility form (NFKC)."""
    with pdfplumber.open(path) as plumbed:
        chars: dict[tuple[int, int], list[dict[str, object]]] = {}
        for number, page in enumerate(plumbed.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    chars.setdefault((number, int(char["mcid"])), []).append(char)
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        for element in _elements(pdf.Root.StructTreeRoot):
            tag = str(element.get("/S"))
            if tag in ("/H1", "/H2", "/H3"):
                yield tag[1:], _text(element, pages, chars)


def _elements(node: pikepdf.Object) -> Iterator[pikepdf.Object]:
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _text(element: pikepdf.Object, pages: dict[tuple[int, int], int], chars: dict) -> str:  # type: ignore[type-arg]
    lines: dict[tuple[int, int], list[dict[str, object]]] = {}
    for page, mcid in _marked(element, pages, -1):
        for char in chars.get((page, mcid), []):
            lines.setdefault((page, round(float(char["top"]))), []).append(char)  # type: ignore[arg-type]
    text = " ".join(
        "".join(str(c["text"]) for c in sorted(line, key=lambda c: -float(c["x0"])))  # type: ignore[arg-type]
        for _, line in sorted(lines.items())
    )
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _marked(element: pikepdf.Object, pages: dict[tuple[int, int], int], page: int) -> Iterator[tuple[int, int]]:
    """(page, marked-content id) of everything an element holds, in order."""
    page = pages[element.Pg.objgen] if "/Pg" in element else page
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int):
            yield page, int(kid)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _marked(kid, pages, page)


# --- the page's direction -----------------------------------------------------------------------------------------


def test_the_direction_comes_from_the_language() -> None:
    written = {tag: wording.direction(tag) for tag in ("ar", "he", "fa-IR", "ur", "en", "es", "zh-Hans", "pt-BR")}
    assert written == {
        "ar": "rtl",
        "he": "rtl",
        "fa-IR": "rtl",
        "ur": "rtl",
        "en": "ltr",
        "es": "ltr",
        "zh-Hans": "ltr",
        "pt-BR": "ltr",
    }
    arabic, english = (Edition("x", "overview", "overview.html", "standard", 2, "", language=t) for t in ("ar", "en"))
    assert arabic.stylesheets("a4") == ["leaflet.css", "a4.css", "rtl.css"]
    assert english.stylesheets("a4") == ["leaflet.css", "a4.css"]


def test_runs_written_the_other_way_are_set_apart() -> None:
    page = (
        "<html><head><title>Ref EXS-1</title></head><body><p>المرجع EXS-FBSS-201&nbsp;&middot; الإصدار 1.0 "
        '&middot; Spine &amp; Pain (EMG) اتصل على 555-0134. من 6 إلى 12 <a href="u">www.example.org</a></p>'
        "<p>1 Example Road, Exampleton EX1 2AB</p><p>Failed Back / Post-Laminectomy</p></body></html>"
    )
    assert isolate_runs(page, "rtl") == (
        '<html><head><title>Ref EXS-1</title></head><body><p>المرجع <bdi dir="ltr">EXS-FBSS-201</bdi>\u00a0· '
        'الإصدار <bdi dir="ltr">1.0 · Spine &amp; Pain (EMG)</bdi> اتصل على <bdi dir="ltr">555-0134</bdi>. '
        'من 6 إلى 12 <a href="u">www.example.org</a></p><p><bdi dir="ltr">1 Example Road, Exampleton EX1 2AB'
        '</bdi></p><p><bdi dir="ltr">Failed Back / Post-Laminectomy</bdi></p></body></html>'
    )
    # A run through an inline element is set apart whole, the element inside (never cut in two).
    address = '<html><body><p>1 Example Road, Exampleton <span class="unbroken">EX1 2AB</span></p></body></html>'
    assert isolate_runs(address, "rtl") == (
        '<html><body><p><bdi dir="ltr">1 Example Road, Exampleton <span class="unbroken">EX1 2AB</span></bdi></p>'
        "</body></html>"
    )
    english = "<html><body><p>Ref EXS-1 &middot; call 555-0134 &amp; ask</p></body></html>"
    assert isolate_runs(english, "ltr") == english  # an English page is not changed at all
    name = "<html><body><p>Name: سارة أحمد, 14:30</p></body></html>"
    assert isolate_runs(name, "ltr") == '<html><body><p>Name: <bdi dir="rtl">سارة أحمد</bdi>, 14:30</p></body></html>'
    assert [direction_of(t) for t in ("555-0134", "EXS-1", "سارة", "1 شارع")] == [None, "ltr", "rtl", "rtl"]


# --- Arabic -------------------------------------------------------------------------------------------------------


def test_every_arabic_edition_is_built_in_arabic(arabic: Path) -> None:
    names = sorted(path.name for path in arabic.glob("*.pdf"))
    assert len(names) == 11 and "trifold-ar-a4.pdf" in names and "overview-large-print-ar-a4.pdf" in names
    for name in names:
        with pikepdf.open(arabic / name) as pdf:
            assert str(pdf.Root.Lang) == "ar", name


def test_an_arabic_page_is_laid_out_right_to_left(arabic: Path) -> None:
    overview, content = arabic / "overview-ar-a4.pdf", content_of("ar")
    condition = content["condition"]
    # The title ends at the right margin (inside the masthead's padding).
    _, right = box_of(overview, 0, condition["title"])  # type: ignore[index]
    assert abs(right - (A4_WIDTH_MM - SIDE_MM - MASTHEAD_MM)) < 1.5
    # The first column is on the right, the second on the left.
    what_is_it = wording.expand(words_of("ar")["what_is_it"], condition=condition["name_in_text"])  # type: ignore[index]
    assert box_of(overview, 0, what_is_it)[0] > A4_WIDTH_MM / 2
    assert box_of(overview, 0, words_of("ar")["timeline"])[1] < A4_WIDTH_MM / 2
    # Bullets on the right of their lines, the page number at the bottom left, the footer from the right.
    with pdfplumber.open(overview) as pdf:
        page = pdf.pages[0]
        bullets = [c for c in page.chars if c["text"] == "■"]
        assert bullets and all(c["x0"] * MM_PER_POINT > A4_WIDTH_MM / 2 - 10 for c in bullets[:3])
    assert box_of(overview, 0, "صفحة 1 من 2")[1] < 40
    # In the footer, the clinic's name, then the reference, then the version, from the right.
    clinic_name, reference = latin_boxes(overview, 0, "Pain Clinic")[-1], latin_boxes(overview, 0, "EXS-FBSS-201")[0]
    version = latin_boxes(overview, 0, "1.0")[0]
    assert clinic_name[1] > A4_WIDTH_MM - SIDE_MM - 2 and clinic_name[0] > reference[1] > reference[0] > version[1]
    # A Latin address keeps its house number in front (left alone in Arabic text, the 1 went to the far end).
    assert latin_boxes(overview, 1, "1 Example Road, Exampleton EX1 2AB")


def test_arabic_text_reads_back_in_its_own_letters(arabic: Path) -> None:
    # PDFium read a lam-alef ligature backwards (اإلصدار for الإصدار, عىل for على) before it was mapped to its
    # presentation form (render/conformance.py).
    overview = arabic / "overview-ar-a4.pdf"
    words = [words_of("ar")["version"], "على", "الإصدار", "العلاج", "الألم"]
    text = " ".join(page_text(overview).split())
    assert all(word in text for word in words), [w for w in words if w not in text]
    assert "اإلصدار" not in text and "عىل" not in text
    assert "الإصدار 1.0" in text  # the word for "version" and the version, in the footer
    if shutil.which("pdftotext"):
        extracted = subprocess.run(["pdftotext", str(overview), "-"], capture_output=True, text=True, check=True)
        assert all(word in unicodedata.normalize("NFKC", extracted.stdout) for word in words)


def test_arabic_headings_are_tagged_in_reading_order(arabic: Path) -> None:
    content, s = content_of("ar"), words_of("ar")
    condition = content["condition"]
    headings = list(tagged(arabic / "overview-ar-a4.pdf"))
    assert headings[0] == ("H1", condition["title"])  # type: ignore[index]
    what_is_it = wording.expand(s["what_is_it"], condition=condition["name_in_text"])  # type: ignore[index]
    order = [s["key_points"], what_is_it, s["what_causes_it"], s["timeline"], s["tests"], s["what_helps"]]
    assert [text for tag, text in headings[1:7]] == order
    assert {tag for tag, _ in headings[1:]} == {"H2"}


def test_an_arabic_trifold_folds_the_other_way(arabic: Path) -> None:
    trifold, s = arabic / "trifold-ar-a4.pdf", words_of("ar")
    flap, panel = 97.0, 100.0
    # Outside: front cover | back panel | inside flap (the cover on the left).
    assert box_of(trifold, 0, s["patient_information"])[1] < panel
    assert panel < box_of(trifold, 0, s["book"])[0] and box_of(trifold, 0, s["book"])[1] < 2 * panel
    assert box_of(trifold, 0, s["key_points"])[0] > 2 * panel
    # Inside: read from the right; the flap's back is on the left.
    assert box_of(trifold, 1, s["what_causes_it"])[0] > flap + panel
    assert flap < box_of(trifold, 1, s["timeline"])[0] and box_of(trifold, 1, s["timeline"])[1] < flap + panel
    assert box_of(trifold, 1, s["treatment"])[1] < flap
    # Read as an Arabic reader unfolds it: the cover, the flap, the inside from the right, then the back.
    headings = [text for _, text in tagged(trifold)]
    assert headings[:3] == [content_of("ar")["condition"]["title"], s["key_points"], what_is_it(s)]  # type: ignore[index]
    assert headings[3] == s["what_causes_it"] and headings[-1] == s["book"]
    # No text within 6 mm of a fold: the folds are mirrored too.
    folds = {0: (panel, 2 * panel), 1: (flap, flap + panel)}
    with pdfplumber.open(trifold) as pdf:
        for number, page in enumerate(pdf.pages):
            for char in page.chars:
                left, right = char["x0"] * MM_PER_POINT, char["x1"] * MM_PER_POINT
                assert all(right < fold - 6 or left > fold + 6 for fold in folds[number]), (number, left)


def test_large_print_keeps_the_taller_font_off_the_paper_edge(arabic: Path, chinese: Path) -> None:
    # Noto Sans Arabic reaches 0.74 of the type size below the baseline (Source Sans Pro 0.27): the footer's
    # margin is measured from the fonts drawn, so no character comes within 5 mm of the edge.
    for path in (arabic / "overview-large-print-ar-a4.pdf", chinese / "overview-large-print-zh-Hans-a4.pdf"):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                lowest = max(float(c["bottom"]) for c in page.chars)
                assert (float(page.height) - lowest) * MM_PER_POINT >= 5.0, path.name


def test_arabic_handouts_for_patients_with_arabic_names(tmp_path: Path) -> None:
    content = clinic(tmp_path / "clinic", "ar")
    patients = tmp_path / "patients.csv"
    patients.write_text(
        "record_id,patient_name,procedure,procedure_date,clinician,followup_date,followup_time,followup_place,"
        "leaflets,language\n"
        "EXS-0101,سارة أحمد,استئصال الصفيحة الفقرية,2026-11-20,د. سامي,2026-12-09,14:30,العيادة 3,scar-tissue,ar\n",
        encoding="utf-8",
    )
    out = tmp_path / "handouts"
    code, said = _run("discharge", "--content", str(content), "--patients", str(patients), "--out", str(out))
    assert code == 0, said
    handout = out / "EXS-0101.pdf"
    with pikepdf.open(handout) as pdf:
        assert str(pdf.Root.Lang) == "ar"
    text = page_text(handout)
    assert "سارة أحمد" in text and "14:30" in text and latin_boxes(handout, 0, "EXS-0101")
    assert box_of(handout, 0, "سارة أحمد")[1] > A4_WIDTH_MM / 2  # the details start on the right


# --- Chinese ------------------------------------------------------------------------------------------------------


def test_every_chinese_edition_is_built_in_chinese(chinese: Path) -> None:
    names = sorted(path.name for path in chinese.glob("*.pdf"))
    assert len(names) == 11 and "trifold-zh-Hans-a4.pdf" in names
    for name in names:
        with pikepdf.open(chinese / name) as pdf:
            assert str(pdf.Root.Lang) == "zh-Hans", name
    text = "".join(page_text(chinese / "overview-zh-Hans-a4.pdf", n) for n in (0, 1)).replace("\r\n", "")
    assert str(content_of("zh")["condition"]["main_message"]) in "".join(  # type: ignore[index]
        page_text(chinese / "trifold-zh-Hans-a4.pdf", 0).split()
    )
    assert "版本 1.0" in text and words_of("zh")["key_points"] in text


def chinese_lines(folder: Path) -> Iterator[tuple[str, str]]:
    """(file name, line) for every line of every page of the Chinese leaflets, as PDFium reads them."""
    for path in sorted(folder.glob("*.pdf")):
        document = pdfium.PdfDocument(path)
        try:
            for page in document:
                for line in page.get_textpage().get_text_range().splitlines():
                    if line.strip():
                        yield path.name, line.strip()
        finally:
            document.close()


def test_chinese_lines_never_break_before_closing_punctuation(chinese: Path) -> None:
    # WeasyPrint 70 breaks Chinese by UAX #14, through Pango: never before a closing bracket or punctuation
    # mark, nor after an opening one.
    lines = list(chinese_lines(chinese))
    for name, line in lines:
        assert not NEVER_FIRST.match(line[0]), (name, line)
        assert not NEVER_LAST.match(line[-1]), (name, line)
    assert len(lines) > 300


def test_chinese_lines_break_between_words_only(chinese: Path) -> None:
    # Between any two ideographs, WeasyPrint 70 would break (综合 | 征): a word joiner between the letters of
    # each word jieba finds keeps it on one line (render/wrapping.py), and is not read back.
    files = [yaml.safe_load((FIXTURES / "zh" / name).read_text(encoding="utf-8")) for name in FIXTURE_FILES]
    texts = "\n".join(text for data in files for text in _strings(data))
    inside: set[tuple[str, str]] = set()
    between: set[tuple[str, str]] = set()
    for run in IDEOGRAPHS.findall(texts):
        words = list(SEGMENTERS["zh"]()(run))
        for word in words:
            inside.update(itertools.pairwise(word))
        for first, second in itertools.pairwise(words):
            between.add((first[-1], second[0]))
    inside -= between  # a pair of characters found both ways could be a break between words
    lines = [line for _, line in chinese_lines(chinese)]
    breaks = [(a[-1], b[0]) for a, b in itertools.pairwise(lines) if IDEOGRAPHS.match(a[-1] + b[0])]
    assert len(breaks) > 100
    assert [pair for pair in breaks if pair in inside] == []
    assert not any(WORD_JOINER in line for line in lines)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_chinese_handouts_for_patients_with_chinese_names(tmp_path: Path) -> None:
    content = clinic(tmp_path / "clinic", "zh")
    patients = tmp_path / "patients.csv"
    patients.write_text(
        "record_id,patient_name,procedure,procedure_date,clinician,followup_date,followup_time,followup_place,"
        "leaflets,language\n"
        "EXS-0201,王小明,椎板切除术,2026-11-20,李医生,2026-12-09,09:15,3号诊室,rehabilitation,zh-Hans\n",
        encoding="utf-8",
    )
    out = tmp_path / "handouts"
    code, said = _run("discharge", "--content", str(content), "--patients", str(patients), "--out", str(out))
    assert code == 0, said
    with pikepdf.open(out / "EXS-0201.pdf") as pdf:
        assert str(pdf.Root.Lang) == "zh-Hans"
    assert "王小明" in page_text(out / "EXS-0201.pdf")


# --- Portuguese ---------------------------------------------------------------------------------------------------


def test_the_portuguese_fixture_builds_left_to_right(tmp_path: Path) -> None:
    content = clinic(tmp_path / "clinic", "pt")
    outputs: list[Output] = build(content, tmp_path / "out", only=["overview"], jobs=1)
    assert [o.file for o in outputs] == ["overview-pt-BR-a4.pdf"]
    path = tmp_path / "out" / "overview-pt-BR-a4.pdf"
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "pt-BR"
    assert box_of(path, 0, words_of("pt")["key_points"])[0] < 30  # from the left
    assert "Versão 1.0" in page_text(path)


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--jobs", "1"])
    return code, out.getvalue() + err.getvalue()
