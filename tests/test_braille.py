"""Braille-ready files (`--braille`, `discharge --braille`): read back with liblouis, page by page.

liblouis is a system package (`apt-get install liblouis-bin`, which .ci/run installs); without it the tests that
translate are skipped locally, never in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from leaflets import braille
from leaflets.cli import main
from tests.conftest import ROOT

needs_liblouis = pytest.mark.skipif(
    shutil.which("lou_translate") is None and not os.environ.get("CI"), reason="liblouis not installed"
)
UEB = "en-ueb-g2.ctb"


def pages(path: Path) -> list[list[str]]:
    """A BRF's pages, each a list of its lines (CR LF ends each line, a form feed each page)."""
    text = path.read_bytes().decode("ascii")
    found = []
    for page in text.split("\f"):
        assert page.endswith("\r\n")
        found.append(page[:-2].split("\r\n"))
    return found


def back(lines: list[str], table: str = UEB) -> str:
    """Braille lines read back to print (liblouis back-translation), as one line of words."""
    text = braille.translate([" ".join(line.strip() for line in lines)], table, backward=True)[0]
    return " ".join(text.split())


def test_blocks_read_the_html_as_a_reader_would() -> None:
    html = (
        "<html><head><title>Not read</title><style>p { color: red }</style></head><body>"
        "<footer>Clinic&nbsp;&middot; Ref A-1&nbsp;&middot; Version 2</footer><h1>Title</h1>"
        '<nav aria-label="Languages"><a href="x">Español</a></nav><p>One <strong>bold</strong>word.<br>Next</p>'
        '<ul class="timeline"><li><strong class="when">6 weeks</strong><span class="what">pain starts</span></li>'
        "<li><strong>Fusion.</strong> The bones</li><li>A <strong>b</strong> c</li></ul>"
        "<h2>Words we use</h2></body></html>"
    )
    assert braille.blocks(html) == [
        braille.Block("h1", "Title"),
        braille.Block("p", "One boldword. Next"),
        braille.Block("li", "6 weeks: pain starts"),
        braille.Block("li", "Fusion. The bones"),
        braille.Block("li", "A b c"),
        braille.Block("h2", "Words we use"),
        braille.Block("p", "Clinic"),
        braille.Block("p", "Ref A-1"),
        braille.Block("p", "Version 2"),
    ]


def test_a_table_name_is_a_file_name_and_a_language_without_one_is_told_how_to_add_it() -> None:
    with pytest.raises(Exception, match=r"no braille table for 'fr': add `braille_table:`"):
        braille.table_for({"braille_table": ""}, "fr")
    with pytest.raises(Exception, match=r"'--help' is not the file name of a liblouis table"):
        braille.table_for({"braille_table": "--help"}, "en")
    assert braille.table_for({"braille_table": "es-g1.ctb"}, "es") == "es-g1.ctb"


def test_without_liblouis_the_build_says_how_to_install_it_and_makes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no lou_translate on it
    out = tmp_path / "output"
    assert main(["--out", str(out), "--only", "scar-tissue", "--braille"]) == 3
    assert capsys.readouterr().err == (
        "Error: braille files need liblouis, which is not installed: install liblouis: apt-get install liblouis-bin\n"
    )
    assert not out.exists()


@pytest.fixture(scope="module")
def brf_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The overview and one cause leaflet, in English and Spanish, with their braille files."""
    if shutil.which("lou_translate") is None and not os.environ.get("CI"):
        pytest.skip("liblouis not installed")
    out = tmp_path_factory.mktemp("braille")
    assert main(["--out", str(out), "--only", "overview", "--only", "scar-tissue", "--braille", "--jobs", "1"]) == 0
    return out


@pytest.mark.pdf
def test_a_brf_is_made_beside_each_leaflet(brf_folder: Path) -> None:
    brfs = sorted(p.name for p in brf_folder.glob("*.brf"))
    assert brfs == ["overview-en.brf", "overview-es.brf", "scar-tissue-en.brf", "scar-tissue-es.brf"]
    assert all((brf_folder / name.replace(".brf", "-a4.pdf")).is_file() for name in brfs)


@pytest.mark.pdf
@pytest.mark.parametrize("name", ["overview-en.brf", "overview-es.brf", "scar-tissue-en.brf"])
def test_pages_are_40_cells_by_25_lines_numbered_at_the_bottom_right(brf_folder: Path, name: str) -> None:
    found = pages(brf_folder / name)
    assert len(found) >= 2
    table = "es-g1.ctb" if "-es" in name else UEB
    for number, page in enumerate(found, start=1):
        assert len(page) == 25
        assert all(len(line) <= 40 and re.fullmatch(r"[ -_]*", line) for line in page), page
        assert page[-1] == page[-1].strip().rjust(40)  # the page number, at the right of the last line
        assert back([page[-1]], table) == str(number)
        assert page[0].strip(), "a page starts with text, never a blank line"


def test_a_brf_reads_back_as_the_leaflets_words(brf_folder: Path) -> None:
    lines = [line for page in pages(brf_folder / "scar-tissue-en.brf") for line in page[:-1]]
    text = back(lines)
    paragraph = (
        "The scar tissue can stick to the nerve roots inside the spinal canal. Doctors call this adhesion. "
        "It can cause pain."
    )
    assert paragraph in text
    assert "6 to 12 weeks after surgery: pain from scar tissue usually starts" in text
    assert text.endswith("Source: Clinic web page, Failed Back / Post-Laminectomy Syndrome")


def test_headings_are_set_apart_as_braille_formats_ask(brf_folder: Path) -> None:
    lines = [line for page in pages(brf_folder / "scar-tissue-en.brf") for line in page[:-1]]
    title = next(i for i, line in enumerate(lines) if back([line]) == "When scar tissue causes pain")
    assert lines[title] == lines[title].strip().center(40).rstrip()  # the title centred, a blank line after it
    assert lines[title + 1] == ""
    heading = next(i for i, line in enumerate(lines) if back([line]) == "How scar tissue can cause pain")
    assert lines[heading - 1] == "" and lines[heading].startswith("    ") and lines[heading][4] != " "  # cell 5
    assert lines[heading + 1].startswith("  ") and lines[heading + 1][2] != " "  # a paragraph starts in cell 3


@needs_liblouis
def test_a_table_liblouis_does_not_have_is_named(
    content_copy: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "strings.yaml").write_text("en:\n  braille_table: no-such-table.ctb\n", encoding="utf-8")
    content = content_copy(("language: en ", "strings: strings.yaml\nlanguage: en "))
    out = tmp_path / "output"
    assert main(["--content", str(content), "--out", str(out), "--only", "scar-tissue", "--braille"]) == 3
    error = capsys.readouterr().err
    assert error.startswith("Error: liblouis could not translate with no-such-table.ctb: "), error
    assert not out.exists()


@pytest.mark.pdf
@needs_liblouis
def test_discharge_braille_writes_an_owner_only_brf_beside_each_handout(tmp_path: Path) -> None:
    out = tmp_path / "discharge"
    patients = ROOT / "tests" / "fixtures" / "patients.csv"
    code = main(["discharge", "--patients", str(patients), "--out", str(out), "--jobs", "1", "--braille"])
    assert code == 4  # the fixture has rows that cannot be made, on purpose
    pdfs = sorted(p.stem for p in out.glob("*.pdf"))
    assert pdfs and sorted(p.stem for p in out.glob("*.brf")) == pdfs
    for path in out.glob("*.brf"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = back([line for page in pages(out / "EXS-0002.brf") for line in page[:-1]])
    assert "Name: Jordan Fictional" in text
    assert "When fusion surgery does not work" in text
