"""Any clinic, any condition, any name: content, logos and patients the project was not tuned to.

Three fixtures beside the shipped content, each built in full here:
- tests/fixtures/second-clinic: a long clinic name, a 4:1 PNG wordmark, a long booking URL, US Letter;
- tests/fixtures/us-clinic: the longest details a clinic sent (a 60-character name, a 3:1 PNG wordmark, a
  150-character booking URL with a query, a suite address, a long email), US Letter and A4;
- tests/fixtures/knee: another condition (pain after knee replacement), its own term list, a tall SVG mark.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import yaml
from PIL import Image, ImageDraw

from leaflets.cli import main
from leaflets.discharge.patients import REQUIRED
from leaflets.errors import BuildError, ContentError, QualityError
from leaflets.pipeline.plan import Gate, Output, build
from tests.conftest import ROOT, line_of
from tests.pdfread import MM_PER_POINT, page_texts, printed_sentences, repeated
from tests.test_print_editions import decode_qr
from tests.testfont import FAMILY, make_font

FIXTURES = ROOT / "tests" / "fixtures"
SECOND_CLINIC = FIXTURES / "second-clinic" / "content.yaml"
KNEE = FIXTURES / "knee" / "content.yaml"
US_CLINIC = FIXTURES / "us-clinic" / "content.yaml"
EDGE_MM = 5.0


@pytest.fixture(scope="module")
def second_clinic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Output]]:
    out = tmp_path_factory.mktemp("second-clinic")
    return out, build(SECOND_CLINIC, out)


@pytest.fixture(scope="module")
def knee(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Output]]:
    out = tmp_path_factory.mktemp("knee")
    return out, build(KNEE, out)


def edge_gaps(path: Path) -> list[tuple[int, str, float]]:
    """(page, what, mm) for every character and image closer than EDGE_MM to the paper edge (the trim box)."""
    close = []
    document = pdfium.PdfDocument(path)
    try:
        for number, page in enumerate(document, start=1):
            left, bottom, right, top = page.get_trimbox()
            textpage = page.get_textpage()
            boxes = [
                (textpage.get_text_range(i, 1), textpage.get_charbox(i))
                for i in range(textpage.count_chars())
                if textpage.get_text_range(i, 1).strip()
            ]
            boxes += [("image", obj.get_bounds()) for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))]
            for what, (x0, y0, x1, y1) in boxes:
                gap = min(x0 - left, y0 - bottom, right - x1, top - y1) * MM_PER_POINT
                if gap < EDGE_MM - 0.2:
                    close.append((number, what, round(gap, 1)))
    finally:
        document.close()
    return close


def all_text(path: Path) -> str:
    return " ".join(page_texts(path))


# --- the second clinic -----------------------------------------------------------------------


@pytest.mark.pdf
def test_second_clinic_builds_every_edition_on_letter(second_clinic: tuple[Path, list[Output]]) -> None:
    out, outputs = second_clinic
    assert [o.edition for o in outputs] == [
        "overview",
        "trifold",
        "failed-fusion",
        "failed-decompression",
        "scar-tissue",
        "rehabilitation",
        "overview-large-print",
        "failed-fusion-large-print",
        "failed-decompression-large-print",
        "scar-tissue-large-print",
        "rehabilitation-large-print",
    ]
    with pikepdf.open(out / "failed-decompression-en-US-letter.pdf") as pdf:
        assert len(pdf.pages) == 1
        assert [round(float(v)) for v in pdf.pages[0].MediaBox] == [0, 0, 612, 792]
    text = all_text(out / "overview-en-US-letter.pdf")
    assert "St Brigid's Regional Musculoskeletal, Spine and Pain Rehabilitation Centre" in text
    # The printed address is the URL's own host (the QR code and the link go there too); it may wrap before a dot.
    assert "appointments.stbrigids.example.org" in re.sub(r"\s+(?=[./])", "", text)
    assert "/musculoskeletal/spine-and-pain" not in text
    assert "Published October 15, 2026" in text  # language: en-US


@pytest.mark.pdf
def test_a_wide_wordmark_keeps_its_proportions(second_clinic: tuple[Path, list[Output]]) -> None:
    out, _ = second_clinic
    document = pdfium.PdfDocument(out / "overview-en-US-letter.pdf")
    try:
        images = list(document[0].get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
        ratios = [(x1 - x0) / (y1 - y0) for x0, y0, x1, y1 in (image.get_bounds() for image in images)]
    finally:
        document.close()
    assert any(abs(ratio - 4.0) < 0.05 for ratio in ratios), ratios  # the PNG is 800 x 200 pixels


@pytest.mark.pdf
@pytest.mark.parametrize("which", ["second-clinic", "knee"])
def test_nothing_is_printed_within_5_mm_of_the_paper_edge(
    which: str, second_clinic: tuple[Path, list[Output]], knee: tuple[Path, list[Output]]
) -> None:
    out, outputs = second_clinic if which == "second-clinic" else knee
    for output in outputs:
        assert edge_gaps(out / output.file) == [], output.file


@pytest.mark.pdf
def test_shipped_leaflets_keep_5_mm_from_the_edge(built: tuple[str, Path, list[Output]]) -> None:
    _, out, outputs = built
    for output in outputs:
        assert edge_gaps(out / output.file) == [], output.file


@pytest.mark.pdf
def test_a_long_approver_and_source_make_the_footer_deeper_not_cut_off(
    content_copy: Callable[..., Path], tmp_path: Path
) -> None:
    source = "Clinic web page, Failed Back / Post-Laminectomy Syndrome, with the spine team's notes of 2026 (END)"
    content = content_copy(
        ("approved_by: Patient Information Group", "approved_by: The Patient Information and Health Literacy Group"),
        ('source: "Clinic web page, Failed Back / Post-Laminectomy Syndrome"', f'source: "{source}"'),
    )
    outputs = build(content, tmp_path / "out", only=["scar-tissue", "scar-tissue-large-print"])
    for output in outputs:
        path = tmp_path / "out" / output.file
        assert edge_gaps(path) == []
        assert all("(END)" in text for text in page_texts(path)), "the footer's last line is missing"


@pytest.mark.pdf
def test_no_footer_line_starts_with_a_separator(content_copy: Callable[..., Path], tmp_path: Path) -> None:
    # With this name the footer's second line began "· Approved by" before each dot was held to the item before it.
    name = "clinic_name: Exampleton Spine & Pain Clinic"
    content = content_copy((name, f"{name} Ltd"))
    (output,) = build(content, tmp_path / "out", only=["scar-tissue"])
    document = pdfium.PdfDocument(tmp_path / "out" / output.file)
    try:
        lines = [line.strip() for line in document[0].get_textpage().get_text_range().splitlines()]
    finally:
        document.close()
    assert not [line for line in lines if line.startswith("·")], lines
    assert any("Review by 2 November 2027" in line for line in lines), lines  # a date stays with its label


@pytest.mark.pdf
def test_clinic_details_too_long_for_a_page_are_named(tmp_path: Path) -> None:
    content = tmp_path / "content.yaml"
    shutil.copytree(SECOND_CLINIC.parent / "brand", tmp_path / "brand")
    shutil.copy(SECOND_CLINIC.parent / "medical_terms.txt", tmp_path)
    long_address = (
        "Outpatients Building B, Level 3, St Brigid's Regional Campus, 1200 Westbrook Memorial Parkway, "
        "Springfield Heights, Illinois 62704, United States of America"
    )
    content.write_text(
        SECOND_CLINIC.read_text(encoding="utf-8").replace(
            "address: 1200 Westbrook Memorial Parkway, Springfield, IL 62704", f"address: {long_address}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as caught:
        build(content, tmp_path / "out", only=["failed-decompression"])
    message = str(caught.value)
    assert message.startswith("failed-decompression-en-US (letter) needs 2 pages but may have 1:")
    assert "the clinic's details take several lines here" in message
    # How much room they take, so a two-line address is not taken for the cause of a long spill.
    taken = re.search(r"their lines after the first take about (\d+) mm", message)
    assert taken is not None and 5 <= int(taken.group(1)) <= 40, message
    assert "brand.address (4 lines)" in message
    assert "brand.clinic_name (2 lines)" in message


# --- the longest clinic details ----------------------------------------------------------------

US_URL = re.search(r"booking_url: (\S+)", US_CLINIC.read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
US_NAME = "Lakeshore Comprehensive Spine and Interventional Pain Center"


@pytest.fixture(scope="module", params=["letter", "a4"])
def us_clinic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Output]]:
    out = tmp_path_factory.mktemp(f"us-clinic-{request.param}")
    return out, build(US_CLINIC, out, paper=request.param)


def test_the_us_clinic_fixture_is_as_long_as_a_real_clinics_details() -> None:
    text = US_CLINIC.read_text(encoding="utf-8")
    assert f"clinic_name: {US_NAME}" in text and len(US_NAME) == 60
    assert len(US_URL) == 150 and "?" in US_URL and "&" in US_URL
    with Image.open(US_CLINIC.parent / "brand" / "wordmark.png") as logo:
        assert logo.size[0] == 3 * logo.size[1]


@pytest.mark.pdf
def test_long_clinic_details_leave_every_edition_within_its_budget(us_clinic: tuple[Path, list[Output]]) -> None:
    out, outputs = us_clinic
    budgets = {"overview": 2, "trifold": 2, "overview-large-print": 6}
    assert len(outputs) == 11
    for output in outputs:
        assert output.pages <= budgets.get(output.edition, 3 if "large-print" in output.edition else 1)
        path = out / output.file
        assert edge_gaps(path) == [], output.file
        # The name is printed whole, on one line or several, on the first page (inside it: no edge gaps).
        assert US_NAME in " ".join(page_texts(path)[0].split()), output.file


@pytest.mark.pdf
@pytest.mark.parametrize("stem", ["failed-decompression", "trifold", "overview-large-print"])
def test_the_qr_code_holds_the_whole_url_and_the_page_prints_its_host(
    us_clinic: tuple[Path, list[Output]], stem: str
) -> None:
    out, outputs = us_clinic
    path = out / next(o.file for o in outputs if o.edition == stem)
    texts = page_texts(path)
    page = next(number for number, text in enumerate(texts) if "Book an appointment" in text)
    assert decode_qr(path, page) == [US_URL]
    printed = re.sub(r"\s+(?=[./])", "", " ".join(texts[page].split()))  # it may wrap before a dot
    assert "www.lakeshorespinecenter.example.org" in printed
    assert "request-an-appointment" not in printed and "department" not in printed
    assert _qr_square_mm(path, page) >= 0.4 - 0.01  # a longer address makes a bigger code, not a denser one


def _qr_square_mm(path: Path, page: int) -> float:
    """The printed size of one square of the page's QR code, in mm (from where a decoder finds its corners)."""
    import zxingcpp

    from leaflets.render.html import QR_QUIET_ZONE, qr_squares

    document = pdfium.PdfDocument(path)
    try:
        image = document[page].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    (found,) = zxingcpp.read_barcodes(image)
    corners = found.position
    width_px = corners.top_right.x - corners.top_left.x
    return width_px / 200 * 25.4 / (qr_squares(found.text) - 2 * QR_QUIET_ZONE)


@pytest.mark.pdf
def test_a_discharge_handout_for_the_us_clinic_fits_and_scans(tmp_path: Path) -> None:
    patients = tmp_path / "us.csv"
    patients.write_text(
        "record_id,patient_name,procedure,procedure_date,clinician,followup_date,followup_time,followup_place,"
        "leaflets,note\nUS-1,Sam Patient,Lumbar laminectomy,2026-11-20,Dr Lee,2026-12-09,14:30,"
        "Medical Arts Pavilion Suite 410,failed-decompression,\n",
        encoding="utf-8",
    )
    out = tmp_path / "d"
    assert main(["discharge", "--content", str(US_CLINIC), "--patients", str(patients), "--out", str(out)]) == 0
    handout = out / "US-1.pdf"
    assert edge_gaps(handout) == []
    texts = page_texts(handout)
    page = next(number for number, text in enumerate(texts) if "Book an appointment" in text)
    assert decode_qr(handout, page) == [US_URL]


@pytest.mark.pdf
def test_the_longest_booking_url_allowed_prints_a_bigger_code_that_scans(
    content_copy: Callable[..., Path], tmp_path: Path
) -> None:
    url = "https://www.example.org/book?" + "&".join(f"field{i}=value{i}" for i in range(28))
    url += "&pad=" + "x" * (500 - len(url) - len("&pad="))
    assert len(url) == 500
    content = content_copy(("booking_url: https://www.example.org/book", f"booking_url: {url}"))
    outputs = build(content, tmp_path / "out", only=["scar-tissue", "trifold", "scar-tissue-large-print"])
    for output in outputs:
        path = tmp_path / "out" / output.file
        page = next(n for n, text in enumerate(page_texts(path)) if "Book an appointment" in text)
        assert decode_qr(path, page) == [url], output.file
        assert _qr_square_mm(path, page) >= 0.4 - 0.01, output.file
        assert edge_gaps(path) == [], output.file


def _second_clinic_copy(tmp_path: Path, name: str, logo: tuple[str, bytes] | None = None) -> Path:
    shutil.copytree(SECOND_CLINIC.parent, tmp_path / "clinic")
    content = tmp_path / "clinic" / "content.yaml"
    text = content.read_text(encoding="utf-8")
    text = re.sub(r"clinic_name: .*", f"clinic_name: {name}", text, count=1)
    if logo:
        (tmp_path / "clinic" / "brand" / logo[0]).write_bytes(logo[1])
        text = text.replace("logo: brand/wordmark.png", f"logo: brand/{logo[0]}")
    content.write_text(text, encoding="utf-8")
    return content


def _tall_mark() -> bytes:
    """A 1:4 PNG mark, the tallest logo drawn at its own proportions."""
    image = Image.new("RGB", (50, 200), "white")
    ImageDraw.Draw(image).rectangle((15, 60, 35, 190), fill="#5c1a33")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.pdf
@pytest.mark.parametrize(
    ("name", "logo", "ratio"),
    [
        ("Riverside Cancer Rehabilitation Service", None, 4.0),  # 39 characters, the 4:1 wordmark
        (US_NAME, ("tall.png", _tall_mark()), 0.25),
    ],
)
def test_a_long_name_beside_a_wide_or_tall_logo_fits_every_layout(
    tmp_path: Path, name: str, logo: tuple[str, bytes] | None, ratio: float
) -> None:
    content = _second_clinic_copy(tmp_path, name, logo)
    only = ["trifold", "failed-decompression", "overview-large-print"]
    outputs = build(content, tmp_path / "out", only=only)  # the tri-fold used to stop: name 1.8 mm from the edge
    for output in outputs:
        path = tmp_path / "out" / output.file
        assert edge_gaps(path) == [], output.file
        assert name in " ".join(" ".join(page_texts(path)).split()), output.file
    large = tmp_path / "out" / next(o.file for o in outputs if o.edition == "overview-large-print")
    logo_box, name_chars = _logo_and_name(large, name)
    assert abs((logo_box[2] - logo_box[0]) / (logo_box[3] - logo_box[1]) - ratio) < 0.05
    # In large print the name wraps beside the logo: no line of it drops under the logo.
    assert min(char["x0"] for char in name_chars) >= logo_box[2], "a word of the clinic name is under the logo"


def _logo_and_name(path: Path, name: str) -> tuple[tuple[float, float, float, float], list[dict[str, float]]]:
    """The first page's logo (x0, top, x1, bottom, in points from the top left) and the masthead name's characters."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        image = min(page.images, key=lambda i: i["top"])
        words = name.split()
        lines = page.extract_text_lines()
        found = [line for line in lines if line["top"] < image["bottom"] + 40 and line["text"].split()[0] in words]
        chars = [char for line in found for char in line["chars"]]
    return (image["x0"], image["top"], image["x1"], image["bottom"]), chars


def test_the_large_print_kicker_reads_on_one_line_under_the_clinic(built: tuple[str, Path, list[Output]]) -> None:
    import pdfplumber

    paper, out, _ = built
    for stem, kicker in [
        ("failed-decompression-large-print", "Failed back surgery syndrome · Patient information"),
        ("overview-large-print", "Patient information"),
    ]:
        with pdfplumber.open(out / f"{stem}-en-{paper}.pdf") as pdf:
            lines = pdf.pages[0].extract_text_lines()
        line = next(line for line in lines if "Patient information" in line["text"])
        assert line["text"] == kicker, (stem, line["text"])  # one line, not a narrow column of three
        title = next(below for below in lines if below["top"] > line["top"] and below["chars"][0]["size"] > 24)
        assert abs(line["x0"] - title["x0"]) < 1, stem  # not indented: it starts where the title does


# --- words kept whole ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("1 Example Road, Exampleton NG9 9ZZ", ["NG9 9ZZ"]),  # UK
        ("Suite 410, 2550 North Lakeshore Drive, Chicago, IL 60614-3310", ["IL 60614-3310"]),  # US, ZIP+4
        ("Level 3, 1 Martin Place, Sydney NSW 2000", ["NSW 2000"]),  # Australia
        ("Keizersgracht 1, 1015 CJ Amsterdam", ["1015 CJ"]),  # the Netherlands
        ("12 Rue de la Paix, 75002 Paris", ["12 Rue"]),  # France: a house number keeps a short word beside it
        ("Medical Arts Pavilion, Suite 410", []),  # nothing short to hold together
    ],
)
def test_an_address_keeps_its_postcode_on_one_line(address: str, kept: list[str]) -> None:
    from leaflets.render.wrapping import codes_kept_whole

    marked = str(codes_kept_whole(address))
    assert re.findall(r'<span class="unbroken">([^<]*)</span>', marked) == kept
    assert re.sub(r"<[^>]*>", "", marked) == address


@pytest.mark.pdf
def test_a_postcode_is_never_split_across_lines(content_copy: Callable[..., Path], tmp_path: Path) -> None:
    # At this length the line used to end after 'NG9', with '9ZZ' alone on the next one.
    address = "Spine Unit, Queen's Medical Centre, Notts NG9 9ZZ"
    content = content_copy(("address: 1 Example Road, Exampleton EX1 2AB", f"address: {address}"))
    (output,) = build(content, tmp_path / "out", only=["scar-tissue"])
    lines = _lines(tmp_path / "out" / output.file)
    assert any(line.endswith("NG9 9ZZ") for line in lines), [line for line in lines if "9ZZ" in line]


@pytest.mark.pdf
def test_a_short_hyphenated_word_is_never_split_at_its_hyphen(
    content_copy: Callable[..., Path], tmp_path: Path
) -> None:
    # At this length the line used to end with 'x-', and 'rays.' began the next one.
    sentence = "Your doctor may look at your back or scar on x-rays."
    content = content_copy(
        ("      - Stretching can help. It keeps", f"      - {sentence}\n      - Stretching can help. It keeps")
    )
    (output,) = build(content, tmp_path / "out", only=["scar-tissue"])
    lines = _lines(tmp_path / "out" / output.file)
    assert "x-rays." in lines, [line for line in lines if "rays" in line]
    assert not [line for line in lines if line.endswith("x-")]


def test_only_short_hyphenated_words_in_the_text_are_kept_whole() -> None:
    from leaflets.render.wrapping import keep_hyphenated_words

    html = (
        '<html><head><style>a-b { margin-top: 0 }</style></head><body class="large-print">'
        '<p title="x-ray">X-rays, a follow-up, 555-0134 and post-laminectomy pain</p>'
        '<p><a href="https://a.example/book-now">a.example/book-now</a></p></body></html>'
    )
    assert keep_hyphenated_words(html) == (
        '<html><head><style>a-b { margin-top: 0 }</style></head><body class="large-print">'
        '<p title="x-ray"><span class="unbroken">X-rays</span>, a <span class="unbroken">follow-up</span>, '
        '<span class="unbroken">555-0134</span> and post-laminectomy pain</p>'
        '<p><a href="https://a.example/book-now">a.example/book-now</a></p></body></html>'  # a link\'s text is its own
    )


def _lines(path: Path) -> list[str]:
    """The printed lines of a PDF's first page, as PDFium reads them."""
    document = pdfium.PdfDocument(path)
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    return [line.strip() for line in text.splitlines()]


# --- another condition -----------------------------------------------------------------------


@pytest.mark.pdf
def test_another_condition_gets_its_own_words(knee: tuple[Path, list[Output]], tmp_path: Path) -> None:
    out, outputs = knee
    assert [o.edition for o in outputs][:4] == ["overview", "trifold", "stiffness", "loosening"]
    overview = all_text(out / "overview-en-a4.pdf")
    assert "What is lasting pain after a knee replacement?" in overview
    patients = tmp_path / "knee.csv"
    patients.write_text(
        "record_id,patient_name,procedure,procedure_date,clinician,followup_date,followup_time,followup_place,"
        "leaflets,note\nK-1,Sam Patient,Knee replacement,2026-11-20,Dr Lee,2026-12-09,14:30,Knee clinic,stiffness,\n",
        encoding="utf-8",
    )
    assert main(["discharge", "--content", str(KNEE), "--patients", str(patients), "--out", str(tmp_path / "d")]) == 0
    handout = all_text(tmp_path / "d" / "K-1.pdf")
    assert "After your knee replacement" in handout
    for path in [tmp_path / "d" / "K-1.pdf", *(out / o.file for o in outputs)]:
        text = all_text(path).lower()
        assert "back surgery" not in text and "spine" not in text, path.name


def test_the_trifold_carries_what_the_content_chooses(knee: tuple[Path, list[Output]]) -> None:
    out, _ = knee
    inside = page_texts(out / "trifold-en-a4.pdf")[1]
    assert "When problems can show up" in inside  # trifold.carries: [timeline]
    assert "Tests that can help find the cause" not in inside
    assert "An X-ray can show" not in inside


def test_a_cause_leaflet_can_leave_out_the_treatment_lines(knee: tuple[Path, list[Output]]) -> None:
    out, _ = knee
    assert "Your team will talk with you" not in all_text(out / "stiffness-en-a4.pdf")  # treatment: false
    assert "Your team will talk with you" in all_text(out / "loosening-en-a4.pdf")


def _knee_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    shutil.copytree(KNEE.parent, tmp_path / "knee")
    content = tmp_path / "knee" / "content.yaml"
    text = content.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    content.write_text(text, encoding="utf-8")
    return content


OSTEOLYSIS = "  - term: Osteolysis\n    meaning: When bone wears away around a new joint.\n"


def test_a_listed_term_without_a_glossary_entry_stops_the_build(tmp_path: Path) -> None:
    content = _knee_copy(tmp_path, (OSTEOLYSIS, ""))
    with pytest.raises(QualityError) as caught:
        build(content, tmp_path / "out", only=["loosening"], check_only=True)
    assert (
        "plain words (loosening-en): uses 'osteolysis' (medical_terms.txt) but the glossary does not explain it"
        in str(caught.value)
    )


@pytest.mark.pdf
def test_an_uncommon_word_no_list_names_is_still_caught(tmp_path: Path) -> None:
    content = _knee_copy(tmp_path, (OSTEOLYSIS, ""), ("  medical_terms: medical_terms.txt\n", ""))
    findings: list = []
    build(content, tmp_path / "out", only=["loosening"], check_only=True, findings=findings)
    warnings = [f for f in findings if f.check == "plain words" and f.leaflet == "loosening-en"]
    assert [f.level for f in warnings] == ["warning"]
    assert warnings[0].message.startswith(
        "uncommon words no glossary entry explains (wordfreq Zipf below 3): osteolysis;"
    )
    with pytest.raises(QualityError):
        build(content, tmp_path / "out", only=["loosening"], check_only=True, gate=Gate(strict=True))


@pytest.mark.pdf
def test_a_language_wordfreq_does_not_know_is_not_checked_never_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaflets.checks import quality
    from leaflets.checks.plainwords import WordsNotChecked

    def no_word_list(texts: object, language: str, skip: object) -> list[str]:
        raise WordsNotChecked(f"wordfreq has no word list for '{language}'")

    monkeypatch.setattr(quality, "rare_words", no_word_list)
    findings: list = []
    build(KNEE, tmp_path / "out", only=["loosening"], check_only=True, findings=findings)
    plain = [f for f in findings if f.check == "plain words"]
    assert [f.level for f in plain] == ["not checked"]
    assert plain[0].message.startswith("wordfreq has no word list for 'en': uncommon words were not looked for")
    with pytest.raises(QualityError):
        build(KNEE, tmp_path / "out", only=["loosening"], check_only=True, gate=Gate(strict=True))


# --- fonts and names -------------------------------------------------------------------------

HEADER = [*REQUIRED, "note"]
NAMES = {
    "N-CJK": "王伟",
    "N-ARABIC": "محمد علي",
    "N-EMOJI": "Zoë 😀 Smith",
    "N-COMBINING": "Jose\u0301 Nun\u0303ez",
    "N-LONG": "Aleksandrabartholomewczykowskiegowiczson Smith",  # 40 letters: the longest word allowed
}


def _patients(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for record, name in NAMES.items():
            clinician = "dr.samantha.example-longaddress@hospital.example.org" if record == "N-LONG" else "Dr Lee"
            cells = [record, name, "Spinal fusion", "2026-11-18", clinician, "2026-12-16", "09:15", "Clinic 1"]
            writer.writerow([*cells, "scar-tissue", ""])
    return path


@pytest.mark.pdf
def test_names_in_any_script_are_made_or_named_by_row_and_column_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patients = _patients(tmp_path / "names.csv")
    code = main(["discharge", "--patients", str(patients), "--out", str(tmp_path / "d"), "--jobs", "1"])
    output = capsys.readouterr()
    assert code == 4
    made = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert made == ["N-COMBINING.pdf", "N-LONG.pdf"]
    assert "names.csv: row 2, column patient_name: has a character no embedded font can print" in output.err
    assert "names.csv: row 3, column patient_name: has a character no embedded font can print" in output.err
    assert "names.csv: row 4, column patient_name: has a character no embedded font can print" in output.err
    everything = output.out + output.err
    for name in NAMES.values():
        for character in name:
            if not character.isascii() and not character.isspace():
                assert character not in everything, f"U+{ord(character):04X} of a patient's name was printed"
    long = tmp_path / "d" / "N-LONG.pdf"
    assert edge_gaps(long) == []
    assert "Aleksandrabartholomew" in all_text(long)


@pytest.mark.pdf
def test_a_fallback_font_folder_prints_other_scripts_and_is_embedded(
    tmp_path: Path, content_copy: Callable[..., Path]
) -> None:
    (tmp_path / "fonts").mkdir()
    make_font(tmp_path / "fonts" / "fallback.ttf", " 王伟محمدعلي😀")  # a real font has a space too
    content = content_copy(("paper: a4 ", "fonts: fonts\npaper: a4 "))
    patients = _patients(tmp_path / "names.csv")
    out = str(tmp_path / "d")
    code = main(["discharge", "--content", str(content), "--patients", str(patients), "--out", out, "--jobs", "1"])
    # Pango draws emoji with an emoji font of the machine's whatever the family list says: the check on the
    # finished PDF catches it, so that row is refused rather than printed with a font we did not choose.
    assert code == 4
    made = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert made == ["N-ARABIC.pdf", "N-CJK.pdf", "N-COMBINING.pdf", "N-LONG.pdf"]
    with pikepdf.open(tmp_path / "d" / "N-CJK.pdf") as pdf:
        fonts = {str(font.get("/BaseFont")) for page in pdf.pages for font in page.Resources.Font.values()}
    assert any(FAMILY.replace(" ", "-") in name for name in fonts), fonts  # the name is bold: synthetic bold
    build(content, tmp_path / "out", only=["scar-tissue"])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in manifest["fonts"]][-1] == "fallback.ttf"


def test_a_content_character_no_font_has_is_located(content_copy: Callable[..., Path], tmp_path: Path) -> None:
    content = content_copy(("    - Treatments can help.", "    - ✔ Treatments can help."))
    with pytest.raises(ContentError) as caught:
        build(content, tmp_path / "out", only=["overview"])
    line = line_of(content, "✔ Treatments")
    assert str(caught.value.problems[0]) == (
        f"{content}:{line}:7: condition.key_points[2]: has characters no embedded font can print "
        "(U+2714 '✔'); write them another way, or add a font that has them to the folder named in `fonts:` "
        "(see docs/brand-and-fonts.md)"
    )


@pytest.mark.pdf
def test_the_machines_fonts_are_never_embedded(
    content_copy: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaflets.content.fonts import FontSet

    monkeypatch.setattr(FontSet, "missing", lambda self, text: set())  # as if the character check had not looked
    content = content_copy(("    - Treatments can help.", "    - ✔ Treatments can help."))
    with pytest.raises(BuildError, match="font"):
        build(content, tmp_path / "out", only=["overview"])
    assert not (tmp_path / "out" / "overview-en-a4.pdf").exists()


@pytest.mark.pdf
def test_past_review_every_edition_builds_with_its_banner_inside_the_printable_area(tmp_path: Path) -> None:
    """--allow-expired: the banner is body text (18 pt in large print) and gets its own top margin."""
    import datetime

    gate = Gate(allow_expired=True, today=datetime.date(2028, 1, 1))
    only = ["trifold", "scar-tissue", "scar-tissue-large-print"]
    outputs = build(ROOT / "content.yaml", tmp_path, languages=["en"], only=only, gate=gate)
    assert [o.edition for o in outputs] == only
    for output in outputs:
        path = tmp_path / output.file
        assert edge_gaps(path) == [], output.file
        assert all("Past review date" in text for text in page_texts(path)), output.file


# --- long content: the whole story however long, the tri-fold carrying what fits ------------------------


SPANISH_MASTER = FIXTURES / "spanish" / "content.yaml"
#: Headings of the parts the tri-fold can carry (trifold.carries), per language.
PART_HEADINGS = {
    "en": {
        "timeline": "When problems can show up",
        "tests": "Tests that can help find the cause",
        "helps": "What can help",
    },
    "es": {
        "timeline": "Cuándo puede haber problemas",
        "tests": "Pruebas que ayudan a hallar la causa",
        "helps": "Qué puede ayudar",
    },
}
#: Leaflets a larger clinic adds (fictional, for the tests): title, and the cause it explains.
MORE_LEAFLETS = [
    ("Pain from the small joints of the spine", "The joints at the back of the spine can wear and hurt."),
    ("When a nerve stays irritated", "A nerve can stay sore for a long time after surgery."),
    ("Muscle pain after back surgery", "Tight or weak back muscles can hurt after surgery."),
    ("Problems with screws and rods", "Metal parts put in during surgery can move or break."),
    ("Infection after spine surgery", "An infection near the spine can cause pain and fever."),
    ("Leg pain after back surgery", "Pain can spread down one leg when a nerve is pressed."),
    ("Living with long-term back pain", "Pain that lasts can change sleep, mood and work."),
    ("Medicines for pain after surgery", "Some pain medicines help for a short time only."),
]


def larger_clinic(folder: Path, count: int) -> Path:
    """The shipped content (English alone) with `count` cause leaflets: each added one explains a cause added to
    the list, and repeats a shipped leaflet's time facts, tests and helps (which the whole story prints once)."""
    data = yaml.safe_load((ROOT / "content.yaml").read_text(encoding="utf-8"))
    del data["translations"]
    shipped = list(data["cause_leaflets"])
    for number, (title, summary) in enumerate(MORE_LEAFLETS[: count - len(shipped)], start=1):
        leaflet = copy.deepcopy(shipped[number % len(shipped)]) | {"id": f"more-{number}", "title": title}
        data["cause_leaflets"].append(leaflet)
        data["causes"].append({"name": title, "summary": summary, "leaflet": leaflet["id"]})
    folder.mkdir()
    shutil.copytree(ROOT / "assets", folder / "assets")
    shutil.copy(ROOT / "medical_terms.txt", folder / "medical_terms.txt")
    (folder / "content.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder / "content.yaml"


def assert_whole_story(path: Path, outputs: list[Output], paper: str, language: str) -> None:
    """The overview and tri-fold of `path` built on `paper`: each on its two pages with every leaflet listed,
    no sentence printed twice, and the tri-fold carrying exactly the parts its warning (if any) does not leave out."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    titles = [leaflet["title"] for leaflet in content["cause_leaflets"]]
    for output in outputs:
        pdf = path.parent / "out" / paper / output.file
        assert output.pages == 2, output.file
        text = all_text(pdf)
        assert [title for title in titles if title not in text] == [], output.file
        assert repeated(printed_sentences(pdf)) == [], output.file
    (trifold,) = [o for o in outputs if o.edition == "trifold"]
    warned = [check["message"] for check in trifold.checks if check["check"] == "panels"]
    carried = (
        re.search(r"set `trifold.carries: \[(.*?)\]`", warned[0]).group(1).split(", ")
        if warned
        else content["trifold"]["carries"]
    )
    inside = page_texts(path.parent / "out" / paper / trifold.file)[1]
    for part, heading in PART_HEADINGS[language].items():
        assert (heading in inside) == (part in carried), (part, warned)


@pytest.mark.pdf
@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("count", [8, 12])
def test_a_clinic_with_many_leaflets_lists_them_all(tmp_path: Path, count: int, paper: str) -> None:
    content = larger_clinic(tmp_path / "clinic", count)
    outputs = build(content, tmp_path / "clinic" / "out" / paper, paper=paper, only=["overview", "trifold"])
    assert_whole_story(content, outputs, paper, "en")


@pytest.mark.pdf
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_clinic_writing_in_spanish_gets_its_overview_and_trifold(tmp_path: Path, paper: str) -> None:
    # Written in Spanish from the start, faithfully and about a fifth longer than the English (not the shipped
    # translation, which was fitted to these pages): the tri-fold was fitted to the English and stopped.
    shutil.copytree(SPANISH_MASTER.parent, tmp_path / "spanish")
    content = tmp_path / "spanish" / "content.yaml"
    outputs = build(content, tmp_path / "spanish" / "out" / paper, paper=paper, only=["overview", "trifold"])
    assert_whole_story(content, outputs, paper, "es")
    assert [check for output in outputs for check in output.checks if check["check"] == "panels"] == []  # all of it
