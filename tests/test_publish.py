"""Publishing all or nothing: the output folder always holds one set with the manifest and gallery that match it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leaflets.checks.quality import Finding
from leaflets.cli import main
from leaflets.errors import BuildError
from leaflets.pipeline import plan as build_module
from leaflets.pipeline.plan import Output, build
from leaflets.render import pdf as pdf_module
from leaflets.render.pdf import PdfWriter
from tests.conftest import CONTENT
from tests.folders import assert_consistent, snapshot
from tests.pdfread import page_texts

pytestmark = pytest.mark.pdf  # every test here makes PDFs (pytest -m 'not pdf' leaves them out)

MakeContent = Callable[..., Path]
Built = tuple[str, Path, list[Output]]
LONG = " ".join(["Rehab keeps the back moving so that healing can go on and pain can ease."] * 20)


def test_only_keeps_the_other_leaflets_in_the_manifest_and_gallery(tmp_path: Path) -> None:
    build(CONTENT, tmp_path, languages=["en"], only=["overview"])
    overview = (tmp_path / "overview-en-a4.pdf").stat().st_mtime_ns
    build(CONTENT, tmp_path, languages=["en"], only=["scar-tissue"])
    listed = assert_consistent(tmp_path)
    assert sorted(listed) == ["overview-en-a4.pdf", "scar-tissue-en-a4.pdf"]
    assert (tmp_path / "overview-en-a4.pdf").stat().st_mtime_ns == overview, "the other leaflet is left as it was"
    assert sorted(p.name for p in (tmp_path / "thumbnails").iterdir()) == [
        "overview-en-a4-1.png",
        "overview-en-a4-2.png",
        "scar-tissue-en-a4-1.png",
    ]


def test_a_full_build_removes_what_it_no_longer_makes(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paper, every, _ = built
    other = "letter" if paper == "a4" else "a4"
    out = tmp_path / "out"
    shutil.copytree(every, out)
    assert main(["--out", str(out), "--paper", other, "--only", "scar-tissue", "--language", "en"]) == 0
    assert f"scar-tissue-en-{other}.pdf" in assert_consistent(out), "--only adds to the set"
    capsys.readouterr()
    assert (
        main(["--out", str(out), "--paper", paper, "--language", "en"]) == 0
    )  # every leaflet unchanged: kept, none rendered
    removed = [line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines() if "removed" in line]
    assert removed == [[str(out / f"scar-tissue-en-{other}.pdf"), "removed (this build does not make it)"]]
    listed = assert_consistent(out)
    assert sorted(listed) == sorted(p.name for p in every.glob("*.pdf"))
    assert not list((out / "thumbnails").glob(f"*-{other}-*.png"))


def test_a_page_budget_failure_leaves_the_previous_set(content_copy: MakeContent, tmp_path: Path) -> None:
    only = ["scar-tissue", "rehabilitation"]
    approved = content_copy()
    out = tmp_path / "out"
    build(approved, out, only=only)
    before = snapshot(out)
    draft = content_copy(
        ('  version: "1.0"', '  version: "1.1"'),
        ("          - If rehab is not done well, pain can go on.", f"          - {LONG}"),
        ("      - Keep up your rehab after surgery.", f"      - {LONG}"),
        name="draft.yaml",
    )
    with pytest.raises(BuildError, match=r"^rehabilitation-en \(a4\) needs 2 pages but may have 1"):
        build(draft, out, only=only)  # scar-tissue 1.1 was made before rehabilitation failed
    assert snapshot(out) == before
    assert json.loads((out / "manifest.json").read_text())["content_version"] == "1.0"
    assert_consistent(out)


def test_a_symbolic_link_in_the_folder_is_replaced_never_written_through(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    (elsewhere / "thumbnails").mkdir(parents=True)
    for name in ("index.html", "manifest.json", "quality.json", "scar-tissue-en-a4.pdf"):
        (elsewhere / name).write_text("not yours")
        (out / name).symlink_to(elsewhere / name)
    (out / "thumbnails").symlink_to(elsewhere / "thumbnails")
    build(CONTENT, out, languages=["en"], only=["scar-tissue"])
    assert sorted(str(p.relative_to(elsewhere)) for p in elsewhere.rglob("*")) == [
        "index.html",
        "manifest.json",
        "quality.json",
        "scar-tissue-en-a4.pdf",
        "thumbnails",
    ]
    assert all((elsewhere / name).read_text() == "not yours" for name in ("index.html", "quality.json"))
    assert not any(p.is_symlink() for p in out.iterdir())
    assert_consistent(out)


def test_the_manifest_records_the_content_that_was_rendered(
    content_copy: MakeContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = content_copy()
    real_render = PdfWriter.render

    def save_while_rendering(self: PdfWriter, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        text = content.read_text()
        content.write_text(text.replace("Stretching can help.", "Gentle stretching can help."))
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(pdf_module.PdfWriter, "render", save_while_rendering)
    build(content, tmp_path, only=["scar-tissue"], jobs=1)  # one job: the patched writer is this process's
    monkeypatch.undo()
    assert "Gentle stretching" not in page_texts(tmp_path / "scar-tissue-en-a4.pdf")[0]
    fresh: list[bool] = []
    build(content, tmp_path, only=["scar-tissue"], report=lambda output, rebuilt: fresh.append(rebuilt))
    assert fresh == [True], "the saved text is not taken for what was built"
    assert "Gentle stretching can help." in page_texts(tmp_path / "scar-tissue-en-a4.pdf")[0]


def test_a_kept_leaflet_keeps_the_warnings_of_the_file_that_was_published(
    content_copy: MakeContent, tmp_path: Path
) -> None:
    # quality.json is only the last run's report: a failed run rewrites it, and the next build must not
    # take its findings for those of the published PDF.
    content = content_copy()
    build(content, tmp_path, only=["scar-tissue"])
    (tmp_path / "quality.json").write_text("[]")
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"][0]
    assert {c["check"] for c in entry["checks"]} == {"contrast", "type size", "pdf/ua"}
    findings: list[Finding] = []
    build(content, tmp_path, only=["scar-tissue"], findings=findings)
    assert {f.check for f in findings if f.leaflet == "scar-tissue-en"} >= {"contrast", "type size", "pdf/ua"}


def test_an_input_changed_during_the_build_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stylesheet = tmp_path / "extra.css"  # stands for any template, the logo or the program
    stylesheet.write_text("p { }")
    real_inputs, real_render = build_module.code_and_templates, PdfWriter.render
    monkeypatch.setattr(build_module, "code_and_templates", lambda templates: [*real_inputs(templates), stylesheet])

    def edit_while_rendering(self: PdfWriter, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        stylesheet.write_text("p { color: red }")
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(pdf_module.PdfWriter, "render", edit_while_rendering)
    with pytest.raises(BuildError, match=r"changed while the build ran: nothing was published; run it again$"):
        build(CONTENT, tmp_path / "out", languages=["en"], only=["scar-tissue"], jobs=1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["quality.json"]
