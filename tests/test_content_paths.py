"""Every file and folder a content file names is in its folder: no absolute path, no `..` out, no link out."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from leaflets.content.sources import load_content, load_sources
from leaflets.errors import ContentError
from tests.conftest import ROOT, line_of

MakeContent = Callable[..., Path]
OUT = "../../../../etc/passwd"  # out of the content's folder, wherever that is (a leading `..` leaves it)

#: Each path field: (its name in messages, file or folder, how to set it to VALUE, the text of its line, column).
FIELDS = {
    "brand.logo": ("file", ("  logo: assets/logo.svg", "  logo: VALUE"), "  logo: ", 3),
    "quality.medical_terms": (
        "file",
        ("  medical_terms: medical_terms.txt", "  medical_terms: VALUE"),
        "  medical_terms: ",
        3,
    ),
    "strings": ("file", ("paper: a4 ", "strings: VALUE\npaper: a4 "), "strings: ", 1),
    "translations[0]": ("file", ("paper: a4 ", "translations:\n  - VALUE\npaper: a4 "), "  - ", 5),
    "fonts": ("folder", ("paper: a4 ", "fonts: VALUE\npaper: a4 "), "fonts: ", 1),
}


@pytest.fixture(autouse=True)
def in_the_content_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that is not the content's, holding a file and a folder a link could point at."""
    folder = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(ROOT / "assets" / "logo.svg", folder / "logo.svg")
    (folder / "fonts").mkdir()
    return folder


def problems(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(content)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("way", ["absolute", "dot-dot", "link"])
def test_a_path_out_of_the_content_folder_is_located(
    content_copy: MakeContent, outside: Path, tmp_path: Path, field: str, way: str
) -> None:
    kind, (old, new), line_text, column = FIELDS[field]
    value = {"absolute": "/etc/passwd", "dot-dot": OUT, "link": "assets/link.svg"}[way]
    content = content_copy((old, new.replace("VALUE", value)))
    if way == "link":  # inside by name, outside once followed; it exists there, so only the link is wrong
        (tmp_path / "assets" / "link.svg").symlink_to(outside / ("fonts" if kind == "folder" else "logo.svg"))
    how = {
        "absolute": f"is outside the content's folder: name a {kind} in it, relative to it",
        "dot-dot": f"goes out of the content's folder: put the {kind} in it, and name it from there",
        "link": f"is a link out of the content's folder: put the {kind} in it, and name it from there",
    }[way]
    where = f"content.yaml:{line_of(content, line_text + value)}:{column}"
    assert problems(content) == [f"{where}: {field}: {value!r} {how}"]


def test_a_link_that_stays_inside_and_a_dot_dot_that_comes_back_are_fine(content_copy: MakeContent) -> None:
    content = content_copy(("  medical_terms: medical_terms.txt", "  medical_terms: assets/../terms.txt"))
    (content.parent / "terms.txt").symlink_to(content.parent / "medical_terms.txt")
    assert load_content(content).quality.medical_terms == "assets/../terms.txt"


def test_a_link_to_itself_is_located(content_copy: MakeContent) -> None:
    content = content_copy(("  logo: assets/logo.svg", "  logo: assets/loop.svg"))
    (content.parent / "assets" / "loop.svg").symlink_to("loop.svg")
    assert problems(content) == [
        f"content.yaml:{line_of(content, 'loop.svg')}:3: brand.logo: 'assets/loop.svg' is a link that leads back to "
        "itself"
    ]


def test_a_name_too_long_for_the_disk_is_located(content_copy: MakeContent) -> None:
    content = content_copy(("  logo: assets/logo.svg", f"  logo: assets/{'a' * 300}.svg"))
    assert problems(content) == [
        f"content.yaml:{line_of(content, 'aaa')}:3: brand.logo: cannot look at 'assets/{'a' * 51}…: "
        f"{os.strerror(errno.ENAMETOOLONG)}"
    ]


def test_a_translations_own_paths_stay_in_its_folder(content_copy: MakeContent) -> None:
    master = content_copy(translated=True)
    translation = master.parent / "content.es.yaml"
    text = translation.read_text(encoding="utf-8").replace("  logo: assets/logo.svg", f"  logo: {OUT}", 1)
    translation.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_sources(master)
    assert [str(p) for p in caught.value.problems] == [
        f"content.es.yaml:{line_of(translation, 'logo: ../')}:3: brand.logo: '{OUT}' goes out of the content's "
        "folder: put the file in it, and name it from there"
    ]
