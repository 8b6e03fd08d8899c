"""Nothing in the content or a template can pull another file or a URL into a PDF; nothing half-written."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from weasyprint.urls import FatalURLFetchingError

from leaflets.content import fonts as fonts_module
from leaflets.errors import BuildError
from leaflets.pipeline.files import write_atomically
from leaflets.pipeline.plan import build, confined
from leaflets.render import pdf as pdf_module
from leaflets.render.pdf import AssetFetcher, PdfWriter
from leaflets.theme import TEMPLATES
from tests.conftest import CONTENT
from tests.pdfread import page_texts

MakeContent = Callable[..., Path]
HOSTILE_LINK = '<a rel="attachment" href="file:///etc/hostname">notes</a>'
HOSTILE_IMAGE = '<img src="file:///etc/passwd">'
HOSTILE_SCRIPT = "<script>alert(1)</script>"


def _embeds_nothing(pdf: pikepdf.Pdf) -> None:
    assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            assert annot.get("/Subtype") != "/FileAttachment"
            uri = str(annot.get("/A", {}).get("/URI", ""))
            assert not uri.startswith("file:")
        images = [x for x in page.Resources.get("/XObject", {}).values() if x.get("/Subtype") == "/Image"]
        assert images == []


@pytest.mark.pdf
def test_hostile_strings_in_content_print_as_harmless_text(content_copy: MakeContent, tmp_path: Path) -> None:
    content = content_copy(
        ("  also_called: Also called post-laminectomy syndrome", f"  also_called: '{HOSTILE_SCRIPT} {HOSTILE_IMAGE}'"),
        (
            "    main_message: >-\n      Scar tissue forms",
            f"    main_message: >-\n      {HOSTILE_LINK} Scar tissue forms",
        ),
    )
    outputs = build(content, tmp_path / "out", only=["overview", "scar-tissue"])
    overview, scar = (tmp_path / "out" / o.file for o in outputs)
    assert f"{HOSTILE_SCRIPT} {HOSTILE_IMAGE}" in page_texts(overview)[0]
    assert HOSTILE_LINK in page_texts(scar)[0]
    for path in (overview, scar):
        with pikepdf.open(path) as pdf:
            _embeds_nothing(pdf)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "http://example.org/logo.png",
        "https://example.org/logo.png",
        "data:text/plain,hello",
        f"{TEMPLATES.as_uri()}/../content.yaml",
        "file://otherhost" + TEMPLATES.as_posix() + "/base.html",
    ],
)
def test_fetcher_refuses_anything_outside_the_asset_folders(url: str) -> None:
    with pytest.raises(FatalURLFetchingError, match="leaflets may only use the project's own files"):
        AssetFetcher([TEMPLATES]).fetch(url)


def test_fetcher_serves_files_inside_the_asset_folders() -> None:
    response = AssetFetcher([TEMPLATES]).fetch((TEMPLATES / "css" / "a4.css").as_uri())
    try:
        assert b"size: A4" in response.read()
    finally:
        response.close()


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/hostname" alt="x">',
        '<link rel="attachment" href="file:///etc/hostname">',
        '<p style="background: url(file:///etc/hostname)">x</p>',
    ],
)
def test_a_template_that_reaches_outside_fails_the_build(markup: str) -> None:
    writer = PdfWriter()
    html = f"<html lang='en'><head><title>t</title></head><body>{markup}</body></html>"
    with pytest.raises(BuildError, match=r"blocked 'file:///etc/hostname'"):
        writer.render(html, ["a4.css"], 1, "test")


@pytest.mark.parametrize("name", ["../escape.pdf", "/etc/escape.pdf", "sub/dir.pdf", ".."])
def test_output_paths_stay_in_the_output_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(BuildError, match="refusing to write"):
        confined(tmp_path, name)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "leaflet.pdf"
    target.write_bytes(b"old")

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leaflet.pdf"]


@pytest.mark.pdf
def test_a_build_interrupted_midway_leaves_the_previous_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    only = ["overview", "failed-decompression"]
    build(CONTENT, out_dir=tmp_path, only=only)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name != "quality.json"}
    real_render = PdfWriter.render

    def render_then_fail(self: PdfWriter, html: str, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        if "<h1>When pressure on a nerve" in html:
            raise KeyboardInterrupt
        return real_render(self, html, *args, **kwargs)

    monkeypatch.setattr(pdf_module.PdfWriter, "render", render_then_fail)
    with pytest.raises(KeyboardInterrupt):
        build(CONTENT, out_dir=tmp_path, only=only, force=True, jobs=1)  # the overview is made again, then Ctrl-C
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name != "quality.json"}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["thumbnails"], "no staging folder is left"


@pytest.mark.pdf
def test_content_past_the_page_budget_fails_and_writes_nothing_for_it(
    content_copy: MakeContent, tmp_path: Path
) -> None:
    long_text = " ".join(["Stretching keeps the nerves moving so they are less likely to stick."] * 20)
    content = content_copy(("      - Stretching can help.", f"      - {long_text}\n      - Stretching can help."))
    with pytest.raises(BuildError) as caught:
        build(content, tmp_path / "out", only=["scar-tissue"])
    assert str(caught.value) == (
        "scar-tissue-en (a4) needs 2 pages but may have 1: from 'Words we use' on, 74 mm of text spills past page 1: "
        "the leaflet is about 59 mm too long; shorten the text in the content file"
    )
    assert not (tmp_path / "out" / "scar-tissue-en-a4.pdf").exists()


def test_a_missing_font_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "FONT_DIR", tmp_path)
    with pytest.raises(BuildError, match=r"font file .*SourceSansPro-Regular\.ttf is missing"):
        build(CONTENT, out_dir=tmp_path / "out", only=["overview"], jobs=1)


def test_a_font_that_does_not_load_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in fonts_module.FONT_FACES.values():
        (tmp_path / name).write_bytes(b"this is not a font")
    monkeypatch.setattr(fonts_module, "FONT_DIR", tmp_path)
    monkeypatch.setattr(pdf_module, "FONT_DIR", tmp_path)
    with pytest.raises(BuildError, match=r"^WeasyPrint: Font-face 'Source Sans Pro' cannot be loaded$"):
        build(CONTENT, out_dir=tmp_path / "out", only=["overview"], jobs=1)
    assert not (tmp_path / "out" / "overview-en-a4.pdf").exists()
