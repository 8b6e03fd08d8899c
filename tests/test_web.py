"""The web edition (`--web`): one self-contained folder of accessible pages, saying what the PDFs say.

Built once for the module (English and Spanish, one cause leaflet's PDF); the browser tests open it in
headless Chromium from a local static server rooted at the folder, as any static host would serve it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from leaflets.cli import main
from leaflets.content.fonts import FONT_DIR, FONT_FACES
from leaflets.content.wording import direction
from leaflets.web.pages import language_name
from tests.browser import chromium
from tests.conftest import ROOT, line_of
from tests.pdfread import page_texts
from tests.test_print_editions import decode_qr
from tests.webpage import WebPage, axe_source, served

CAUSES = ("failed-fusion", "failed-decompression", "scar-tissue", "rehabilitation")
PAGES = [f"{language}/{name}.html" for language in ("en", "es") for name in ("overview", *CAUSES)]
WEB_URL = "https://www.example.org/leaflets/"
#: What PDFium reads for a hyphen where a line was broken after it.
LINE_END = "\ufffe"
needs_chromium = pytest.mark.skipif(chromium() is None and not os.environ.get("CI"), reason="Chromium not installed")


def copy_content(folder: Path, *replacements: tuple[str, str]) -> Path:
    """content.yaml with its Spanish translation, logo and term lists in `folder`, with text replaced (each must
    be found, so a test cannot stop testing what it claims to)."""
    for name in ("content.yaml", "content.es.yaml", "content.es.master.json", "medical_terms.txt"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copy(ROOT / "medical_terms.es.txt", folder / "medical_terms.es.txt")
    shutil.copytree(ROOT / "assets", folder / "assets")
    for old, new in replacements:
        for name in ("content.yaml", "content.es.yaml"):
            text = (folder / name).read_text(encoding="utf-8")
            assert old in text, f"test fixture out of date: {old!r} not in {name}"
            (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder / "content.yaml"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of `--only scar-tissue --web`, with a web address for the second QR code."""
    folder = tmp_path_factory.mktemp("web")
    content = copy_content(folder, ("  address:", f"  web_url: {WEB_URL}\n  address:"))
    # The record of the master's text now includes the new field: the translation stays up to date.
    assert main(["translated", str(folder / "content.es.yaml"), "--content", str(content)]) == 0
    out = folder / "output"
    assert main(["--content", str(content), "--out", str(out), "--only", "scar-tissue", "--web", "--jobs", "1"]) == 0
    return out


class Links(HTMLParser):
    """Every address a page loads (src, stylesheet, icon) or links to (href), and its <html> attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[tuple[str, dict[str, str | None]]] = []
        self.root: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.root = found
        loaded = tag in ("img", "script", "link") and found.get("rel") != "alternate"
        if loaded and (found.get("src") or found.get("href")):
            self.loads.append(str(found.get("src") or found.get("href")))
        if tag == "a" or (tag == "link" and found.get("rel") == "alternate"):
            self.links.append((str(found.get("href")), found))


def read_links(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


@pytest.mark.pdf
def test_the_folder_holds_every_page_and_everything_they_load(site: Path) -> None:
    web = site / "web"
    assert sorted(str(p.relative_to(web)) for p in web.rglob("*.html")) == sorted([*PAGES, "index.html"])
    for name in FONT_FACES.values():  # the faces the PDFs embed, as they ship
        assert (web / "fonts" / name).read_bytes() == (FONT_DIR / name).read_bytes()
    assert (web / "fonts" / "LICENSE.txt").is_file()
    css = (web / "style.css").read_text(encoding="utf-8")
    for address in re.findall(r"url\(\"?([^\")]+)", css):
        assert not re.match(r"[a-z]+:|/", address) and (web / address).is_file(), address
    for page in [*PAGES, "index.html"]:
        links = read_links(web / page)
        for address in links.loads:
            assert not re.match(r"[a-z]+:|/", address), f"{page} loads {address}"
            assert (web / page).parent.joinpath(address).resolve().is_file(), f"{page}: {address} is not in the folder"
        for address, _ in links.links:  # links to pages of the folder; out only to book, and to write
            outside = address.startswith(("https://www.example.org/book", "mailto:appointments@example.org"))
            assert outside or (web / page).parent.joinpath(address).resolve().is_file(), f"{page}: {address}"


def test_pages_say_their_language_and_link_each_translation_by_hreflang(site: Path) -> None:
    english = read_links(site / "web" / "en" / "scar-tissue.html")
    assert english.root == {"lang": "en", "dir": "ltr"}
    switch = [attrs for address, attrs in english.links if address == "../es/scar-tissue.html"]
    assert {"hreflang": "es", "lang": "es", "href": "../es/scar-tissue.html"}.items() <= switch[-1].items()
    assert read_links(site / "web" / "es" / "scar-tissue.html").root == {"lang": "es", "dir": "ltr"}
    index = (site / "web" / "index.html").read_text(encoding="utf-8")
    assert '<section class="language" lang="es" dir="ltr">' in index
    assert '<a href="es/scar-tissue.html">Cuando el tejido de cicatriz causa dolor</a>' in index


@pytest.mark.pdf
def test_direction_and_names_of_languages_come_from_cldr() -> None:
    assert [direction(tag) for tag in ("en", "es", "ar", "he", "fa-IR")] == ["ltr", "ltr", "rtl", "rtl", "rtl"]
    assert [language_name(tag) for tag in ("en", "es", "en-US")] == ["English", "Español", "English (United States)"]


def test_each_printed_leaflet_gets_a_second_qr_code_to_its_web_page(site: Path) -> None:
    codes = decode_qr(site / "scar-tissue-en-a4.pdf", 0)
    assert sorted(codes) == sorted(["https://www.example.org/book", WEB_URL + "en/scar-tissue.html"])
    assert decode_qr(site / "scar-tissue-es-a4.pdf", 0)[-1:] == [WEB_URL + "es/scar-tissue.html"]
    (text,) = page_texts(site / "scar-tissue-en-a4.pdf")
    assert "Read this leaflet online www.example.org/leaflets/en/scar-tissue.html" in text.replace(LINE_END, "-")
    assert (site / "web" / "en" / "scar-tissue.html").is_file()


def test_web_colours_below_aa_stop_the_build_before_any_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Primary on this tint passes in print (headings there are large text, 3:1) but not for links on the web.
    content = copy_content(tmp_path, ('tint: "#e6f0f5"', 'tint: "#8fb3c9"'))
    out = tmp_path / "output"
    monkeypatch.chdir(tmp_path)
    assert main(["--content", "content.yaml", "--out", "output", "--only", "scar-tissue", "--web"]) == 1
    line = line_of(content, "primary:")
    assert capsys.readouterr().err.splitlines()[1] == (
        f"  content.yaml:{line}:5: brand.colours.primary: on the web pages, #1b4965 (brand.colours.primary) on "
        "#8fb3c9 (brand.colours.tint) (headings and links in the key points and booking box) has a contrast of "
        "4.3:1; WCAG 2.2 AA needs 4.5:1 for text (1.4.3): choose a darker primary or a lighter tint colour"
    )
    assert not out.exists()


@pytest.mark.pdf
@needs_chromium
def test_every_page_passes_axe_loads_nothing_from_elsewhere_and_reflows_at_320px(site: Path, tmp_path: Path) -> None:
    axe = axe_source()
    if axe is None and not os.environ.get("CI"):
        pytest.skip("axe-core not installed (npm install --prefix .ci/axe axe-core, or set AXE_CORE_JS)")
    assert axe is not None, "CI must have axe-core (.ci/run installs it)"
    with served(site / "web") as root, WebPage(str(chromium()), tmp_path / "profile") as tab:
        for page in ["index.html", *PAGES]:
            tab.open(root + page, width=1024)
            assert tab.axe_violations(axe) == [], page
            tab.open(root + page, width=320)
            assert tab.evaluate("document.documentElement.scrollWidth") <= 320, page
            assert tab.evaluate("[...document.fonts].every(f => f.status !== 'error')"), page
        tab.screenshot(tmp_path / "rehabilitation-es-320.png")
        assert tab.requests and all(url.startswith(root) for url in tab.requests), tab.requests
        assert f"{root}fonts/SourceSansPro-Bold.ttf" in tab.requests


#: Printed on paper only: the page number. On the web only: the link to the other language and to every leaflet.
PRINT_ONLY = Counter(["Page", "1", "of", "1"])
WEB_ONLY = Counter(["Español", "All", "our", "leaflets"])


def words(text: str) -> Counter[str]:
    """The words of a text, each without the punctuation around it; separators (·) and bullets (■) are not words."""
    found = (word.strip(".,:;!?()·\u25a0\u00a0") for word in text.split())
    return Counter(word for word in found if word)


@pytest.mark.pdf
@needs_chromium
def test_the_web_page_has_the_words_of_the_pdf(site: Path, tmp_path: Path) -> None:
    (printed,) = page_texts(site / "scar-tissue-en-a4.pdf")
    printed = printed.replace(LINE_END, "-")  # the printed web address wraps at its hyphen
    with served(site / "web") as root, WebPage(str(chromium()), tmp_path / "profile") as tab:
        tab.open(root + "en/scar-tissue.html", width=1024)
        shown = tab.evaluate("document.body.innerText")
    on_paper = words(printed) - PRINT_ONLY - words(f"Read this leaflet online {WEB_URL[8:]}en/scar-tissue.html")
    assert words(shown) - WEB_ONLY == on_paper
    assert words(shown) - on_paper == WEB_ONLY


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "https://www.example.org/leaflets",
            "must be a full web address of a folder, starting with https:// and "
            "ending with / (got 'https://www.example.org/leaflets')",
        ),
        (
            "https://user@evil.example/",
            "has '@' before the first '/': what comes before '@' is not where the link "
            "goes; write the address without it",
        ),
    ],
)
def test_a_web_address_that_cannot_be_printed_is_located(
    content_copy: Callable[..., Path], capsys: pytest.CaptureFixture[str], written: str, message: str
) -> None:
    content = content_copy(("  address:", f"  web_url: {written}\n  address:"))
    assert main(["--content", str(content), "--out", str(content.parent / "output"), "--web"]) == 1
    line = line_of(content, "web_url:")
    assert f"  {content}:{line}:3: brand.web_url: {message}" in capsys.readouterr().err.splitlines()
