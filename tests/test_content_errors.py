"""Bad content: every problem reported at once, as FILE:LINE:COL: field: message, exit 1, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leaflets.cli import main
from tests.conftest import line_of

MakeContent = Callable[..., Path]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def build_bad(content: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[int, list[str]]:
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "--content", str(content), "--out", str(out))
    assert "Traceback" not in stderr
    assert not out.exists() or not any(out.iterdir()), "a failed build must not write files"
    assert stdout == ""
    return code, stderr.splitlines()


@pytest.mark.parametrize(
    ("replacement", "needle", "column", "message"),
    [
        (
            ('  version: "1.0"', "  version: 1.0"),
            "version: 1.0",
            3,
            'governance.version: expected text, got a number (1.0); put it in quotes, like "1.0"',
        ),
        (
            ('    primary: "#1b4965"', '    primary: "navy"'),
            "primary:",
            5,
            "brand.colours.primary: 'navy' is not a colour; write it as # and six hex digits, like #1b4965",
        ),
        (
            ("  logo: assets/logo.svg", "  logo: assets/missing.svg"),
            "logo: assets",
            3,
            "brand.logo: no file at {tmp}/assets/missing.svg",
        ),
        (("  phone: 555-0134", '  phone: ""'), "phone:", 3, "brand.phone: is empty; write some text here"),
        (
            ("  review_by: 2027-11-02", "  review_by: 2 November 2027"),
            "review_by:",
            3,
            "governance.review_by: expected a date written as YEAR-MONTH-DAY, like 2027-11-02, got '2 November 2027'",
        ),
        (
            ("  review_by: 2027-11-02", "  review_by: 2026-01-01"),
            "review_by:",
            3,
            "governance.review_by: must be later than the published date",
        ),
        (("paper: a4 ", "paper: a5 "), "paper: a5", 1, "paper: must be one of 'a4' or 'letter', got 'a5'"),
        (
            ("    leaflet: scar-tissue", "    leaflet: scar-tisue"),
            "leaflet: scar-tisue",
            5,
            "causes[5].leaflet: no cause leaflet has the id 'scar-tisue' (known: failed-fusion, failed-decompression, "
            "scar-tissue, rehabilitation)",
        ),
        (
            ("        week: 6\n", "        week: soon\n"),
            "week: soon",
            9,
            "cause_leaflets[2].timeline[0].week: expected a whole number, got the text 'soon'",
        ),
        (
            ("  booking_url: https://www.example.org/book", "  booking_url: www.example.org/book"),
            "booking_url:",
            3,
            "brand.booking_url: must be a full web address starting with https:// (got 'www.example.org/book')",
        ),
        (
            ("language: en ", "language: fr "),
            "language: fr",
            1,
            "language: no fixed wording for 'fr': add a block for it to a file named in `strings:` "
            "(see docs/languages.md); the project has: en, es",
        ),
    ],
)
def test_each_kind_of_mistake_is_named_with_file_line_and_field(
    content_copy: MakeContent,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    replacement: tuple[str, str],
    needle: str,
    column: int,
    message: str,
) -> None:
    content = content_copy(replacement)
    code, lines = build_bad(content, capsys, tmp_path)
    assert code == 1
    assert lines == [
        "Error: 1 problem in the content:",
        f"  {content}:{line_of(content, needle)}:{column}: {message.format(tmp=tmp_path)}",
    ]


def test_all_problems_are_reported_at_once_in_file_order(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = content_copy(
        ('  version: "1.0"', "  version: 1.0"),
        ("  phone: 555-0134", "  phone: []"),
        ("  title: Failed back surgery syndrome", "  titel: Failed back surgery syndrome"),
    )
    code, lines = build_bad(content, capsys, tmp_path)
    assert code == 1
    assert lines[0] == "Error: 4 problems in the content:"
    numbers = [int(line.split(":")[1]) for line in lines[1:]]
    assert numbers == sorted(numbers)
    assert [line.split(": ", 2)[1] for line in lines[1:]] == [
        "brand.phone",
        "governance.version",
        "condition.title",
        "condition.titel",
    ]
    assert lines[3].endswith("condition.title: this field is missing; it is required")
    assert lines[4].endswith(
        "condition.titel: unknown field; did you mean 'title'? allowed here: "
        "also_called, causes_intro, key_points, main_message, name_in_text, title, treatment, what_is_it"
    )


def test_a_typo_in_a_key_names_the_unknown_and_the_missing_field(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = content_copy(("  disclaimer: >-", "  disclamer: >-"))
    code, lines = build_bad(content, capsys, tmp_path)
    assert code == 1
    assert lines == [
        "Error: 2 problems in the content:",
        f"  {content}:{line_of(content, 'brand:')}:1: brand.disclaimer: this field is missing; it is required",
        f"  {content}:{line_of(content, 'disclamer:')}:3: brand.disclamer: unknown field; did you mean 'disclaimer'? "
        "allowed here: address, booking_url, clinic_name, colours, colours_cmyk, disclaimer, email, logo, logo_alt, "
        "logo_background, other_formats, phone, web_url",
    ]


def test_a_key_written_twice_is_an_error(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = content_copy(
        ("  email: appointments@example.org\n", "  email: appointments@example.org\n  email: other@example.org\n")
    )
    code, lines = build_bad(content, capsys, tmp_path)
    assert code == 1
    line = line_of(content, "email: other@")
    assert (
        lines[1]
        == f"  {content}:{line}:3: brand.email: this field appears twice; the second one would replace the first"
    )


def test_yaml_syntax_error_points_at_line_and_column(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = content_copy(("  address: 1 Example Road", "  address: [1 Example Road"))
    code, lines = build_bad(content, capsys, tmp_path)
    assert code == 1
    assert lines[0] == "Error: 1 problem in the content:"
    assert lines[1].startswith(f"  {content}:{line_of(content, 'email:')}:8: (syntax): YAML syntax: ")
    assert lines[1].endswith("; check the indentation and colons here")


def test_text_that_is_not_utf8_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content.yaml"
    content.write_bytes(b"language: en\nbrand:\n  clinic_name: Caf\xe9\n")
    code, lines = build_bad(content, capsys, tmp_path)
    assert code == 1
    assert lines[1] == f"  {content}:3:19: (file): this is not UTF-8 text; save the file as UTF-8"


def test_empty_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    assert build_bad(empty, capsys, tmp_path) == (
        1,
        ["Error: 1 problem in the content:", f"  {empty}:1:1: (file): the file is empty"],
    )
    missing = tmp_path / "missing.yaml"
    code, lines = build_bad(missing, capsys, tmp_path)
    assert code == 1
    assert lines[1] == f"  {missing}:1:1: (file): cannot read it: No such file or directory"


def test_debug_shows_the_traceback(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = content_copy(('  version: "1.0"', "  version: 1.0"))
    code, _, stderr = run(capsys, "--content", str(content), "--out", str(tmp_path / "out"), "--debug")
    assert code == 1
    assert "Traceback" in stderr and "ContentError" in stderr
