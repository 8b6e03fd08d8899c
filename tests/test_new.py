"""`leaflets new`: a starter clinic folder that builds at once, written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaflets.cli import main
from leaflets.theme import TEMPLATES
from tests.pdfread import page_texts


@pytest.mark.pdf
def test_a_new_clinic_folder_builds_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["new", str(tmp_path / "clinic")]) == 0
    said = capsys.readouterr().out.splitlines()
    clinic = tmp_path / "clinic"
    assert sorted(p.relative_to(clinic).as_posix() for p in clinic.rglob("*") if p.is_file()) == [
        "README.md",
        "assets/logo.svg",
        "content.es.master.json",
        "content.es.yaml",
        "content.yaml",
        "medical_terms.es.txt",
        "medical_terms.txt",
        "strings.yaml",
    ]
    assert not any(p.is_symlink() for p in clinic.rglob("*")), "copies, never links into the installed package"
    assert said[-1].startswith(f"Next: cd {tmp_path / 'clinic'} && leaflets build")
    content = (clinic / "content.yaml").read_text(encoding="utf-8")
    assert content.startswith("# Your clinic's leaflets: the words, your brand and the approval details, in one file.")
    assert "\nstrings: strings.yaml " in content
    monkeypatch.chdir(clinic)  # as a clinic runs it: `cd clinic && leaflets build`
    assert main(["build", "--only", "scar-tissue", "--jobs", "1"]) == 0
    made = sorted(p.name for p in (clinic / "output").glob("*.pdf"))
    assert made == ["scar-tissue-en-a4.pdf", "scar-tissue-es-a4.pdf"]
    assert "Exampleton Spine & Pain Clinic" in " ".join(page_texts(clinic / "output" / "scar-tissue-en-a4.pdf"))
    assert "warnings: none" in capsys.readouterr().out  # the Spanish translation is still up to date


def test_new_refuses_a_folder_that_holds_something(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "clinic").mkdir()
    (tmp_path / "clinic" / "notes.txt").write_text("mine")
    assert main(["new", str(tmp_path / "clinic")]) == 2
    assert capsys.readouterr().err == (
        f"Error: {tmp_path / 'clinic'} is already there and not an empty folder: name a new one\n"
    )
    assert [p.name for p in (tmp_path / "clinic").iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["clinic"], "no half-made folder beside it"


def test_new_fills_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "clinic").mkdir()
    assert main(["new", str(tmp_path / "clinic")]) == 0
    assert (tmp_path / "clinic" / "content.yaml").is_file()


@pytest.mark.pdf
def test_a_templates_folder_beside_the_content_replaces_single_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["new", str(tmp_path / "clinic")]) == 0
    clinic = tmp_path / "clinic"
    own = clinic / "templates"
    (own / "partials").mkdir(parents=True)
    closing = (TEMPLATES / "partials" / "closing.html").read_text(encoding="utf-8")
    (own / "partials" / "closing.html").write_text(closing + "<p>Parking is free for patients.</p>\n")
    (own / "css").mkdir()
    (own / "css" / "a4.css").write_text((TEMPLATES / "css" / "a4.css").read_text() + "\nbody { color: #222; }\n")
    monkeypatch.chdir(clinic)
    assert main(["build", "--only", "scar-tissue", "--language", "en", "--jobs", "1"]) == 0
    text = " ".join(page_texts(clinic / "output" / "scar-tissue-en-a4.pdf"))
    assert "Parking is free for patients." in text
    assert "Book an appointment" in text, "the other templates are the shipped ones"


def test_a_template_that_links_out_of_its_folder_stops_the_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["new", str(tmp_path / "clinic")]) == 0
    clinic = tmp_path / "clinic"
    (tmp_path / "secret.html").write_text("<p>not the clinic's</p>")
    (clinic / "templates" / "partials").mkdir(parents=True)
    (clinic / "templates" / "partials" / "closing.html").symlink_to(tmp_path / "secret.html")
    monkeypatch.chdir(clinic)
    assert main(["build", "--only", "scar-tissue", "--language", "en", "--jobs", "1"]) == 3
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(
            "templates/partials/closing.html is a link out of "
            + str((clinic / "templates").resolve())
            + ": put the file itself there"
        )
    )
    assert not (clinic / "output" / "scar-tissue-en-a4.pdf").exists()
