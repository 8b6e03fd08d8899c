"""Several languages from one content: translations that stay true, wording as data, handouts per patient."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
import yaml

from leaflets.cli import main
from leaflets.content import wording
from leaflets.content.editions import editions
from leaflets.content.sources import load_content, load_sources
from leaflets.errors import ContentError, UsageError
from leaflets.pipeline.plan import build
from leaflets.render.html import render_html
from tests.conftest import ROOT, line_of
from tests.pdfread import page_texts

MakeContent = Callable[..., Path]
STALE = (
    "out of date: content.yaml changed this text after version 1.0, which this translation translates; "
    "translate the change, then run `python generate.py translated content.es.yaml`"
)


@pytest.fixture(autouse=True)
def in_the_content_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages name files as the user typed them: run where the content is, as a clinic would."""
    monkeypatch.chdir(tmp_path)


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.pdf
def test_one_build_makes_every_language_named_in_the_file_names(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outputs = build(ROOT / "content.yaml", out, only=["overview"])
    assert [o.file for o in outputs] == ["overview-en-a4.pdf", "overview-es-a4.pdf"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {entry["language"] for entry in manifest["files"]} == {"en", "es"}
    assert [e["language"] for e in manifest["files"]] == sorted(e["language"] for e in manifest["files"])
    for output in outputs:
        with pikepdf.open(out / output.file) as pdf:
            assert str(pdf.Root.Lang) == output.language
    gallery = (out / "index.html").read_text(encoding="utf-8")
    assert "overview-es-" in gallery and "Español" in gallery and "English" in gallery


def test_the_master_edited_names_each_translated_field_out_of_date(content_copy: MakeContent) -> None:
    master = content_copy(
        ("After spine surgery, scar tissue usually forms", "After spine surgery, scar tissue often forms"),
        translated=True,
    )
    sources = load_sources(master)
    line = line_of(master.parent / "content.es.yaml", "- heading: Cómo puede causar dolor el tejido de cicatriz") + 2
    assert [str(note) for note in sources[1].notes] == [
        f"content.es.yaml:{line}:13: cause_leaflets[2].sections[0].paragraphs[0]: {STALE}"
    ]
    assert sources[0].notes == ()


def test_strict_stops_on_a_translation_out_of_date(content_copy: MakeContent) -> None:
    master = content_copy(("  phone: 555-0134", "  phone: 555-0199"), translated=True)
    code, said = run(
        "--content",
        str(master),
        "--out",
        str(master.parent / "out"),
        "--check",
        "--strict",
        "--language",
        "es",
        "--only",
        "rehabilitation",
    )
    assert code == 1
    assert (
        f"translation (all): content.es.yaml:{line_of(master.parent / 'content.es.yaml', '  phone:')}:3: "
        f"brand.phone: {STALE}" in said
    )
    assert "the quality gate stopped the build" in said


def test_recording_a_translation_clears_it_and_refuses_another_version(content_copy: MakeContent) -> None:
    master = content_copy(("  phone: 555-0134", "  phone: 555-0199"), translated=True)
    translation = master.parent / "content.es.yaml"
    code, said = run("translated", str(translation), "--content", str(master))
    assert code == 0, said
    assert load_sources(master)[1].notes == ()
    master.write_text(master.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'), "utf-8")
    code, said = run("translated", str(translation), "--content", str(master))
    assert code == 2
    assert "says it translates version 1.0 but" in said and "is version 1.1" in said
    code, said = run("translated", str(translation), "--content", str(ROOT / "content.yaml"))  # it lists its own
    assert code == 2
    assert "does not list" in said and f"translated {translation} --content PATH" in said


def test_without_a_record_freshness_is_not_checked(content_copy: MakeContent) -> None:
    master = content_copy(translated=True)
    (master.parent / "content.es.master.json").unlink()
    notes = [str(n) for n in load_sources(master)[1].notes]
    assert len(notes) == 1
    assert "translation: not checked: there is no record of the content.yaml text it was made from" in notes[0]


def test_a_translation_without_a_section_is_an_error_naming_it(content_copy: MakeContent) -> None:
    master = content_copy(translated=True)
    translation = master.parent / "content.es.yaml"
    data = yaml.safe_load(translation.read_text(encoding="utf-8"))
    del data["cause_leaflets"][1]["sections"][2]
    translation.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_sources(master)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1
    assert problems[0].startswith("content.es.yaml:")
    assert (
        "cause_leaflets[1].sections: lacks a section: it has 2 where content.yaml has 3 ('What is decompression "
        "surgery?'; 'If there is no relief after surgery'; 'If pain comes back after a time of rel…); translate "
        "each, in the same order"
    ) in problems[0]


def test_a_translation_without_a_leaflet_or_entry_is_an_error(content_copy: MakeContent) -> None:
    master = content_copy(translated=True)
    translation = master.parent / "content.es.yaml"
    data = yaml.safe_load(translation.read_text(encoding="utf-8"))
    del data["cause_leaflets"][3]
    data["glossary"].pop()
    translation.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_sources(master)
    said = "\n".join(str(p) for p in caught.value.problems)
    assert "cause_leaflets: lacks the leaflet 'rehabilitation' of content.yaml; translate it" in said


def test_an_unknown_language_on_the_command_line(content_copy: MakeContent) -> None:
    master = content_copy(translated=True)
    with pytest.raises(UsageError, match="no content in 'fr'; the content has: en, es"):
        load_sources(master, languages=["fr"])


@pytest.mark.pdf
def test_a_third_language_and_new_wording_are_data_beside_the_content(content_copy: MakeContent) -> None:
    master = content_copy(
        ("translations:", "strings: strings.yaml\ntranslations:\n  - content.fr.yaml"), translated=True
    )
    folder = master.parent
    french = (folder / "content.es.yaml").read_text(encoding="utf-8").replace("language: es ", "language: fr ")
    (folder / "content.fr.yaml").write_text(french, encoding="utf-8")
    block = dict(wording.shipped()["es"]) | {"locale": "fr_FR", "page_x_of_y": "Page {page} sur {pages}"}
    block["book"] = "Prendre rendez-vous"
    del block["colon"]  # as a wording file written before that entry existed: it gets ":"
    strings = {"en": {"book": "Make an appointment"}, "fr": block}
    (folder / "strings.yaml").write_text(yaml.safe_dump(strings, allow_unicode=True), encoding="utf-8")
    shutil.copy(folder / "content.es.master.json", folder / "content.fr.master.json")

    def overviews() -> dict[str, str]:
        sources = load_sources(master)
        assert [s.content.language for s in sources] == ["en", "fr", "es"]
        logo = (folder / "assets" / "logo.svg").as_uri()
        # The words as printed: a short hyphenated word ('rendez-vous') is wrapped to keep it on one line.
        html = {s.content.language: render_html(s.content, editions(s.content)[0], "a4", logo) for s in sources}
        return {language: re.sub(r"</?span[^>]*>", "", text) for language, text in html.items()}

    overview = overviews()
    assert "Make an appointment" in overview["en"] and "Book an appointment" not in overview["en"]
    assert "Prendre rendez-vous" in overview["fr"] and "2 novembre 2026" in overview["fr"]
    assert wording.shipped()["es"]["book"] in overview["es"]
    assert f"{block['approved_by']}: Patient Information Group" in overview["fr"]
    # French puts a narrow no-break space before a colon: the wording says so, not the templates.
    strings["fr"]["colon"] = "\u202f:"
    (folder / "strings.yaml").write_text(yaml.safe_dump(strings, allow_unicode=True), encoding="utf-8")
    assert f"{block['approved_by']}\u202f: Patient Information Group" in overviews()["fr"]


def test_a_new_language_lacking_wording_is_named_with_its_line(content_copy: MakeContent) -> None:
    master = content_copy(("language: en ", "strings: strings.yaml\nlanguage: fr "))
    (master.parent / "strings.yaml").write_text("fr:\n  book: Prendre rendez-vous\n  bok: x\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(master)
    said = [str(p) for p in caught.value.problems]
    assert said[0].startswith("strings.yaml:1:1: fr: a new language needs every entry of the wording; missing: ")
    assert "colon" not in said[0]  # an entry with a default is not required
    assert said[1] == "strings.yaml:3:3: fr.bok: is not an entry of the wording; did you mean 'book'?"


@pytest.mark.pdf
def test_a_discharge_list_mixing_english_and_spanish(content_copy: MakeContent, tmp_path: Path) -> None:
    master = content_copy(translated=True)
    with (ROOT / "tests" / "fixtures" / "patients.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    good = [rows[1], rows[2]]
    table = [[*rows[0], "language"], [*good[0], ""], [*good[1], "es"], [*good[0][:1], *good[0][1:], "fr"]]
    table[3][0] = "EXS-0099"
    patients = tmp_path / "mixed.csv"
    with patients.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(table)
    out = tmp_path / "handouts"
    code, said = run(
        "discharge", "--content", str(master), "--patients", str(patients), "--out", str(out), "--jobs", "1"
    )
    assert code == 4
    assert "mixed.csv: row 4, column language: is not a language of the leaflets; choose from: en, es" in said
    assert "'fr'" not in said and " fr " not in said  # the cell value is never shown
    assert sorted(p.name for p in out.glob("*.pdf")) == [f"{good[0][0]}.pdf", f"{good[1][0]}.pdf"]
    for record, language, heading in (
        (good[0][0], "en", "Your discharge information"),
        (good[1][0], "es", "Su información al recibir el alta"),
    ):
        with pikepdf.open(out / f"{record}.pdf") as pdf:
            assert str(pdf.Root.Lang) == language
        assert heading in page_texts(out / f"{record}.pdf")[0]
