"""Whatever the content file holds: exit 1 and FILE:LINE:COL: field: what is wrong, found in milliseconds.

Each case here once ended in "unexpected failure", never finished, or
printed something misleading (issue #12).
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from leaflets.cli import main
from leaflets.content import limits
from leaflets.content.sources import load_content
from leaflets.render.html import booking_address
from tests.conftest import line_of

MakeContent = Callable[..., Path]
LAUGHS = "lol0: &l0 [lol]\n" + "".join(f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))


def problems(content: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The problem lines of `--list` on a bad content file (which must fail with exit 1 and no traceback)."""
    code = main(["--list", "--content", str(content)])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert captured.out == ""
    assert "Traceback" not in captured.err and "unexpected failure" not in captured.err
    lines = captured.err.splitlines()
    assert re.fullmatch(r"Error: 1 problem in the content:|Error: [\d,]+ problems in the content:", lines[0])
    return [line.removeprefix(f"  {content}:") for line in lines[1:]]


@pytest.mark.parametrize(
    ("replacement", "needle", "message"),
    [
        (
            ("published: 2026-11-02", "published: 2026-02-30"),
            "published:",
            "3: governance.published: 2026-02-30 is not a date: February 2026 has 28 days",
        ),
        (
            ("published: 2026-11-02", "published: 2026-13-01"),
            "published:",
            "3: governance.published: 2026-13-01 is not a date: there is no month 13 (months go from 01 to 12)",
        ),
        (
            ("published: 2026-11-02", "published: 0000-01-01"),
            "published:",
            "3: governance.published: 0000-01-01 is not a date: there is no year 0; write the year in full, like 2027",
        ),
        (
            ("published: 2026-11-02", "published: '2026-02-29'"),
            "published:",
            "3: governance.published: 2026-02-29 is not a date: February 2026 has 28 days",
        ),
        (
            ("published: 2026-11-02", "published: 2026-11-02 10:00:00"),
            "published:",
            "3: governance.published: expected a date written as YEAR-MONTH-DAY, like 2027-11-02, got a date and "
            "time (2026-11-02 10:00:00); write the date alone, like 2027-11-02",
        ),
        (
            ("  phone: 555-0134", '  phone: "555\\x01-0134"'),
            "phone:",
            "3: brand.phone: contains an invisible control character (U+0001); delete it (your editor may not show it)",
        ),
        (
            ("  phone: 555-0134", "  phone: 555\x1b-0134"),
            "phone:",
            "3: brand.phone: contains an invisible control character (U+001B); delete it (your editor may not show it)",
        ),
        (
            ("  phone: 555-0134", "  phone: 555\x9b-0134"),
            "phone:",
            "3: brand.phone: contains an invisible control character (U+009B); delete it (your editor may not show it)",
        ),
        (
            ("  phone: 555-0134", '  phone: "555\\u202e-0134"'),
            "phone:",
            "3: brand.phone: contains an invisible control character (U+202E); delete it (your editor may not show it)",
        ),
        (
            ("  phone: 555-0134", "  phone: 555\ufffd-0134"),
            "phone:",
            "3: brand.phone: contains U+FFFD, the sign of text damaged when it was copied or converted; "
            "retype the text around it",
        ),
        (
            ("  also_called: Also called", "  also_called: 中 Also called"),
            "also_called:",
            "3: condition.also_called: has characters no embedded font can print (U+4E2D '中'); write them another "
            "way, or add a font that has them to the folder named in `fonts:` (see docs/brand-and-fonts.md)",
        ),
        (
            ("  also_called: Also called", "  also_called: " + "x" * 41 + " Also called"),
            "also_called:",
            "3: condition.also_called: the word 'xxxxxxxxxxxxxxxxxxxxxx… has 41 characters; a word longer than "
            "40 characters does not fit on a line: add a space or a hyphen, or shorten it",
        ),
        (
            ("  also_called: Also called", "  also_called: " + "x" * 100_000),
            "also_called:",
            "3: condition.also_called: is 100,026 characters long; at most 2,000 characters are allowed "
            "(split it, or shorten it)",
        ),
        (
            ("        week: 6\n", "        week: " + "9" * 5_000 + "\n"),
            "week: 99",
            "9: cause_leaflets[2].timeline[0].week: this number has more than 15 digits; "
            "no field needs a number this long",
        ),
        (
            ("causes:\n", "causes: &loop [*loop]\nold_causes:\n"),
            "causes: &loop",
            "16: causes[0]: *loop repeats a list or group; an alias may only repeat a single value "
            "(write the list or group out here)",
        ),
        (
            ("paper: a4 ", "paper: " + "[" * 400 + "]" * 400 + " "),
            "paper: [[",
            "20: paper[0][0][0][0][0][0][0][0][0][0][0]: nested more than 12 levels deep; "
            "no field of the content goes this deep",
        ),
        (
            ("brand:\n", "brand:\n  <<: {phone: 1}\n"),
            "<<:",
            "3: brand: '<<' (a YAML merge) is not used here; write the fields out",
        ),
        (
            ("brand:\n", "1: one\nbrand:\n"),
            "1: one",
            "1: (top level): a field name must be a word followed by ':', not '1'",
        ),
        (
            ("  phone: 555-0134", "  phone: !custom 555-0134"),
            "phone:",
            "10: brand.phone: '!custom' is not a kind of value the content uses; remove it",
        ),
        (
            ("  phone: 555-0134", "  phone: *nowhere"),
            "phone:",
            "10: brand.phone: *nowhere repeats nothing: no &nowhere comes before it; write the value out",
        ),
        (
            ("  phone: 555-0134", '  phone: "555\\ue000"'),
            "phone:",
            "3: brand.phone: contains U+E000, a private or unassigned character that no typeface prints; delete it",
        ),
        (
            ("  phone: 555-0134", "  phone: ="),
            "phone:",
            "10: brand.phone: '=' alone has a special meaning in YAML; put it in quotes: '='",
        ),
    ],
)
def test_each_input_mistake_is_located(
    content_copy: MakeContent,
    capsys: pytest.CaptureFixture[str],
    replacement: tuple[str, str],
    needle: str,
    message: str,
) -> None:
    content = content_copy(replacement)
    assert problems(content, capsys) == [f"{line_of(content, needle)}:{message}"]


def test_a_date_in_quotes_is_a_date(content_copy: MakeContent) -> None:
    content = load_content(content_copy(("published: 2026-11-02", "published: '2026-11-02'")))
    assert content.governance.published.isoformat() == "2026-11-02"


def test_tab_and_line_break_in_folded_text_are_fine(content_copy: MakeContent) -> None:
    content = load_content(content_copy(("  phone: 555-0134", '  phone: "555\\t0134"')))
    assert content.brand.phone == "555\t0134"


def test_an_alias_bomb_is_refused_before_it_expands(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str]
) -> None:
    content = content_copy(("language: en", LAUGHS + "language: en"))
    assert problems(content, capsys) == [
        f"{line_of(content, 'lol1:')}:12: lol1[0]: *l0 repeats a list or group; "
        "an alias may only repeat a single value (write the list or group out here)"
    ]


def test_aliases_to_single_values_are_counted(content_copy: MakeContent, capsys: pytest.CaptureFixture[str]) -> None:
    repeats = "".join(f"copy{i}: *v\n" for i in range(limits.ALIASES.value + 1))
    content = content_copy(("language: en", "v: &v text\n" + repeats + "language: en"))
    assert problems(content, capsys) == [
        f"{line_of(content, 'copy50:')}:9: copy50: more than 50 aliases in the file; write the values out"
    ]


def test_a_file_too_large_is_refused_unread(content_copy: MakeContent, capsys: pytest.CaptureFixture[str]) -> None:
    content = content_copy(("language: en", "#" + "x" * limits.CONTENT_FILE.value + "\nlanguage: en"))
    assert problems(content, capsys) == [
        "1:1: (file): the file is larger than 131,072 bytes; content for a set of leaflets is far smaller"
    ]


def test_a_folder_is_not_a_content_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(tmp_path, capsys) == ["1:1: (file): this is not a file (a folder, or a device?)"]


def test_a_list_too_long_is_one_problem(content_copy: MakeContent, capsys: pytest.CaptureFixture[str]) -> None:
    entries = "".join(f"  - term: Term{i}\n    meaning: Its meaning.\n" for i in range(150))
    content = content_copy(("glossary:\n", "glossary:\n" + entries))
    assert problems(content, capsys) == [
        f"{line_of(content, 'glossary:')}:1: glossary: has 162 items; at most 100 items are allowed"
    ]


def test_many_problems_are_summarised(content_copy: MakeContent, capsys: pytest.CaptureFixture[str]) -> None:
    unknown = "".join(f"  extra{i}: x\n" for i in range(30))
    content = content_copy(("brand:\n", "brand:\n" + unknown))
    lines = problems(content, capsys)
    assert len(lines) == 21
    assert lines[0] == f"{line_of(content, 'extra0:')}:3: brand.extra0: unknown field; allowed here: " + ALLOWED
    assert lines[-1] == "  ... and 10 more; fix these first, then run again"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://www.example.org/" + "b" * 480,
            "is 504 characters long; a QR code that phones can read at its printed size holds at most 500: "
            "use a shorter address (your web team can make a short link)",
        ),
        (
            "https://www.example.org@evil.example/book",
            "has '@' before the first '/': what comes before '@' is not where the link goes; "
            "write the address without it",
        ),
        (
            "https://www.example.org\\@evil.example/",
            "must not contain a backslash (\\); browsers read it as '/', so the link would go elsewhere",
        ),
        (
            "https://localhost/book",
            "the part after https:// is not a web address (like www.example.org); check it in a browser",
        ),
        ("https://example.org:99999/", "the part after https:// is not a web address; check it in a browser"),
    ],
)
def test_a_booking_address_that_misleads_or_will_not_scan_is_refused(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], url: str, message: str
) -> None:
    content = content_copy(("booking_url: https://www.example.org/book", f"booking_url: {url}"))
    assert problems(content, capsys) == [f"{line_of(content, 'booking_url:')}:3: brand.booking_url: {message}"]


def test_the_longest_booking_address_allowed_makes_a_version_17_qr_code_37_mm_wide() -> None:
    from leaflets.render.html import qr_squares

    url = "https://www.example.org/" + "b" * (limits.BOOKING_URL.value - len("https://www.example.org/"))
    assert qr_squares(url) == 17 * 4 + 17 + 8  # version 17, and its quiet zone of 4 squares each side
    assert qr_squares(url) * 0.4 < 38  # mm, at 0.4 mm a square (leaflet.css)


@pytest.mark.parametrize(
    ("url", "printed"),
    [
        ("https://www.example.org/book", "www.example.org/book"),
        ("https://evil.example/example.org/", "evil.example"),
        ("https://evil.example/www.example.org/book", "evil.example"),
        ("https://evil.example/?https://www.example.org/book", "evil.example"),
        ("https://evil.example/#www.example.org", "evil.example"),
        ("https://Example.ORG/", "example.org"),
        ("https://example.org:8443/book", "example.org:8443/book"),
        ("https://bücher.example/", "xn--bcher-kva.example"),
        ("https://example.org/appointments/new-patients-and-referrals", "example.org"),
        ("https://example.org/%65vil", "example.org"),
    ],
)
def test_the_printed_booking_address_is_the_host_the_link_opens(url: str, printed: str) -> None:
    assert booking_address(url) == printed


def _svg(body: str, prolog: str = "") -> bytes:
    return f'{prolog}<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{body}</svg>'.encode()


def _png(width: int, height: int, damaged: bool = False) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) ^ (1 if damaged and kind == b"IDAT" else 0)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    pixels = zlib.compress(b"\x00\x00\x00\x00" * height) if width == 1 else zlib.compress(b"")
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


ENTITIES = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
ALLOWED = (
    "address, booking_url, clinic_name, colours, colours_cmyk, disclaimer, email, logo, logo_alt, logo_background, "
    "other_formats, phone, web_url"
)
RESAVE = "save it again as plain SVG (in Inkscape: Save As, Plain SVG), or use a PNG logo"
USES = '<g id="g0"><rect width="1" height="1"/></g>' + "".join(
    f'<g id="g{i}">' + f'<use href="#g{i - 1}"/>' * 10 + "</g>" for i in range(1, 8)
)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "logo.svg",
            _svg("<text>&b;</text>", ENTITIES),
            f"the SVG logo has a DOCTYPE or ENTITY declaration, which can make it expand without end; {RESAVE}",
        ),
        (
            "logo.svg",
            _svg(USES),
            f"the SVG logo draws more than 10,000 elements once its references are followed; {RESAVE}",
        ),
        (
            "logo.svg",
            _svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'),
            f"the SVG logo has elements that refer to each other in a loop; {RESAVE}",
        ),
        (
            "logo.svg",
            _svg('<image href="file:///etc/hostname" width="1" height="1"/>'),
            "the SVG logo refers to another file, a web address or an embedded picture; a logo must be drawn in its "
            f"own file: {RESAVE}",
        ),
        (
            "logo.svg",
            _svg("<style>@import url(https://example.org/x.css);</style>"),
            "the SVG logo refers to another file or a web address in its styles; a logo must be drawn in its own "
            f"file: {RESAVE}",
        ),
        (
            "logo.svg",
            b"<html></html>",
            f"this is not an SVG image (it does not start with <svg> in the SVG namespace); {RESAVE}",
        ),
        (
            "logo.svg",
            b"<svg",
            f"the SVG logo is not well-formed XML (unclosed token: line 1, column 0); {RESAVE}",
        ),
        (
            "logo.svg",
            _svg("<!--" + "x" * limits.SVG_IMAGE.value + "-->"),
            "the logo file is larger than 262,144 bytes; save it smaller (a logo needs far less)",
        ),
        (
            "logo.png",
            _png(20_000, 20_000),
            "the PNG logo is 20000 x 20000 pixels; at most 8,192 a side and 16,000,000 pixels in all: "
            "a logo needs far fewer (save it smaller)",
        ),
        (
            "logo.png",
            _png(1, 1, damaged=True),
            "the PNG logo is damaged (it does not read back as a PNG); save it again",
        ),
        ("logo.png", b"GIF89a", "this is not a PNG image; save the logo as PNG (or SVG) again"),
    ],
)
@pytest.mark.pdf
def test_a_logo_that_would_expand_or_reach_out_is_refused(
    content_copy: MakeContent, capsys: pytest.CaptureFixture[str], name: str, data: bytes, message: str
) -> None:
    content = content_copy(("  logo: assets/logo.svg", f"  logo: assets/{name}"))
    (content.parent / "assets" / name).write_bytes(data)
    assert problems(content, capsys) == [f"{line_of(content, 'logo: assets')}:3: brand.logo: {message}"]


def test_a_good_png_logo_is_accepted(content_copy: MakeContent) -> None:
    content = content_copy(("  logo: assets/logo.svg", "  logo: assets/logo.png"))
    (content.parent / "assets" / "logo.png").write_bytes(_png(1, 1))
    assert load_content(content).brand.logo == "assets/logo.png"


@pytest.mark.pdf
def test_a_spoofing_booking_address_prints_the_host_it_opens(content_copy: MakeContent, tmp_path: Path) -> None:
    import pdfplumber

    from leaflets.pipeline.plan import build

    content = content_copy(
        ("booking_url: https://www.example.org/book", "booking_url: https://evil.example/example.org/")
    )
    (output,) = build(content, tmp_path / "out", only=["scar-tissue"])
    with pdfplumber.open(tmp_path / "out" / output.file) as pdf:
        text = pdf.pages[0].extract_text()
        links = [link["uri"] for link in pdf.pages[0].hyperlinks]
    assert "evil.example" in text
    assert "example.org" not in text.replace("appointments@example.org", "")
    assert "https://evil.example/example.org/" in links
