"""The fixed wording the templates print ("Key points", "Page 1 of 2"), one block per language.

The shipped table is `templates/strings.yaml`. A clinic changes wording, or adds a language, in a file of its
own beside the content (`strings: strings.yaml`), never in the project: a block for a language the project
ships may replace any of its entries; a block for a new language must give every entry but those in DEFAULTS.

A few entries have placeholders ("Page {page} of {pages}"): a name in braces, from the entry's list in
PLACEHOLDERS, and nothing else. The wording is the clinic's text, not code: it is filled in here by name
(`expand`), never by `str.format`, which would let `{condition.__class__}` read the program's objects and
`{condition:>300000000}` fill the memory. Every entry is checked when its file is read.
"""

from __future__ import annotations

import datetime
import difflib
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from leaflets.content import yamltree
from leaflets.content.limits import TEXT, WORD
from leaflets.content.load import display_path, read_text
from leaflets.content.printable import first_long_word
from leaflets.errors import BuildError, ContentError, Problem
from leaflets.theme import TEMPLATES

if TYPE_CHECKING:
    from leaflets.content.schema import Content

SHIPPED = TEMPLATES / "strings.yaml"
#: The language whose block names every entry (the others must match it).
REFERENCE = "en"
#: Entries a new language may leave out (added after a clinic's files were written), and what it then gets.
#: An empty entry is one the language does not have yet: what needs it (the web edition, braille) says so.
DEFAULTS = {
    "colon": ":",
    "sentence_end": ". ",
    "web_read_online": "",
    "web_languages": "",
    "web_all_leaflets": "",
    "braille_table": "",
}
#: The placeholders of each entry, filled in by the templates; an entry not listed has none.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "page_x_of_y": ("page", "pages"),
    "what_is_it": ("condition",),
    "qr_alt": ("url",),
    "cause_leaflet": ("condition", "title"),
    "call_us": ("phone",),
    "past_review": ("date",),
}
#: The values each entry's placeholders take in one content, as the templates fill them: {entry: [values]}.
Fillings = Mapping[str, Sequence[Mapping[str, str]]]


def segments(pattern: str) -> list[tuple[str, str | None]]:
    """An entry as (text, placeholder name or None) pairs; `check_placeholders` has passed it."""
    return [(text, name) for text, name, _, _ in string.Formatter().parse(pattern)]


def expand(pattern: str, **values: str) -> str:
    """An entry with each placeholder replaced by its value: `expand("What is {condition}?", condition="FBSS")`."""
    return "".join(text + (values[name] if name is not None else "") for text, name in segments(pattern))


def check_placeholders(key: str, text: str) -> Iterator[str]:
    """What is wrong with the braces of entry `key`: each must hold one of its placeholder names, alone."""
    allowed = PLACEHOLDERS.get(key, ())
    takes = "this entry takes " + (" and ".join(f"{{{name}}}" for name in allowed) or "no placeholders")
    try:
        parts = list(string.Formatter().parse(text))  # `{{` and `}}` are a brace itself, as they always were
    except ValueError:  # a lone brace that opens or closes nothing
        yield f"has a brace that is not part of a placeholder (write {{{{ or }}}} for a brace itself); {takes}"
        return
    for _, name, spec, conversion in parts:
        if name is None or (name in allowed and not spec and not conversion):
            continue
        written = _quote("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
        if re.split(r"[.\[]", name)[0] in allowed:  # {condition.__class__}, {condition[0]}, {condition!r}...
            yield f"{written}: a placeholder is a name alone in braces, with nothing after the name; {takes}"
        else:
            yield f"{written} is not one of this entry's placeholders; {takes}"


def check_locale(value: str) -> str | None:
    """Why `locale` is not one CLDR (Babel) knows, or None."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(value)
    except (ValueError, TypeError, UnknownLocaleError):
        return f"{_quote(value)} is not a locale CLDR knows; write a language and region like en_GB or es_MX"
    return None


def _quote(value: str) -> str:
    """A placeholder or value as a message quotes it, cut short (a format spec can be 2,000 characters)."""
    return yamltree.shown(value, 40)


@cache
def shipped() -> dict[str, dict[str, Any]]:
    """The project's table: `shipped()['en']['book']`."""
    try:
        table: dict[str, dict[str, Any]] = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise BuildError(f"cannot read the fixed wording in {SHIPPED}: {error}") from None
    keys = set(table[REFERENCE])
    for language, strings in table.items():
        if set(strings) != keys:
            missing = ", ".join(sorted(keys ^ set(strings)))
            raise BuildError(f"{SHIPPED}: language {language!r} does not have the same keys as 'en': {missing}")
        for key, value in strings.items():
            for message in _entry_problems(key, value):
                raise BuildError(f"{SHIPPED}: {language}.{key}: {message}")
    return table


def _entry_problems(key: str, value: Any) -> Iterator[str]:
    """What is wrong with an entry of the right kind: its placeholders, or a locale CLDR does not know."""
    if key == "locale":
        problem = check_locale(value)
        if problem:
            yield problem
    elif isinstance(value, str):
        yield from check_placeholders(key, value)


@dataclass(frozen=True)
class Wording:
    """The fixed wording, one block per language, and the clinic's file it came from (if any)."""

    blocks: dict[str, dict[str, Any]]
    marks: yamltree.Marks | None = None  # where each entry of the clinic's file is, for messages
    given: frozenset[tuple[str, str]] = frozenset()  # the (language, entry) pairs the clinic's file gives

    def filled_problems(self, language: str, fillings: Fillings) -> list[Problem]:
        """The clinic's entries of `language` too long once filled in with one content's values (limits.TEXT),
        or holding a word too long for a line (limits.WORD), each at its line in the clinic's file.

        The shipped entries are not checked: each holds a placeholder once, beside a few words, and the values
        are held to the same limits in the content file."""
        problems = []
        for key, values in fillings.items():
            if self.marks is None or (language, key) not in self.given:
                continue
            found = (_filled_problem(expand(self.blocks[language][key], **each)) for each in values)
            problem = next(filter(None, found), None)
            if problem:
                problems.append(self.marks.at((language, key), f"{language}.{key}", problem))
        return problems


def _filled_problem(text: str) -> str | None:
    if len(text) > TEXT.value:
        return f"is {len(text):,} characters long once its placeholders are filled in; at most {TEXT} are allowed"
    word = first_long_word(text)
    if word is not None:
        return (
            f"once its placeholders are filled in, the word {_quote(word)} has {len(word):,} characters; a word "
            f"longer than {WORD} does not fit on a line: put a space between a placeholder and the words beside it"
        )
    return None


def table(clinic_file: Path | None = None) -> Wording:
    """The shipped table with the clinic's file (if any) laid over it; raises ContentError naming file, line
    and entry for a block that is not a group of texts, an entry the project does not know, a placeholder
    the entry does not take, a locale CLDR does not know, or a new language that lacks entries."""
    merged = {language: dict(block) for language, block in shipped().items()}
    if clinic_file is None:
        return Wording(merged)
    shown = display_path(clinic_file)
    node, raw = yamltree.parse(read_text(clinic_file, shown), shown)
    marks = yamltree.Marks(shown, raw)
    problems = marks.walk(node)
    data = {} if marks.structural else yamltree.construct(node, shown)
    if not problems and not isinstance(data, dict):
        problems.append(Problem(shown, 1, 1, "(file)", "must be one block per language, like `es:` or `fr:`"))
        data = {}
    known = merged[REFERENCE]
    for language, block in data.items():
        if not isinstance(block, dict):
            problems.append(marks.at((language,), language, "must be a group of entries, like `book: Pida cita`"))
            continue
        for key, value in block.items():
            problems += [marks.at((language, key), f"{language}.{key}", why) for why in _problems(key, value, known)]
        if language not in merged:
            missing = [key for key in known if key not in block and key not in DEFAULTS]
            if missing:
                listed = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
                message = f"a new language needs every entry of the wording; missing: {listed}"
                problems.append(marks.at((language,), language, message))
            merged[language] = dict(DEFAULTS)
        merged[language].update(block)
    if problems:
        raise ContentError(sorted(problems, key=lambda p: (p.line, p.column)))
    given = frozenset((language, key) for language, block in data.items() for key in block)
    return Wording(merged, marks, given)


def _problems(key: str, value: Any, known: dict[str, Any]) -> Iterator[str]:
    """What is wrong with one entry of the clinic's file."""
    if key not in known:
        near = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else f"; the entries are those of {SHIPPED.name}"
        yield f"is not an entry of the wording{hint}"
    elif not isinstance(value, type(known[key])):
        yield f"must be {'a list of words' if isinstance(known[key], list) else 'text'}"
    else:
        yield from _entry_problems(key, value)


def base(language: str) -> str:
    """The block a language tag uses: `en-US` and `en-GB` share `en`."""
    return language.split("-")[0].lower()


def fillings(content: Content) -> dict[str, list[dict[str, str]]]:
    """What the templates fill each wording entry's placeholders with, for `content` (its wording set): every
    entry of PLACEHOLDERS, with every set of values it is printed with."""
    from leaflets.content import webpages  # late: both import this module
    from leaflets.content.editions import editions

    condition = content.condition
    web_pages = webpages.qr_codes(content, editions(content))
    return {
        "page_x_of_y": [{"page": "99", "pages": "99"}],  # CSS counters (css_counter_text): the longest a budget allows
        "what_is_it": [{"condition": condition.in_text}],
        "qr_alt": [{"url": content.brand.booking_url}, *({"url": url} for url in web_pages.values())],
        "cause_leaflet": [{"condition": condition.title, "title": leaflet.title} for leaflet in content.cause_leaflets],
        "call_us": [{"phone": content.brand.phone}],
        "past_review": [{"date": format_date(content.governance.review_by, content)}],
    }


@cache
def direction(language: str) -> str:
    """How a language is written: 'rtl' when CLDR (Babel) says right to left (Arabic, Hebrew, Persian, Urdu),
    else 'ltr'. The one place the print and the web editions learn it from (`dir` on the page)."""
    from babel import Locale

    return "rtl" if Locale.parse(language, sep="-").character_order == "right-to-left" else "ltr"


def locale_of(content: Content) -> Any:
    """The CLDR locale for dates: the tag's own region (en-US), else the language's default (wording `locale`)."""
    from babel import Locale

    language = content.language
    return Locale.parse(language, sep="-") if "-" in language else Locale.parse(content.wording["locale"])


def format_date(date: datetime.date, content: Content) -> str:
    """A date in the content's language from CLDR (Babel): 2 November 2026 (en-GB), November 2, 2026 (en-US),
    2 de noviembre de 2026 (es)."""
    from babel.dates import format_date as cldr_date

    return str(cldr_date(date, format="long", locale=locale_of(content)))
