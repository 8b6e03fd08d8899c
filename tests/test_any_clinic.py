"""Any clinic, any condition, any name: content, logos and patients the project was not tuned to.

Two fixtures beside the shipped content, each built in full here:
- tests/fixtures/second-clinic: a long clinic name, a 4:1 PNG wordmark, a long booking URL, US Letter;
- tests/fixtures/knee: another condition (pain after knee replacement), its own term list, a tall SVG mark.
"""

from __future__ import annotations

import copy
import csv
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

from leaflets.build.plan import Gate, Output, build
from leaflets.cli import main
from leaflets.discharge.patients import REQUIRED
from leaflets.errors import BuildError, ContentError, QualityError
from tests.conftest import ROOT, line_of
from tests.pdfread import MM_PER_POINT, page_texts, printed_sentences, repeated
from tests.testfont import FAMILY, make_font

FIXTURES = ROOT / "tests" / "fixtures"
SECOND_CLINIC = FIXTURES / "second-clinic" / "content.yaml"
KNEE = FIXTURES / "knee" / "content.yaml"
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
    # The printed address is the URL's own host (the QR code and the link go there too).
    assert "appointments.stbrigids.example.org" in text
    assert "/musculoskeletal/spine-and-pain" not in text
    assert "Published October 15, 2026" in text  # language: en-US


def test_a_wide_wordmark_keeps_its_proportions(second_clinic: tuple[Path, list[Output]]) -> None:
    out, _ = second_clinic
    document = pdfium.PdfDocument(out / "overview-en-US-letter.pdf")
    try:
        images = list(document[0].get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
        ratios = [(x1 - x0) / (y1 - y0) for x0, y0, x1, y1 in (image.get_bounds() for image in images)]
    finally:
        document.close()
    assert any(abs(ratio - 4.0) < 0.05 for ratio in ratios), ratios  # the PNG is 800 x 200 pixels


@pytest.mark.parametrize("which", ["second-clinic", "knee"])
def test_nothing_is_printed_within_5_mm_of_the_paper_edge(
    which: str, second_clinic: tuple[Path, list[Output]], knee: tuple[Path, list[Output]]
) -> None:
    out, outputs = second_clinic if which == "second-clinic" else knee
    for output in outputs:
        assert edge_gaps(out / output.file) == [], output.file


def test_shipped_leaflets_keep_5_mm_from_the_edge(built: tuple[str, Path, list[Output]]) -> None:
    _, out, outputs = built
    for output in outputs:
        assert edge_gaps(out / output.file) == [], output.file


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


# --- another condition -----------------------------------------------------------------------


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


def test_a_language_wordfreq_does_not_know_is_not_checked_never_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaflets.checks import quality

    monkeypatch.setattr(quality, "rare_words", lambda texts, language, skip: None)
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


def test_the_machines_fonts_are_never_embedded(
    content_copy: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaflets.render.fonts import FontSet

    monkeypatch.setattr(FontSet, "missing", lambda self, text: set())  # as if the character check had not looked
    content = content_copy(("    - Treatments can help.", "    - ✔ Treatments can help."))
    with pytest.raises(BuildError, match="font"):
        build(content, tmp_path / "out", only=["overview"])
    assert not (tmp_path / "out" / "overview-en-a4.pdf").exists()


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


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("count", [8, 12])
def test_a_clinic_with_many_leaflets_lists_them_all(tmp_path: Path, count: int, paper: str) -> None:
    content = larger_clinic(tmp_path / "clinic", count)
    outputs = build(content, tmp_path / "clinic" / "out" / paper, paper=paper, only=["overview", "trifold"])
    assert_whole_story(content, outputs, paper, "en")


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_clinic_writing_in_spanish_gets_its_overview_and_trifold(tmp_path: Path, paper: str) -> None:
    # Written in Spanish from the start, faithfully and about a fifth longer than the English (not the shipped
    # translation, which was fitted to these pages): the tri-fold was fitted to the English and stopped.
    shutil.copytree(SPANISH_MASTER.parent, tmp_path / "spanish")
    content = tmp_path / "spanish" / "content.yaml"
    outputs = build(content, tmp_path / "spanish" / "out" / paper, paper=paper, only=["overview", "trifold"])
    assert_whole_story(content, outputs, paper, "es")
    assert [check for output in outputs for check in output.checks if check["check"] == "panels"] == []  # all of it
