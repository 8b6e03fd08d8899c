"""The documentation site: it builds with `mkdocs build --strict`, and its reference pages, made from the code,
list every content field, limit, command-line option and quality check."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from leaflets import reference
from leaflets.checks import conformance
from leaflets.checks.quality import COLUMNS
from leaflets.checks.readability import FORMULAS
from leaflets.content.limits import LIMITS
from leaflets.pipeline.plan import PAGE_CHECKS
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built from mkdocs.yml as `mkdocs build --strict` builds it (a warning aborts the build)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = tmp_path_factory.mktemp("site")
    build(load_config(str(ROOT / "mkdocs.yml"), strict=True, site_dir=str(out)))
    return out


class _Sections(HTMLParser):
    """The text of a page's article, cut at each heading: [(heading, text), ...]."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[tuple[str, list[str]]] = []
        self.in_article = False
        self.in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_article = self.in_article or tag == "article"
        if self.in_article and tag in ("h1", "h2"):
            self.in_heading = True
            self.sections.append(("", []))
        elif self.in_article and tag in ("td", "th", "p", "li", "br"):
            self._add(" ")

    def handle_endtag(self, tag: str) -> None:
        self.in_heading = self.in_heading and tag not in ("h1", "h2")
        self.in_article = self.in_article and tag != "article"

    def handle_data(self, data: str) -> None:
        if self.in_heading:
            heading, text = self.sections[-1]
            self.sections[-1] = (heading + data, text)
        elif self.in_article and self.sections:
            self._add(data)

    def _add(self, data: str) -> None:
        self.sections[-1][1].append(data)


def sections(site: Path, page: str) -> dict[str, str]:
    """Each heading of a built page (its `index.html`) with the text under it, spaces collapsed."""
    parser = _Sections()
    parser.feed((site / page / "index.html").read_text(encoding="utf-8"))
    return {heading.strip(): " ".join("".join(text).split()) for heading, text in parser.sections}


def text_of(site: Path, page: str) -> str:
    return " ".join(sections(site, page).values())


@pytest.mark.pdf
def test_the_site_builds_strictly_with_its_tables_made_from_the_code(site: Path) -> None:
    html = (site / "reference" / "content-fields" / "index.html").read_text(encoding="utf-8")
    assert "<table>" in html and "<td><code>brand.booking_url</code></td>" in html
    pages = list(site.rglob("*.html"))
    assert len(pages) > 15
    assert not [p for p in pages if "<!-- generated" in p.read_text(encoding="utf-8")]
    assert not (site / "hooks.py").exists()


def test_the_site_asks_nothing_of_another_server_when_read(site: Path) -> None:
    for page in site.rglob("*.html"):
        loaded = re.findall(r'<(?:link|script|img)\b[^>]*?(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8"))
        assert not [url for url in loaded if re.match(r"(https?:)?//", url)], page


def _key_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every key of a YAML document as the field reference names it (`causes[].name`)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{prefix}{key}"
            yield from _key_paths(inner, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            yield from _key_paths(item, prefix.removesuffix(".") + "[].")


def test_every_field_a_content_file_uses_is_in_the_field_reference(site: Path) -> None:
    html = (site / "reference" / "content-fields" / "index.html").read_text(encoding="utf-8")
    listed = set(re.findall(r"<tr>\s*<td><code>([^<]+)</code></td>", html))
    fixtures = sorted((ROOT / "tests" / "fixtures").glob("*/content.yaml"))
    files = [ROOT / "content.yaml", ROOT / "content.es.yaml", *fixtures]
    used = {path for file in files for path in _key_paths(yaml.safe_load(file.read_text(encoding="utf-8")))}
    assert len(used) > 60
    assert sorted(used - listed) == []


def test_every_limit_is_on_the_limits_page(site: Path) -> None:
    text = text_of(site, "reference/limits")
    for limit in LIMITS:
        assert f"{limit.applies_to.replace('`', '')} {limit} " in text, limit.applies_to


@pytest.mark.parametrize("heading", list(reference.commands()))
def test_every_option_of_every_command_is_on_the_command_line_page(site: Path, heading: str) -> None:
    section = sections(site, "reference/command-line")[heading]
    for action in reference.commands()[heading]._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name in action.choices:
                assert f" {name} " in f" {section} ", (heading, name)
            continue
        for name in action.option_strings or [action.metavar]:
            if name not in ("-h", "--help"):
                assert f" {name} " in f" {section} ", (heading, name)
                assert " ".join(action.help.replace("`", "").split()) in section, (heading, name)


@pytest.mark.pdf
def test_every_check_the_program_reports_is_listed_and_explained(site: Path) -> None:
    found = reference.check_names()
    assert {name for name, _ in COLUMNS} | set(PAGE_CHECKS) <= set(found)
    listed = text_of(site, "reference/quality-checks")
    explained = sections(site, "quality-gate")["The checks"]
    for name in found:
        assert f" {name} " in listed, name
        assert f" {name} " in explained, name


def test_every_rule_the_pdf_ua_check_runs_is_listed_where_the_gate_points(site: Path) -> None:
    listed = sections(site, "reference/quality-checks")["PDF/UA-1 and PDF/A-2 rules"]
    for rule in [*conformance.RULES, *conformance.EXTRA_RULES, *conformance.PDFA_RULES]:
        assert f" {rule} " in listed, rule
    assert 'id="pdfua-1-and-pdfa-2-rules"' in (site / "reference" / "quality-checks" / "index.html").read_text()
    gate = (site / "quality-gate" / "index.html").read_text(encoding="utf-8")
    assert 'href="../reference/quality-checks/#pdfua-1-and-pdfa-2-rules"' in gate


def test_every_reading_level_formula_is_on_its_page_with_target_and_source(site: Path) -> None:
    text = f" {text_of(site, 'reference/reading-level')} "
    for formula in FORMULAS.values():
        row = f" {formula.language_name} ({formula.language}) {formula.name} {formula.target_text.replace('`', '')} "
        assert row in text, formula.language
        assert f" {formula.citation} " in text, formula.language


def test_a_marker_for_a_table_that_does_not_exist_stops_the_docs_build() -> None:
    with pytest.raises(
        reference.UnknownTable, match=r"no generated table .feilds.; there are: modules, fields, limits"
    ):
        reference.fill("Before.\n\n<!-- generated: feilds -->\n")


def test_every_page_the_readme_and_the_messages_point_at_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "leaflets").rglob("*.py")))
    pointed = set(re.findall(r"\]\((docs/[^)#]+)", readme)) | set(re.findall(r"see (docs/[a-z/-]+\.md)", code))
    assert {"docs/languages.md", "docs/brand-and-fonts.md", "docs/print-shop.md", "docs/index.md"} <= pointed
    assert sorted(p for p in pointed if not (ROOT / p).is_file()) == []
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert sorted(p for p in pointed if p.endswith(".md") and p.removeprefix("docs/") not in nav) == []
