"""Spanish: content.es.yaml built on A4 and Letter and read back, its reading level, its quality gate, discharge."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from leaflets.checks.quality import NOT_CHECKED, PASS, WARNING, Finding, check_actionability, check_reading_level
from leaflets.checks.readability import (
    WORD,
    fernandez_huerta_band,
    inflesz,
    measure,
    sentences,
    spanish_syllables,
    syllable_counter,
)
from leaflets.cli import main
from leaflets.content import wording
from leaflets.content.editions import editions
from leaflets.content.sources import load_content
from leaflets.pipeline.plan import Output, build
from leaflets.render.html import booking_qr, render_html
from leaflets.render.layout import headroom
from leaflets.render.pdf import PdfWriter
from tests.conftest import CONTENT, ROOT
from tests.pdfread import assert_in_order, page_texts, printed_sentences, repeated

SPANISH = ROOT / "content.es.yaml"
FIXTURE = ROOT / "tests" / "fixtures" / "patients.csv"
# Spanish runs longer than English: some large-print editions take a page more, all within budget.
SPANISH_PAGES = {
    "a4": {
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
    },
    "letter": {
        "overview": 2,
        "trifold": 2,
        "failed-fusion": 1,
        "failed-decompression": 1,
        "scar-tissue": 1,
        "rehabilitation": 1,
        "overview-large-print": 6,
        "failed-fusion-large-print": 3,
        "failed-decompression-large-print": 3,
        "scar-tissue-large-print": 3,
        "rehabilitation-large-print": 3,
    },
}
# Room to spare on the fullest page or panel: at least one line of body text (12 pt at 1.5 line spacing).
MIN_HEADROOM_MM = 6.35

Built = tuple[str, Path, list[Output]]


@pytest.fixture(scope="module", params=["a4", "letter"])
def built_es(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Every Spanish leaflet, built from the master's translation once per paper size."""
    out = tmp_path_factory.mktemp(f"es-{request.param}")
    return request.param, out, build(CONTENT, out, paper=request.param, languages=["es"])


# --- reading level, by hand ---------------------------------------------------------------------------


def test_spanish_syllables_follow_the_rules_of_spanish_spelling() -> None:
    # Diphthongs stay one syllable (des-pués, pue-de, ciu-dad); a hiatus splits (ci-ru-gí-a, pa-ís, le-er, a-or-ta);
    # u is silent in que/gui; y is a vowel at the end of a word (muy) and a consonant before one (ma-yo).
    words = {
        "después": 2,
        "Después": 2,
        "columna": 3,
        "médula": 3,
        "estenosis": 4,
        "cirugía": 4,
        "rehabilitación": 6,
        "país": 2,
        "leer": 2,
        "aorta": 3,
        "puede": 2,
        "ciudad": 2,
        "que": 1,
        "guía": 2,
        "pingüino": 3,
        "muy": 1,
        "mayo": 2,
        "y": 1,
        "12": 1,
    }
    assert {word: spanish_syllables(word) for word in words} == words
    assert syllable_counter("es-MX") is spanish_syllables
    assert syllable_counter("zh") is None


def test_words_and_sentences_are_unicode_aware() -> None:
    assert WORD.findall("¿Después? ¡Sí! Canal-espinal, médula.") == ["Después", "Sí", "Canal-espinal", "médula"]
    assert sentences(["¿Qué es la estenosis? Es un canal estrecho. ¡Llame hoy!"]) == [
        "¿Qué es la estenosis?",
        "Es un canal estrecho.",
        "¡Llame hoy!",
    ]


def test_spanish_scores_match_a_hand_computed_example() -> None:
    # 'Después de la operación, el dolor puede volver. ¡Llame a su médico!'
    #   sentence 1: Des-pués 2, de 1, la 1, o-pe-ra-ción 4, el 1, do-lor 2, pue-de 2, vol-ver 2 = 8 words, 15 syllables
    #   sentence 2: Lla-me 2, a 1, su 1, mé-di-co 3 = 4 words, 7 syllables
    #   2 sentences, 12 words, 22 syllables; 2 words of 3+ syllables (operación, médico)
    #   Szigriszt-Pazos = 206.835 - 62.3 * 22/12 - 12/2 = 206.835 - 114.2167 - 6 = 86.6183 (INFLESZ: very easy)
    #   Fernández-Huerta = 206.84 - 0.60 * (100 * 22/12) - 1.02 * 12/2 = 206.84 - 110 - 6.12 = 90.72 (very easy)
    result = measure(["Después de la operación, el dolor puede volver. ¡Llame a su médico!"], "es")
    assert (result.sentences, result.words, result.syllables, result.polysyllables) == (2, 12, 22, 2)
    assert result.szigriszt_pazos == pytest.approx(86.6183, abs=0.001)
    assert result.fernandez_huerta == pytest.approx(90.72, abs=0.001)
    bands = inflesz(result.szigriszt_pazos), fernandez_huerta_band(result.fernandez_huerta)
    assert bands == ("very easy", "very easy")


def test_inflesz_bands_at_their_edges() -> None:
    # Barrio-Cantalejo et al. 2008: <40 very hard, 40-55 somewhat hard, 55-65 normal, 65-80 fairly easy, >80 very easy.
    scores = {39.9: "very hard", 40: "somewhat hard", 54.9: "somewhat hard", 55: "normal", 64.9: "normal"}
    scores |= {65: "fairly easy", 80: "very easy"}
    assert {score: inflesz(score) for score in scores} == scores


def test_hard_spanish_is_a_warning_naming_the_sentence_to_rewrite() -> None:
    content = load_content(SPANISH)
    hard = (
        "La rehabilitación postoperatoria multidisciplinaria individualizada necesita una prescripción "
        "fisioterapéutica considerando comorbilidades."
    )
    (finding,) = check_reading_level(content, "x", [("Por qué", [hard, "Siga con su rehabilitación."])])
    assert finding.level == WARNING
    assert finding.message.startswith("INFLESZ ")
    assert "is below 65, the target for patient materials (Barrio-Cantalejo et al. 2008: 65-80 fairly easy)" in (
        finding.message
    )
    assert f'rewrite first: "{hard}"' in finding.message


def test_a_language_without_a_formula_is_not_checked_never_passed() -> None:
    content = load_content(SPANISH).model_copy(update={"language": "zh"})
    (finding,) = check_reading_level(content, "x", [("要点", ["手术后疼痛可能会复发。"])])
    assert (finding.level, finding.figure) == (NOT_CHECKED, "not measured")
    assert finding.message == (
        "no reading-level formula for 'zh' (there is one for en, es, fr, de, it, pt, nl): the reading level was "
        "not measured; a person who reads the language can review it and record it in quality.reading_review "
        "(see docs/quality-gate.md)"
    )


# --- actionability ---------------------------------------------------------------------------------


def test_actionability_uses_the_spanish_reader_words() -> None:
    content = load_content(SPANISH)
    strings = wording.shipped()["es"]
    good = check_actionability(content, "x", [("Puntos clave", ["Siga con su rehabilitación."])], strings)
    assert [f.level for f in good] == [PASS]
    # 'you' is no Spanish: an English word does not count, nor does a verb about the pain ("puede").
    bad = check_actionability(content, "x", [("Puntos clave", ["El dolor puede volver. You can call."])], strings)
    assert bad == [
        Finding(
            "actionability",
            WARNING,
            "x",
            "missing (AHRQ PEMAT): an action addressed to the reader ('usted')",
        )
    ]
    # Without strings, the content's language picks them.
    assert check_actionability(content, "x", [("Puntos clave", ["¿Usted tiene dolor?"])]) == [
        Finding(
            "actionability",
            PASS,
            "x",
            "holds: a summary at the top; an action addressed to the reader ('usted'); a phone number to get help; "
            "a heading on every section",
            "4/4",
        )
    ]


def test_every_language_has_the_same_fixed_wording_keys() -> None:
    table = wording.shipped()
    assert set(table["es"]) == set(table["en"])
    assert table["en"]["reader_words"] == ["you", "your"]


# --- the gate on the shipped Spanish content ---------------------------------------------------------------------


@pytest.mark.pdf
def test_spanish_content_passes_strict_check(tmp_path: Path) -> None:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["--check", "--strict", "--content", str(SPANISH), "--out", str(tmp_path)])
    assert code == 0, stdout.getvalue()
    assert "\nerrors (warnings count as errors with --strict): none\n" in stdout.getvalue()
    records = json.loads((tmp_path / "quality.json").read_text())
    assert all(r["level"] == PASS for r in records)
    reading = {r["leaflet"]: r["figure"] for r in records if r["check"] == "reading level"}
    assert set(reading) == {e.label for e in editions(load_content(SPANISH)) if e.style != "large-print"}
    for figure in reading.values():
        score = int(figure.split()[1])
        assert figure == f"INFLESZ {score} ({inflesz(score)})" and score >= 65, figure
    words = {r["leaflet"]: r["message"] for r in records if r["check"] == "plain words" and r["leaflet"] != "all"}
    assert "(medical_terms.es.txt) and every word against wordfreq (es, Zipf 3)" in words["failed-decompression-es"]


@pytest.mark.pdf
def test_english_reading_level_is_unchanged(tmp_path: Path) -> None:
    findings: list[Finding] = []
    build(CONTENT, tmp_path, only=["failed-decompression"], findings=findings, languages=["en"])
    (reading,) = [f for f in findings if f.check == "reading level"]
    assert (reading.level, reading.figure) == (PASS, "4.6 / 7.7")
    assert reading.message.startswith("grade 4.6 (Flesch-Kincaid), 7.7 (SMOG); sections: ")


# --- the built Spanish PDFs ----------------------------------------------------------------------------------


@pytest.mark.pdf
def test_every_spanish_edition_is_built_within_its_budget(built_es: Built) -> None:
    paper, out, outputs = built_es
    assert {o.edition: o.pages for o in outputs} == SPANISH_PAGES[paper]
    for output in outputs:
        edition = next(e for e in editions(load_content(SPANISH)) if e.name == output.edition)
        with pikepdf.open(out / output.file) as pdf:
            assert len(pdf.pages) == SPANISH_PAGES[paper][output.edition] <= edition.max_pages
            assert str(pdf.Root.Lang) == "es"
            assert "EXS-FBSS-001-ES" in str(pdf.docinfo["/Keywords"])


@pytest.mark.pdf
def test_no_spanish_sentence_is_printed_twice(built_es: Built) -> None:
    _, out, outputs = built_es
    for output in outputs:
        if output.edition in ("overview", "trifold"):
            sentences = printed_sentences(out / output.file)
            assert len(sentences) > 40 and repeated(sentences) == [], output.file


@pytest.mark.pdf
def test_spanish_pages_carry_spanish_wording(built_es: Built) -> None:
    _, out, outputs = built_es
    for output in outputs:
        pages = page_texts(out / output.file)
        if output.edition == "trifold":  # a brochure has panels, not numbered pages; the back panel has the dates
            assert "Publicado 2 de noviembre de 2026 · Próxima revisión 2 de noviembre de 2027" in pages[0]
            continue
        for number, text in enumerate(pages, start=1):
            assert f"Página {number} de {len(pages)}" in text
            assert_in_order(
                text,
                [
                    "Ref. EXS-FBSS-001-ES",
                    "Versión 1.0",
                    "Publicado 2 de noviembre de 2026",
                    "Próxima revisión 2 de noviembre de 2027",
                    "Aprobado por: Patient Information Group",
                ],
            )
    overview = " ".join(page_texts(out / next(o.file for o in outputs if o.edition == "overview")))
    assert_in_order(
        overview,
        [
            "Síndrome de cirugía fallida de espalda",
            "Puntos clave",
            "¿Qué es el síndrome de cirugía fallida de espalda?",
            "¿Qué lo puede causar?",
            "Cuándo puede haber problemas",
            "Pruebas que ayudan a hallar la causa",
            "Qué puede ayudar",
            "Palabras que usamos",
            "Pida una cita",
        ],
    )
    assert "Page " not in overview and "Key points" not in overview


@pytest.mark.pdf
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_tightest_spanish_leaflets_keep_a_line_to_spare(paper: str) -> None:
    # The tightest English leaflets are failed-decompression (Letter) and the tri-fold (its fullest panel);
    # Spanish runs about a fifth longer, so these are laid out and measured.
    content = load_content(SPANISH)
    logo = (SPANISH.parent / content.brand.logo).resolve()
    writer = PdfWriter([logo], booking_qr(content))
    for edition in editions(content):
        if edition.name not in ("overview", "trifold", "failed-decompression"):
            continue
        html = render_html(content, edition, paper, logo.as_uri())
        rendered = writer.render(html, edition.stylesheets(paper), edition.max_pages, edition.name)
        room = headroom(rendered.document)
        assert room >= MIN_HEADROOM_MM, f"{edition.name} ({paper}): only {room:.1f} mm to spare"


@pytest.mark.pdf
def test_the_deeper_spanish_footer_is_measured_once_not_by_laying_out_each_leaflet_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The Spanish footer needs a third line, so its margin is deepened. Measured on the margins-only page,
    # once per writer, each leaflet is laid out once, into the same bytes as laying it out twice.
    import weasyprint

    content = load_content(SPANISH)
    logo = (SPANISH.parent / content.brand.logo).resolve()
    writer = PdfWriter([logo], booking_qr(content), source_date=content.governance.published)
    layouts: list[str] = []  # the HTML of each layout
    html_of = weasyprint.HTML
    monkeypatch.setattr(weasyprint, "HTML", lambda string, **kw: layouts.append(string) or html_of(string=string, **kw))
    for edition in [e for e in editions(content) if e.name in ("scar-tissue", "rehabilitation")]:
        html = render_html(content, edition, "a4", logo.as_uri())
        margins = render_html(content, edition, "a4", logo.as_uri(), margins_only=True)
        assert "Próxima revisión" in margins and "<h1" not in margins and "<main" not in margins
        layouts.clear()
        twice = writer.render(html, edition.stylesheets("a4"), edition.max_pages, edition.name)
        assert layouts == [html, html]  # without the measure: laid out, then again with the deeper margin
        layouts.clear()
        once = writer.render(html, edition.stylesheets("a4"), edition.max_pages, edition.name, margins=margins)
        measured = [margins, margins] if edition.name == "scar-tissue" else []  # the first leaflet's only
        assert layouts == [*measured, html]
        assert once.data == twice.data
        assert once.footer_pt[0] > 17 / 25.4 * 72 + 1  # deeper than the stylesheet's 17 mm


# --- discharge -----------------------------------------------------------------------------------------------


@pytest.mark.pdf
def test_discharge_handouts_build_in_spanish(tmp_path: Path) -> None:
    out = tmp_path / "handouts"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(
            ["discharge", "--content", str(SPANISH), "--patients", str(FIXTURE), "--out", str(out), "--jobs", "1"]
        )
    assert code == 4  # the fixture's bad rows; the good ones are made
    assert sorted(p.name for p in out.glob("*.pdf")) == ["EXS-0001.pdf", "EXS-0002.pdf", "EXS-0006.pdf"]
    with pikepdf.open(out / "EXS-0001.pdf") as pdf:
        assert str(pdf.Root.Lang) == "es"
    pages = page_texts(out / "EXS-0001.pdf")
    assert_in_order(
        pages[0],
        [
            "Después de su operación de espalda",
            "Su información al recibir el alta",
            "Sus datos",
            "20 de noviembre de 2026",
            "Su cita de seguimiento",
            "9 de diciembre de 2026, 14:30",
            "Si tiene preguntas o problemas, llámenos al 555-0134.",
            "Cuando el tejido de cicatriz causa dolor",
        ],
    )
    assert all(f"Página {n} de {len(pages)}" in text for n, text in enumerate(pages, start=1))
    assert "Sus preguntas para la próxima cita" in " ".join(pages)


# --- dates by language and region (CLDR, through Babel) ---------------------------------------


@pytest.mark.pdf
@pytest.mark.parametrize(
    ("language", "published"),
    [("en", "2 November 2026"), ("en-GB", "2 November 2026"), ("en-US", "November 2, 2026")],
)
def test_a_region_gives_its_own_dates(content_copy: Any, tmp_path: Path, language: str, published: str) -> None:
    content = content_copy(("language: en ", f"language: {language} "))
    build(content, tmp_path / "out", only=["scar-tissue"])
    text = " ".join(page_texts(tmp_path / "out" / f"scar-tissue-{language}-a4.pdf"))
    assert f"Published {published}" in text
    with pikepdf.open(tmp_path / "out" / f"scar-tissue-{language}-a4.pdf") as pdf:
        assert str(pdf.Root.Lang) == language


def test_a_region_cldr_does_not_know_is_located(content_copy: Any, tmp_path: Path) -> None:
    from leaflets.errors import ContentError

    content = content_copy(("language: en ", "language: en-XX "))
    with pytest.raises(ContentError) as caught:
        build(content, tmp_path / "out", only=["scar-tissue"])
    assert str(caught.value.problems[0]).endswith(
        "language: 'en-XX' is not a language and region CLDR knows; write it like en-GB or es-MX"
    )
