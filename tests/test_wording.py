"""The clinic's wording file is text, not code: placeholders are names, checked where they are written."""

from __future__ import annotations

import contextlib
import io
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from leaflets.cli import main
from leaflets.content import wording
from leaflets.content.editions import editions
from leaflets.content.sources import load_content
from leaflets.content.wording import fillings as wording_fillings
from leaflets.errors import ContentError
from leaflets.render.html import render_html
from tests.conftest import CONTENT, ROOT

MakeContent = Callable[..., Path]
WITH_STRINGS = ("language: en ", "strings: strings.yaml\nlanguage: en ")


@pytest.fixture(autouse=True)
def in_the_content_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages name files as the user typed them: run where the content is, as a clinic would."""
    monkeypatch.chdir(tmp_path)


def problems_with(content_copy: MakeContent, entries: dict[str, object]) -> list[str]:
    """The problems of a content whose wording file gives `entries` in its `en` block (line 2 on)."""
    content = content_copy(WITH_STRINGS)
    (content.parent / "strings.yaml").write_text(yaml.safe_dump({"en": entries}, width=10_000), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(content)
    return [str(problem) for problem in caught.value.problems]


NAME_ALONE = "a placeholder is a name alone in braces, with nothing after the name; this entry takes {condition}"


@pytest.mark.parametrize(
    ("entry", "text", "message"),
    [
        ("what_is_it", "{condition.__class__}", f"'{{condition.__class__}}': {NAME_ALONE}"),
        (
            "what_is_it",
            "What is {condition.__init__.__globals__}?",
            f"'{{condition.__init__.__globals__}}': {NAME_ALONE}",
        ),
        ("what_is_it", "What is {condition[0]}?", f"'{{condition[0]}}': {NAME_ALONE}"),
        ("what_is_it", "What is {condition!r}?", f"'{{condition!r}}': {NAME_ALONE}"),
        ("what_is_it", "What is {condition:>300000000}?", f"'{{condition:>300000000}}': {NAME_ALONE}"),
        ("what_is_it", "What is {0}?", "'{0}' is not one of this entry's placeholders; this entry takes {condition}"),
        ("what_is_it", "What is {}?", "'{}' is not one of this entry's placeholders; this entry takes {condition}"),
        (
            "what_is_it",
            "What is {cond}?",
            "'{cond}' is not one of this entry's placeholders; this entry takes {condition}",
        ),
        (
            "cause_leaflet",
            "{condition}: {name}",
            "'{name}' is not one of this entry's placeholders; this entry takes {condition} and {title}",
        ),
        (
            "book",
            "Book {phone}",
            "'{phone}' is not one of this entry's placeholders; this entry takes no placeholders",
        ),
        (
            "what_is_it",
            "What is {condition?",
            "has a brace that is not part of a placeholder (write {{ or }} for a brace itself); this entry takes "
            "{condition}",
        ),
        (
            "what_is_it",
            "What is condition}?",
            "has a brace that is not part of a placeholder (write {{ or }} for a brace itself); this entry takes "
            "{condition}",
        ),
    ],
)
def test_a_placeholder_that_is_not_a_name_the_entry_takes_is_located(
    content_copy: MakeContent, entry: str, text: str, message: str
) -> None:
    assert problems_with(content_copy, {entry: text}) == [f"strings.yaml:2:3: en.{entry}: {message}"]


def test_each_bad_placeholder_of_an_entry_is_named(content_copy: MakeContent) -> None:
    said = problems_with(content_copy, {"cause_leaflet": "{0}: {title!s}"})
    assert said == [
        "strings.yaml:2:3: en.cause_leaflet: '{0}' is not one of this entry's placeholders; this entry takes "
        "{condition} and {title}",
        "strings.yaml:2:3: en.cause_leaflet: '{title!s}': a placeholder is a name alone in braces, with nothing "
        "after the name; this entry takes {condition} and {title}",
    ]


def test_a_huge_width_fails_at_load_without_filling_the_memory(content_copy: MakeContent) -> None:
    tracemalloc.start()
    try:
        said = problems_with(content_copy, {"what_is_it": "{condition:>300000000}"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert said == [f"strings.yaml:2:3: en.what_is_it: '{{condition:>300000000}}': {NAME_ALONE}"]
    assert peak < 50_000_000, f"{peak:,} bytes: the width was filled in"  # filled in, it takes 300 MB


def test_the_command_says_where_the_wording_is_wrong(content_copy: MakeContent, tmp_path: Path) -> None:
    content = content_copy(WITH_STRINGS)
    (tmp_path / "strings.yaml").write_text("en:\n  book: Book\n  what_is_it: '{condition.__class__}'\n")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--content", str(content), "--out", str(tmp_path / "out")])
    assert code == 1 and out.getvalue() == ""
    assert err.getvalue().splitlines() == [
        "Error: 1 problem in the content:",
        f"  strings.yaml:3:3: en.what_is_it: '{{condition.__class__}}': {NAME_ALONE}",
    ]
    assert not (tmp_path / "out").exists()


def test_a_locale_cldr_does_not_know_is_located(content_copy: MakeContent) -> None:
    assert problems_with(content_copy, {"book": "Book", "locale": "xx_QQ"}) == [
        "strings.yaml:3:3: en.locale: 'xx_QQ' is not a locale CLDR knows; write a language and region like en_GB "
        "or es_MX"
    ]


def test_an_entry_too_long_once_filled_in_is_located(content_copy: MakeContent) -> None:
    # 1,200 characters as written; the condition's name is 28, so 100 of them make 2,900.
    said = problems_with(content_copy, {"what_is_it": " ".join(["{condition}"] * 100)})
    assert said == [
        "strings.yaml:2:3: en.what_is_it: is 2,899 characters long once its placeholders are filled in; "
        "at most 2,000 characters are allowed"
    ]


def test_a_word_too_long_once_filled_in_is_located(content_copy: MakeContent) -> None:
    said = problems_with(content_copy, {"qr_alt": "QRcodeopening{url}"})  # 'QRcodeopeninghttps://...': 41
    assert said == [
        "strings.yaml:2:3: en.qr_alt: once its placeholders are filled in, the word "
        "'QRcodeopeninghttps://www.example.org/b… has 41 characters; a word longer than 40 characters does not fit "
        "on a line: put a space between a placeholder and the words beside it"
    ]


def test_the_clinics_placeholders_are_filled_in(content_copy: MakeContent, tmp_path: Path) -> None:
    content = content_copy(WITH_STRINGS)
    (tmp_path / "strings.yaml").write_text("en:\n  what_is_it: 'About {condition}, in short'\n", encoding="utf-8")
    loaded = load_content(content)
    html = render_html(loaded, editions(loaded)[0], "a4", (tmp_path / "assets" / "logo.svg").as_uri())
    assert "About failed back surgery syndrome, in short</h2>" in html


def test_the_templates_fill_every_placeholder_and_no_other() -> None:
    filled = wording_fillings(load_content(CONTENT))
    assert {entry: set(values[0]) for entry, values in filled.items()} == {
        entry: set(names) for entry, names in wording.PLACEHOLDERS.items()
    }


def test_the_shipped_wording_passes_its_own_checks() -> None:
    for language, block in wording.shipped().items():
        for key, value in block.items():
            assert list(wording._entry_problems(key, value)) == [], (language, key)


def test_expand_fills_names_and_nothing_else() -> None:
    assert wording.expand("Page {page} of {pages}", page="1", pages="2") == "Page 1 of 2"
    assert wording.expand("{condition}", condition="{condition.__class__}") == "{condition.__class__}"


def test_the_docs_list_each_entrys_placeholders() -> None:
    page = (ROOT / "docs" / "languages.md").read_text(encoding="utf-8")
    paragraph = page.split("A few entries have placeholders", 1)[1].split("\n\n", 1)[0]
    for entry, names in wording.PLACEHOLDERS.items():
        assert f"`{entry}`" in paragraph and all(f"`{{{name}}}`" in paragraph for name in names), entry


def test_doubled_braces_are_a_brace_itself() -> None:
    assert wording.expand("What is {{{condition}}}?", condition="FBSS") == "What is {FBSS}?"
    assert list(wording.check_placeholders("what_is_it", "What is {{{condition}}}?")) == []
