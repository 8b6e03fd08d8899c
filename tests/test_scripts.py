"""Every patient's script: the checks on the words, the fonts and the reading level in any language.

Each word check on a hand-made example per script (Latin: English, Spanish, Portuguese; Arabic with its joined
prefixes; Chinese without spaces), each reading-level formula against a worked example, font collections, and
the reading-level review a clinic records for a language no formula measures.
"""

# ruff: noqa: RUF001 - Chinese is written with full-width punctuation: the examples are meant to have it.
from __future__ import annotations

import datetime
import importlib.util
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
import yaml
from markupsafe import escape
from wordfreq import zipf_frequency

from leaflets.checks.plainwords import Vocabulary, WordsNotChecked, entry_for, listed_terms, rare_words
from leaflets.checks.quality import (
    ERROR,
    NOT_CHECKED,
    PASS,
    REVIEWED,
    WARNING,
    Finding,
    check_actionability,
    check_plain_words,
    check_reading_level,
    check_unused_glossary,
    failures,
    format_report,
)
from leaflets.checks.readability import FORMULAS, measure, sentences
from leaflets.checks.syllables import dutch_syllables, french_syllables, german_syllables, portuguese_syllables
from leaflets.cli import main
from leaflets.content import wording, words
from leaflets.content.editions import Edition, editions, glossary_for, sections
from leaflets.content.fonts import font_set
from leaflets.content.printable import first_long_word
from leaflets.content.schema import Content, GlossaryEntry, ReadingReview, Section
from leaflets.content.sources import load_content
from leaflets.errors import BuildError
from leaflets.pipeline.plan import build
from leaflets.render.html import render_html
from tests.conftest import CONTENT
from tests.pdfread import page_texts
from tests.testfont import make_collection, make_font

MakeContent = Callable[..., Path]


def content_in(
    language: str, title: str, paragraphs: list[str], glossary: list[GlossaryEntry]
) -> tuple[Content, Edition]:
    """A content in `language` whose first cause leaflet says only `title` and `paragraphs`; that leaflet."""
    master = load_content(CONTENT)
    section = Section(heading=title, paragraphs=paragraphs)
    leaflet = master.cause_leaflets[0].model_copy(
        update={
            "title": title,
            "main_message": title,
            "sections": [section],
            "timeline": [],
            "tests": [],
            "helps": [],
            "treatment": False,
        }
    )
    content = master.model_copy(
        update={
            "language": language,
            "condition": master.condition.model_copy(update={"title": title}),
            "cause_leaflets": [leaflet],
            "brand": master.brand.model_copy(update={"other_formats": title, "disclaimer": title}),
            "glossary": glossary,
        }
    )
    (edition,) = [e for e in editions(content) if e.kind == "cause" and e.style == "standard"]
    return content, edition


def entry(term: str, *also: str) -> GlossaryEntry:
    return GlossaryEntry(term=term, meaning="a plain meaning", also=list(also))


def terms(*lines: str) -> Vocabulary:
    return Vocabulary(lines, "terms.txt")


# --- Latin script: a term-list line goes to the entry whose word the leaflet uses ---------------------------------


def test_english_a_stem_goes_to_the_entry_whose_word_is_used() -> None:
    # The users' case: term list `lymph`, entries "Lymph nodes" and "Lymphoedema", a leaflet saying only
    # "lymphoedema". Before, the stem went to the first entry it started ("Lymph nodes"), not printed: an error.
    glossary = [entry("Lymph nodes"), entry("Lymphoedema")]
    content, edition = content_in("en", "Swelling", ["Swelling called lymphoedema can follow surgery."], glossary)
    assert [e.term for e in glossary_for(content, edition)] == ["Lymphoedema"]
    (finding,) = check_plain_words(content, edition, terms("lymph"))
    assert (finding.level, finding.figure) == (PASS, "1 explained")
    assert check_unused_glossary(content, [edition]) == [
        Finding("plain words", WARNING, "all", "glossary entry 'Lymph nodes' is not used by any leaflet")
    ]
    # Said the other way round, the other entry is the one needed.
    assert entry_for("lymph nodes", glossary, "en", "lymph") == glossary[0]
    assert entry_for("lymphoedema", glossary, "en", "lymph") == glossary[1]


def test_english_a_listed_word_only_part_of_a_term_comes_close_to_is_an_error() -> None:
    content, edition = content_in("en", "Swelling", ["Lymphoedema can follow surgery."], [entry("Lymph nodes")])
    assert glossary_for(content, edition) == []
    assert check_plain_words(content, edition, terms("lymph")) == [
        Finding(
            "plain words",
            ERROR,
            edition.label,
            "uses 'lymphoedema' (terms.txt: 'lymph'), which only the glossary entry 'Lymph nodes' comes close to, "
            "and the leaflet does not use that term, so it is not printed: give the word an entry of its own, or "
            "add it to that entry's `also`",
        )
    ]


def test_spanish_a_stem_finds_the_second_word_of_a_term() -> None:
    glossary = [entry("Médula espinal"), entry("Estenosis")]
    content, edition = content_in("es", "Su espalda", ["La médula espinal pasa por la columna."], glossary)
    assert listed_terms("La médula espinal pasa.", ["espinal"], "es") == {"espinal": ["espinal"]}
    assert entry_for("espinal", glossary, "es", "espinal") == glossary[0]
    assert [f.level for f in check_plain_words(content, edition, terms("espinal", "estenos"))] == [PASS]


def test_portuguese_a_stem_of_the_second_word_and_the_best_entry() -> None:
    # "Gânglios linfáticos": before, a stem of its second word found no entry (only the first word was looked at).
    glossary = [entry("Gânglios linfáticos"), entry("Linfedema")]
    text = ["Os gânglios linfáticos do pescoço podem inchar.", "O linfedema é um inchaço."]
    content, edition = content_in("pt", "O inchaço", text, glossary)
    assert listed_terms("\n".join(text), ["linf"], "pt") == {"linf": ["linfáticos", "linfedema"]}
    assert [entry_for(word, glossary, "pt", "linf") for word in ("linfáticos", "linfedema")] == glossary
    assert [e.term for e in glossary_for(content, edition)] == ["Gânglios linfáticos", "Linfedema"]
    found = check_plain_words(content, edition, terms("linf"))
    assert [f.level for f in found if f.level == ERROR] == []


# --- Arabic: the joined prefixes ------------------------------------------------------------------------------

ARABIC = [
    "وبالعلاج الطبيعي يتحسن الألم بعد العملية.",  # "and with physiotherapy the pain gets better after the operation"
    "وللمريض حق السؤال، وأنت تستطيع الاتصال بنا.",  # "and the patient may ask, and you can call us"
]


def test_arabic_prefixes_are_taken_off_in_the_rule_the_docs_state() -> None:
    assert words.arabic_forms("والعلاج") == ("والعلاج", "العلاج", "علاج")  # wa + al + ilaj
    assert words.arabic_forms("بالعلاج") == ("بالعلاج", "العلاج", "علاج")  # bi + al + ilaj
    assert words.arabic_forms("للمريض") == ("للمريض", "لمريض", "مريض")  # li + (a)l + marid
    assert words.arabic_forms("وللمريض")[-1] == "مريض"
    assert words.arabic_forms("فم") == ("فم",)  # "mouth": nothing left to take off from two letters
    assert words.forms("والعلاج", "en") == ("والعلاج",)  # the rule is Arabic's


def test_arabic_terms_glossary_and_reader_are_found_through_their_prefixes() -> None:
    glossary = [entry("العلاج الطبيعي"), entry("المريض")]
    content, edition = content_in("ar", "العلاج", ARABIC, glossary)
    assert glossary_for(content, edition) == glossary
    assert listed_terms("\n".join(ARABIC), ["علاج", "مريض"], "ar") == {"علاج": ["وبالعلاج"], "مريض": ["وللمريض"]}
    assert entry_for("وبالعلاج", glossary, "ar", "علاج") == glossary[0]
    assert entry_for("وللمريض", glossary, "ar", "مريض") == glossary[1]
    assert [f.level for f in check_plain_words(content, edition, terms("علاج", "مريض"))] == [PASS]
    # The reader's word "you" (أنت) is written joined to "and" (وأنت): before, the action item was missing.
    (action,) = check_actionability(content, "x", [("العلاج", ARABIC)], {"reader_words": ["أنت"]})
    assert action.level == PASS


def test_arabic_words_with_prefixes_are_not_uncommon() -> None:
    # Written with their prefixes, these everyday words are rare in wordfreq's list: the false warnings users saw.
    assert max(zipf_frequency(word, "ar") for word in ("وبالعلاج", "وللمريض")) < 3
    assert rare_words(ARABIC, "ar", frozenset()) == []


# --- Chinese: no spaces ---------------------------------------------------------------------------------------

CHINESE = [
    "颈部淋巴结肿大。",
    "如果您有淋巴水肿，请联系我们。",
]  # "swollen neck lymph nodes"; "if you have lymphoedema, call us"


def test_chinese_terms_glossary_and_reader_are_found_without_spaces() -> None:
    glossary = [entry("淋巴结"), entry("淋巴水肿")]
    content, edition = content_in("zh", "淋巴", CHINESE, glossary)
    # Before: "淋巴结 not used by any leaflet", "您" missing, and the stem to the wrong entry.
    assert glossary_for(content, edition) == glossary
    assert check_unused_glossary(content, [edition]) == []
    assert listed_terms("".join(CHINESE), ["淋巴"], "zh") == {"淋巴": ["颈部淋巴结肿大", "如果您有淋巴水肿"]}
    assert [entry_for(used, glossary, "zh", "淋巴") for used in ("颈部淋巴结肿大", "如果您有淋巴水肿")] == glossary
    found = check_plain_words(content, edition, terms("淋巴"))
    assert [f.level for f in found] == [PASS], found
    (action,) = check_actionability(content, "x", [("淋巴", CHINESE)], {"reader_words": ["您", "你"]})
    assert action.level == PASS


def test_chinese_is_cut_into_words_without_a_file_in_the_temp_folder_or_a_line_on_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from wordfreq import chinese

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(chinese, "jieba_tokenizer", None)  # as in a new process
    # wordfreq's segmenter cuts a word its list lacks into characters: 骨赘 ("osteophyte") gives the rare 赘.
    assert rare_words(["请联系诊所，可能有骨赘。"], "zh", frozenset()) == ["赘"]
    assert entry_for("赘", [entry("骨赘")], "zh") == entry("骨赘")
    # jieba by itself writes jieba.u<hash>.cache there (and reads one anyone could have put there), and logs.
    assert list(temp.iterdir()) == []
    assert capfd.readouterr() == ("", "")


@pytest.mark.skipif(importlib.util.find_spec("MeCab") is not None, reason="MeCab is installed here")
def test_japanese_without_mecab_is_not_checked_naming_what_to_install() -> None:
    content, edition = content_in("ja", "手術", ["手術の後で痛みが戻ることがあります。"], [entry("手術")])
    with pytest.raises(WordsNotChecked) as caught:
        rare_words(["手術の後で痛みが戻ることがあります。"], "ja", frozenset())
    assert str(caught.value) == (
        "wordfreq needs MeCab and its Japanese dictionary (pip install 'fbss-leaflets[japanese-korean]') to find "
        "the words of 'ja'"
    )
    (finding,) = check_plain_words(content, edition, terms("手術"))
    assert (finding.level, finding.figure) == (NOT_CHECKED, NOT_CHECKED)


def test_a_script_without_spaces_is_never_one_long_word() -> None:
    clause = "手术后疼痛可能会复发如果您有任何问题请随时联系我们的诊所团队" * 2  # 60 characters, no space
    assert first_long_word(clause) is None
    assert first_long_word("한국어문장입니다" * 6) is None  # Hangul breaks between syllables too
    latin = "Pneumonoultramicroscopicsilicovolcanoconiosis"  # 45 letters
    assert first_long_word(clause + latin + " " + clause) == latin
    assert first_long_word("a" * 40) is None and first_long_word("a" * 41) == "a" * 41


# --- punctuation from the wording -----------------------------------------------------------------------------


def test_sentences_end_with_the_languages_own_mark(tmp_path: Path) -> None:
    content = load_content(CONTENT)
    overview = editions(content)[0]
    chinese = {**wording.shipped()["en"], "sentence_end": "。", "colon": "："}
    causes = dict(sections(content, overview, chinese))[chinese["what_causes_it"]]
    first = content.causes[0]
    assert f"{first.name}。{first.summary}" in causes
    assert sentences([f"{first.name}。{first.summary}"]) == [f"{first.name}。", first.summary]
    # The printed list says it so too: the mark bold with the name, no Latin '. ' left in the template.
    content.use_wording(chinese)
    html = render_html(content, overview, "a4", (CONTENT.parent / content.brand.logo).resolve().as_uri())
    assert f"<strong>{escape(first.name)}。</strong>{escape(first.summary)}</li>" in html
    assert wording.shipped()["en"]["sentence_end"] == wording.shipped()["es"]["sentence_end"] == ". "
    # A clinic's wording file written before the entry existed still loads, and gets ". ".
    block = {key: value for key, value in wording.shipped()["en"].items() if key not in wording.DEFAULTS}
    path = tmp_path / "strings.yaml"
    path.write_text(yaml.safe_dump({"fr": block}, allow_unicode=True), encoding="utf-8")
    assert wording.table(path).blocks["fr"]["sentence_end"] == ". "


# --- reading level: each formula against a worked example -----------------------------------------------------


def test_the_new_syllable_rules_on_words_whose_syllables_are_known() -> None:
    # French, spoken: final mute e silent; é ends its syllable; è and a diaeresis start one; l' has none.
    french = {"opération": 4, "l'opération": 4, "réalité": 4, "poème": 2, "naïf": 2, "une": 1, "colonne": 2}
    german = {"Operation": 5, "Wirbelsäule": 4, "beobachten": 4, "Arzt": 1, "Abend": 2, "Feuer": 2}
    portuguese = {"cirurgia": 4, "saúde": 3, "muito": 2, "água": 2, "operação": 4, "mãe": 1, "dia": 2}
    dutch = {"operatie": 4, "ideeën": 3, "geïnteresseerd": 5, "ziekenhuis": 3, "piano": 3, "leeuw": 1}
    for count, known in [
        (french_syllables, french),
        (german_syllables, german),
        (portuguese_syllables, portuguese),
        (dutch_syllables, dutch),
    ]:
        assert {word: count(word) for word in known} == known, count.__name__


def test_french_kandel_moles_worked_example() -> None:
    # 'Après l'opération, la douleur peut revenir pendant quelques semaines.'
    #   1 sentence, 9 words; spoken syllables a-près 2, l'o-pé-ra-tion 4, la 1, dou-leur 2, peut 1, re-ve-nir 3,
    #   pen-dant 2, quelques 1, se-maines 2 = 18
    #   Kandel-Moles = 207 - 1.015 * 9/1 - 73.6 * 18/9 = 207 - 9.135 - 147.2 = 50.665 (fairly difficult)
    result = measure(["Après l'opération, la douleur peut revenir pendant quelques semaines."], "fr")
    assert (result.sentences, result.words, result.syllables) == (1, 9, 18)
    assert result.kandel_moles == pytest.approx(50.665, abs=0.001)
    assert FORMULAS["fr"].band(result.kandel_moles) == "fairly difficult"


def test_german_amstad_worked_example() -> None:
    # 'Nach der Operation kann der Rücken weh tun. Rufen Sie Ihren Arzt an.'
    #   2 sentences, 13 words; syllables Nach 1, der 1, O-pe-ra-ti-on 5, kann 1, der 1, Rü-cken 2, weh 1, tun 1,
    #   Ru-fen 2, Sie 1, Ih-ren 2, Arzt 1, an 1 = 20
    #   Amstad = 180 - 13/2 - 58.5 * 20/13 = 180 - 6.5 - 90 = 83.5 (easy)
    result = measure(["Nach der Operation kann der Rücken weh tun. Rufen Sie Ihren Arzt an."], "de")
    assert (result.sentences, result.words, result.syllables) == (2, 13, 20)
    assert result.amstad == pytest.approx(83.5)
    assert FORMULAS["de"].band(result.amstad) == "easy"


def test_italian_gulpease_worked_example() -> None:
    # 'Dopo l'operazione il dolore alla schiena può tornare per alcune settimane.'
    #   1 sentence, 11 words; letters Dopo 4, l'operazione 11, il 2, dolore 6, alla 4, schiena 7, può 3, tornare 7,
    #   per 3, alcune 6, settimane 9 = 62
    #   Gulpease = 89 + (300 * 1 - 10 * 62) / 11 = 89 - 320/11 = 89 - 29.0909 = 59.9091 (just under 60)
    result = measure(["Dopo l'operazione il dolore alla schiena può tornare per alcune settimane."], "it")
    assert (result.sentences, result.words, result.letters) == (1, 11, 62)
    assert result.gulpease == pytest.approx(59.9091, abs=0.0001)
    assert FORMULAS["it"].band(result.gulpease) == "easy with upper secondary schooling"


def test_portuguese_martins_worked_example() -> None:
    # 'Depois da cirurgia, a dor pode voltar. Ligue para o seu médico.'
    #   2 sentences, 12 words; syllables De-pois 2, da 1, ci-rur-gi-a 4, a 1, dor 1, po-de 2, vol-tar 2,
    #   Li-gue 2, pa-ra 2, o 1, seu 1, mé-di-co 3 = 22
    #   Martins = 248.835 - 1.015 * 12/2 - 84.6 * 22/12 = 248.835 - 6.09 - 155.1 = 87.645 (very easy)
    result = measure(["Depois da cirurgia, a dor pode voltar. Ligue para o seu médico."], "pt")
    assert (result.sentences, result.words, result.syllables) == (2, 12, 22)
    assert result.martins == pytest.approx(87.645)
    assert FORMULAS["pt"].band(result.martins) == "very easy"


def test_dutch_douma_worked_example() -> None:
    # 'Na de operatie kan de pijn in uw rug soms terugkomen, ook na enkele weken.'
    #   1 sentence, 15 words; syllables o-pe-ra-tie 4, te-rug-ko-men 4, en-ke-le 3, we-ken 2, the 11 others 1 = 24
    #   Douma = 206.835 - 0.93 * 15 - 77 * 24/15 = 206.835 - 13.95 - 123.2 = 69.685 (standard)
    result = measure(["Na de operatie kan de pijn in uw rug soms terugkomen, ook na enkele weken."], "nl")
    assert (result.sentences, result.words, result.syllables) == (1, 15, 24)
    assert result.douma == pytest.approx(69.685)
    assert FORMULAS["nl"].band(result.douma) == "standard"


def test_a_formula_checks_against_its_published_target() -> None:
    hard = "Après l'opération, la douleur peut revenir pendant quelques semaines."
    content = load_content(CONTENT).model_copy(update={"language": "fr"})
    (warning,) = check_reading_level(content, "x", [("Douleur", [hard])])
    assert warning == Finding(
        "reading level",
        WARNING,
        "x",
        "Kandel-Moles 51 (fairly difficult) is below 60, the target for patient materials (60-70 standard, school "
        "years 8-9, on Flesch's 1948 scale: no harder than the English target of grade 8); rewrite first: "
        f'"{hard}"',
        "Kandel-Moles 51 (fairly difficult)",
    )
    german = content.model_copy(update={"language": "de"})
    (good,) = check_reading_level(german, "x", [("Schmerzen", ["Der Rücken kann weh tun. Rufen Sie uns an."])])
    # 2 sentences, 9 words, 11 syllables: 180 - 9/2 - 58.5 * 11/9 = 180 - 4.5 - 71.5 = 104
    assert (good.level, good.figure) == (PASS, "Amstad 104 (very easy)")
    with pytest.raises(ValueError, match="no reading-level formula for language 'zh'"):
        measure(["手术后疼痛可能会复发。"], "zh")


# --- reading level: a person's review where no formula measures --------------------------------------------------


def test_a_recorded_review_is_shown_as_a_review_never_as_a_pass() -> None:
    review = ReadingReview(by="Dr Li Wei", date=datetime.date(2026, 11, 30), note="short sentences")
    master = load_content(CONTENT)
    content = master.model_copy(
        update={"language": "zh", "quality": master.quality.model_copy(update={"reading_review": review})}
    )
    (finding,) = check_reading_level(content, "overview-zh", [("要点", ["手术后疼痛可能会复发。"])])
    assert finding == Finding(
        "reading level",
        REVIEWED,
        "overview-zh",
        "no reading-level formula for 'zh' (there is one for en, es, fr, de, it, pt, nl): not measured; reviewed "
        "by Dr Li Wei on 2026-11-30: short sentences",
        "reviewed by Dr Li Wei on 2026-11-30",
    )
    assert failures([finding], strict=True) == []
    report = format_report([finding])
    assert "overview-zh  reviewed by Dr Li Wei on 2026-11-30" in report
    assert "reviewed: 1\n  reading level (overview-zh): no reading-level formula for 'zh'" in report
    # Without the record, "not measured" stops a strict build.
    bare = content.model_copy(update={"quality": master.quality})
    (not_measured,) = check_reading_level(bare, "overview-zh", [("要点", ["手术后疼痛可能会复发。"])])
    assert failures([not_measured], strict=True) == [not_measured]


def test_the_review_goes_into_quality_json_and_the_report(
    content_copy: MakeContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A content file in Chinese (its words kept in English: the gate is what is tested), with its wording block.
    block = {**wording.shipped()["en"], "locale": "en_GB", "sentence_end": "。"}
    (tmp_path / "strings.yaml").write_text(yaml.safe_dump({"zh": block}, allow_unicode=True), encoding="utf-8")
    review = "  reading_review:\n    by: Dr Li Wei\n    date: 2026-11-30\n    note: read by two patients\n"
    content = content_copy(
        ("language: en", "language: zh\nstrings: strings.yaml"), ("quality:\n", "quality:\n" + review)
    )
    args = ["--check", "--content", str(content), "--out", str(tmp_path / "out"), "--only", "scar-tissue"]
    main(args)
    out = capsys.readouterr().out
    assert "scar-tissue-zh  reviewed by Dr Li Wei on 2026-11-30" in out
    assert "\nreviewed: 1\n  reading level (scar-tissue-zh): no reading-level formula for 'zh'" in out
    records = json.loads((tmp_path / "out" / "quality.json").read_text())
    (reading,) = [r for r in records if r["check"] == "reading level"]
    assert (reading["level"], reading["figure"]) == ("reviewed", "reviewed by Dr Li Wei on 2026-11-30")
    assert reading["message"].endswith("reviewed by Dr Li Wei on 2026-11-30: read by two patients")


def test_a_review_with_a_date_not_in_the_calendar_is_a_located_error(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = content_copy(("quality:\n", "quality:\n  reading_review:\n    by: Dr Li\n    date: 2026-02-30\n"))
    assert main(["--check", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "quality.reading_review.date: 2026-02-30 is not a date: February 2026 has 28 days" in err


# --- fonts: collections ---------------------------------------------------------------------------------------

FACES = ["Leaflets Test CJK JP", "Leaflets Test CJK KR", "Leaflets Test CJK SC", "Leaflets Test CJK TC"]


def test_from_a_collection_the_face_for_the_language_is_embedded(tmp_path: Path) -> None:
    make_collection(tmp_path / "Test-CJK.ttc", FACES, " 电话骨")
    chosen = {language: font_set(tmp_path, language).faces for language in ("zh", "zh-TW", "ja", "ko", "en")}
    families = {language: [face.family for face in faces] for language, faces in chosen.items()}
    assert families == {
        "zh": ["Leaflets Test CJK SC"],
        "zh-TW": ["Leaflets Test CJK TC"],
        "ja": ["Leaflets Test CJK JP"],
        "ko": ["Leaflets Test CJK KR"],
        "en": ["Leaflets Test CJK JP"],  # none made for English: the first
    }
    fonts = font_set(tmp_path, "zh")
    assert fonts.missing("电话 骨 Bone") == set()
    (url, data) = fonts.generated().popitem()
    assert url == "generated:font-0-Test-CJK-2.ttf" and f'src: url("{url}")' in fonts.css()
    (written := tmp_path / "face.ttf").write_bytes(data)
    assert font_set(tmp_path, "zh").faces[-1].family == "Leaflets Test CJK SC"  # the face alone, a font of its own
    written.unlink()
    assert fonts.manifest()[-1] == {
        "file": "Test-CJK.ttc",
        "sha256": fonts.manifest()[-1]["sha256"],
        "face": "Leaflets Test CJK SC",
    }


def test_a_collection_in_the_fonts_folder_prints_and_embeds(content_copy: MakeContent, tmp_path: Path) -> None:
    # Before, a .ttc was left out without a word, and every field in its script was an error.
    content = content_copy(("paper: a4", "paper: a4\nfonts: fonts"), ("  phone: ", "  phone: 电话 "))
    (tmp_path / "fonts").mkdir()
    make_collection(tmp_path / "fonts" / "Test-CJK.ttc", FACES, " 电话")
    build(content, tmp_path / "out", only=["scar-tissue"], languages=["en"])
    with pikepdf.open(tmp_path / "out" / "scar-tissue-en-a4.pdf") as pdf:
        fonts = {str(font.BaseFont).split("+")[-1] for page in pdf.pages for font in page.Resources.Font.values()}
    assert {name for name in fonts if name.startswith("Leaflets-Test-CJK")} == {"Leaflets-Test-CJK-JP-Bold"}  # bold
    assert "电话 555-0134" in page_texts(tmp_path / "out" / "scar-tissue-en-a4.pdf")[0]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["fonts"][-1]["face"] == "Leaflets Test CJK JP"


def test_a_font_file_that_cannot_be_embedded_is_named(tmp_path: Path) -> None:
    make_font(tmp_path / "Good.ttf", "a")
    (tmp_path / "NotoSansSC-Regular.woff2").write_bytes(b"wOF2")
    with pytest.raises(BuildError, match=r"fonts: NotoSansSC-Regular.woff2 is a kind of font file that cannot be"):
        font_set(tmp_path, "zh")


def test_the_web_edition_publishes_a_collections_face_as_a_font_of_its_own(
    content_copy: MakeContent, tmp_path: Path
) -> None:
    from leaflets.web.site import make_site

    content = content_copy(("paper: a4", "paper: a4\nfonts: fonts"))
    (tmp_path / "fonts").mkdir()
    make_collection(tmp_path / "fonts" / "Test-CJK.ttc", FACES, " 电话")
    files = make_site(content)
    assert "fonts/Test-CJK.ttc" not in files  # browsers do not read collections
    face = tmp_path / "face.ttf"
    face.write_bytes(files["fonts/Test-CJK-0.ttf"])
    assert font_set(tmp_path, "en").faces[-1].family == "Leaflets Test CJK JP"
    rule = '@font-face { font-family: "Leaflets Test CJK JP"; font-display: swap; src: url("fonts/Test-CJK-0.ttf"); }'
    assert rule in files["style.css"].decode()
