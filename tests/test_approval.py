"""The change report for approval (`changes --since REF`) and the approval record (`approve`)."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from leaflets.approval.fields import DELETED, INSERTED, SAME, FieldChange, Words, field_changes, word_diff
from leaflets.approval.pages import changed_regions
from leaflets.cli import main
from leaflets.errors import QualityError
from leaflets.pipeline.plan import Gate, build
from tests.conftest import CONTENT, TRANSLATIONS

PARAGRAPH = "cause_leaflets[2].sections[0].paragraphs[1]"
STICK = "The scar tissue can stick to the nerve roots"


def git(folder: Path, *args: str) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"]
    subprocess.run(["git", "-C", str(folder), *identity, *args], check=True, capture_output=True)


def commit_all(folder: Path) -> None:
    """A new git repository in `folder`, with everything in it committed."""
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "Approved version")


@pytest.fixture
def committed(content_copy: Callable[..., Path], tmp_path: Path) -> Path:
    """content.yaml, its logo and term list, committed to a new git repository in tmp_path."""
    content = content_copy()
    commit_all(tmp_path)
    return content


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fields_in(html: str) -> dict[str, str]:
    """Each changed field of the report, with its card's HTML."""
    return dict(re.findall(r'<article class="card field" data-field="([^"]+)">(.*?)</article>', html, re.S))


def leaflets_in(html: str) -> dict[str, tuple[str, str]]:
    """Each PDF the report shows: (status, its changed pages)."""
    found = re.findall(r'data-file="([^"]+)" data-status="([^"]+)" data-pages="([^"]*)"', html)
    return {file: (status, pages) for file, status, pages in found}


@pytest.mark.pdf
def test_a_one_word_edit_is_reported_with_its_field_its_leaflets_and_its_pages(
    committed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(committed, STICK, "The scar tissue can cling to the nerve roots")
    out = tmp_path / "out"

    code = main(["changes", "--since", "HEAD", "--content", str(committed), "--out", str(out), "--jobs", "1"])

    printed = capsys.readouterr().out
    assert code == 0, printed
    assert sorted(p.name for p in out.iterdir()) == ["changes.html"]  # nothing else in the output folder
    html = (out / "changes.html").read_text(encoding="utf-8")
    fields = fields_in(html)
    assert list(fields) == [PARAGRAPH]
    assert re.findall(r"<del>(.*?)</del>", fields[PARAGRAPH]) == ["stick"]
    assert re.findall(r"<ins>(.*?)</ins>", fields[PARAGRAPH]) == ["cling"]
    shown = leaflets_in(html)
    # The paragraph is in the cause leaflet and its large print, not in the overview or the tri-fold.
    assert sorted(shown) == ["scar-tissue-en-a4.pdf", "scar-tissue-large-print-en-a4.pdf"]
    assert shown["scar-tissue-en-a4.pdf"] == ("changed", "1")
    status, large_print_pages = shown["scar-tissue-large-print-en-a4.pdf"]
    assert status == "changed" and len(large_print_pages.split()) == 1  # the same words: one page of it changes
    places = f"in scar-tissue-en-a4.pdf page 1; scar-tissue-large-print-en-a4.pdf page {large_print_pages}"
    assert f'  {PARAGRAPH}: "stick" -> "cling"\n    {places}\n' in printed
    assert "English (en): 1 field changed, 2 PDFs made differently" in printed
    # Each changed page, before and now, with the changed area boxed; nothing fetched from elsewhere.
    images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', html)
    assert len(images) == 4 and all("with 1 area that changed boxed" in alt for alt in images), images
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "4 PDFs made to compare pages" in printed


@pytest.mark.parametrize("saved_as", ["file", "folder"])
def test_a_saved_content_file_or_folder_is_compared_with(
    content_copy: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], saved_as: str
) -> None:
    content_copy()
    saved = tmp_path / "approved"
    saved.mkdir()
    for name in ("content.yaml", "medical_terms.txt"):
        shutil.copy(tmp_path / name, saved / name)
    shutil.copytree(tmp_path / "assets", saved / "assets")
    # Printed on the discharge handouts only: a field changes, no leaflet does, nothing is rendered.
    content = content_copy(("kicker: After your back surgery", "kicker: After your spine surgery"))
    since = saved / "content.yaml" if saved_as == "file" else saved

    code = main(["changes", "--since", str(since), "--content", str(content), "--out", str(tmp_path / "out")])

    printed = capsys.readouterr().out
    assert code == 0, printed
    html = (tmp_path / "out" / "changes.html").read_text(encoding="utf-8")
    assert list(fields_in(html)) == ["discharge.kicker"]
    assert leaflets_in(html) == {}
    assert '  discharge.kicker: "back" -> "spine"\n    printed on none of the leaflets compared\n' in printed
    assert f"Changes since {saved / 'content.yaml'}, version 1.0" in printed
    assert "0 PDFs made to compare pages" in printed


def test_a_revision_that_does_not_exist_is_a_clear_error(
    committed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["changes", "--since", "v9.9", "--content", str(committed), "--out", str(tmp_path / "out")])

    assert code == 2
    assert capsys.readouterr().err == (
        f"Error: --since v9.9: no revision 'v9.9' in the git repository at {tmp_path.resolve()} (and no file or "
        "folder of that name); give a commit, branch or tag, like HEAD or HEAD~1, or a saved content file\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_revision_of_content_not_in_git_is_a_clear_error(
    content_copy: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = content_copy()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # git looks no higher than this test's folder

    code = main(["changes", "--since", "HEAD", "--content", str(content), "--out", str(tmp_path / "out")])

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --since HEAD: there is no file or folder 'HEAD', and ")
    assert "content.yaml is not in a git repository, so no earlier revision of it can be read; give a saved" in err


@pytest.mark.pdf
def test_the_revision_brings_the_files_its_content_names_from_git(
    content_copy: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = content_copy(translated=True)
    commit_all(tmp_path)
    # The translation, its record and its term list are taken out now: only the revision in git has them.
    edit(content, TRANSLATIONS, "")
    for name in ("content.es.yaml", "content.es.master.json", "medical_terms.es.txt"):
        (tmp_path / name).unlink()

    code = main(["changes", "--since", "HEAD", "--content", str(content), "--out", str(tmp_path / "out")])

    printed = capsys.readouterr().out
    assert code == 0, printed
    assert '  translations[0]: taken out: "content.es.yaml"\n    printed on none of the leaflets compared\n' in printed
    assert "Español (es):\n  The content no longer has a translation in this language (content.es.yaml).\n" in printed


@pytest.fixture(scope="module")
def built_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One leaflet built and published, with its manifest, gallery and quality report."""
    out = tmp_path_factory.mktemp("set")
    build(CONTENT, out, only=["scar-tissue"], languages=["en"])
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(folder, tmp_path / "out"))


@pytest.mark.pdf
def test_an_approval_is_recorded_in_the_manifest_shown_in_the_gallery_and_kept_by_later_builds(
    built_set: Path, content_copy: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_of(built_set, tmp_path)
    pdf = out / "scar-tissue-en-a4.pdf"
    before = datetime.date.today()

    code = main(["approve", "--by", "Patient Information Group", "--note", "Meeting of 3 March", "--out", str(out)])

    assert code == 0, capsys.readouterr().err
    approval = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["approval"]
    assert approval.pop("approved_on") in {before.isoformat(), datetime.date.today().isoformat()}
    assert approval == {
        "approved_by": "Patient Information Group",
        "content_version": "1.0",
        "note": "Meeting of 3 March",
        "files": {"scar-tissue-en-a4.pdf": hashlib.sha256(pdf.read_bytes()).hexdigest()},
    }
    gallery = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'class="approval approved">Approved by Patient Information Group on \d{4}-\d\d-\d\d<', gallery)

    # A later build that changes the leaflet keeps the record; the gallery says the PDF is no longer the one approved.
    build(content_copy(("Stretching can help.", "Gentle stretching can help.")), out, only=["scar-tissue"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["approval"]["files"]
        == approval["files"]
        != {manifest["files"][0]["file"]: manifest["files"][0]["sha256"]}
    )
    gallery = (out / "index.html").read_text(encoding="utf-8")
    assert "Not approved: this PDF differs from the one approved by Patient Information Group on " in gallery
    assert "Approved by" not in gallery


def test_an_approval_is_refused_after_a_failed_quality_gate(
    built_set: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_of(built_set, tmp_path)
    with pytest.raises(QualityError):  # past its review date: the gate stops the build
        build(CONTENT, out, only=["scar-tissue"], languages=["en"], gate=Gate(today=datetime.date(2099, 1, 1)))
    manifest = (out / "manifest.json").read_bytes()

    code = main(["approve", "--by", "Patient Information Group", "--out", str(out)])

    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Error: not recorded: the last build in {out} failed the quality gate (1 problem in ")
    assert "\n  review date (all): " in err and "was due for review on 2027-11-02" in err
    assert (out / "manifest.json").read_bytes() == manifest


def test_an_approval_is_refused_for_a_pdf_changed_since_the_build_or_no_set(
    built_set: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_of(built_set, tmp_path)
    with (out / "scar-tissue-en-a4.pdf").open("ab") as pdf:
        pdf.write(b"\n")

    assert main(["approve", "--by", "Jo Bloggs", "--out", str(out)]) == 1
    assert "scar-tissue-en-a4.pdf in" in capsys.readouterr().err
    assert "approval" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))

    assert main(["approve", "--by", "Jo Bloggs", "--out", str(tmp_path / "nothing")]) == 2
    assert "no manifest.json in" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()


def test_fields_are_lined_up_so_a_paragraph_put_in_is_one_new_field() -> None:
    old = {"sections": [{"paragraphs": ["One.", "Two words here.", "Three."]}], "week": 6}
    new = {"sections": [{"paragraphs": ["One.", "New one.", "Two new words here.", "Three."]}], "week": 8}

    changes = field_changes(old, new)

    assert [(c.where, c.old, c.new) for c in changes] == [
        ("sections[0].paragraphs[1]", None, "New one."),
        ("sections[0].paragraphs[2]", "Two words here.", "Two new words here."),
        ("week", "6", "8"),
    ]
    assert word_diff("Two words here.", "Two new words here.") == [
        Words(SAME, "Two"),
        Words(INSERTED, "new"),
        Words(SAME, "words here."),
    ]
    assert FieldChange(("a",), "Stretching can help you.", "Gentle stretching can help.").in_brief() == (
        '"Stretching" -> "Gentle stretching"; "help you." -> "help."'
    )
    assert word_diff("a b", "a")[-1] == Words(DELETED, "b")


def test_each_changed_area_of_a_page_is_boxed_apart() -> None:
    old = Image.new("RGB", (300, 400), "white")
    new = old.copy()
    draw = ImageDraw.Draw(new)
    draw.rectangle((20, 30, 60, 40), fill="black")  # a word changed near the top
    draw.rectangle((200, 300, 260, 310), fill="black")  # and another far below

    boxes = changed_regions(old, new)

    assert len(boxes) == 2
    assert boxes[0][0] <= 20 and boxes[0][1] <= 30 and boxes[0][2] >= 60 and boxes[0][3] >= 40
    assert boxes[1][0] <= 200 and boxes[1][1] <= 300 and boxes[1][2] >= 260 and boxes[1][3] >= 310
    assert all(box[2] - box[0] < 100 for box in boxes)  # each around its own change, not the whole page
    assert changed_regions(old, old.copy()) == []
