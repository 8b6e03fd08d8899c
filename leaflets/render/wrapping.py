"""Where a printed line may break, and where it may not.

Kept whole: a phone number or a date (`unbroken`, `keeping`, `fill`), a postcode with its short neighbours
(`codes_kept_whole`), a short hyphenated word (`keep_hyphenated_words`), a word of a language written without
spaces (`keep_words_whole`). Broken only at their seams: an email or a web address (`breakable`). The
stylesheet does the rest (class `unbroken`, `overflow-wrap`). Nothing here knows a country: the rules are about
digits, lengths and punctuation, and a language's word segmenter (SEGMENTERS).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterator
from functools import cache

from markupsafe import Markup

from leaflets.content import wording

#: Up to this many characters, a phone number or a date is kept on one line (`unbroken`); a longer one may wrap,
#: so it never sticks out of a narrow column (24 characters of 12 pt text take about 55 mm).
UNBROKEN_MAX = 24


def unbroken(value: str, longest: int = UNBROKEN_MAX) -> Markup:
    """`value` kept on one line, not split where the line wraps, if it is no longer than `longest` (a phone
    number, a date): class `unbroken` in leaflet.css."""
    if len(value) > longest:
        return Markup.escape(value)
    return Markup('<span class="unbroken">{}</span>').format(value)


def keeping(text: str, *phrases: str) -> Markup:
    """Free text with each of `phrases` in it kept on one line (the clinic's phone number in a sentence)."""
    marked = Markup.escape(text)
    for phrase in filter(None, phrases):
        marked = Markup(marked.replace(Markup.escape(phrase), unbroken(phrase)))
    return marked


def fill(pattern: str, **values: str) -> Markup:
    """A wording entry with its {placeholders} filled, each value kept on one line ('call us on {phone}')."""
    parts = wording.segments(pattern)  # never str.format on wording: it is the clinic's text (wording.py)
    return Markup("").join(
        Markup.escape(text) + (unbroken(values[name]) if name is not None else "") for text, name in parts
    )


#: Where an email or a web address may wrap: after its '@', before a '.' or a '/' (never inside a name).
ADDRESS_BREAK = re.compile(r"(?<=@)|(?<=.)(?=[./])")


def breakable(address: str) -> Markup:
    """An email or a printed web address that may wrap only after its '@', or before a '.' or '/' (a zero-width
    space; the stylesheet lets it wrap nowhere else): a long one takes two tidy lines instead of widening its box
    or breaking inside a name. A short last part ('.org', '/en') never starts a line alone; a part longer than
    UNBROKEN_MAX characters may also wrap after each UNBROKEN_MAX of them, so it never runs out of a narrow box.
    Characters, not elements: a link's text must be its own (PDF/UA tags a link's annotation under it)."""
    parts: list[str] = []
    for part in ADDRESS_BREAK.split(address):
        if parts and len(part) <= 4 and not parts[-1].endswith("@"):
            parts[-1] += part
        else:
            parts.append(part)
    pieces = [part[i : i + UNBROKEN_MAX] for part in parts for i in range(0, len(part), UNBROKEN_MAX)]
    return Markup("\u200b").join(pieces)


#: A word with a digit in it: a postcode, a house or suite number, a ZIP code ('NG9', '60614-3310', '2000').
CODE = re.compile(r"\S*\d\S*")
#: A code is kept with neighbouring words this short ('IL 60614-3310', 'NG9 9ZZ', 'NSW 2000', '1012 AB').
CODE_NEIGHBOUR = 3
#: ... as long as the group stays this short, so it always fits a line.
CODE_GROUP = 16


def codes_kept_whole(text: str) -> Markup:
    """Free text (an address) with each code kept on one line with its short neighbours: 'NG9 9ZZ', 'IL 60614-3310'.

    In any country's format: a word with a digit in it is held to the words beside it that are codes too or
    have at most CODE_NEIGHBOUR characters; a hyphen inside the group never starts a new line either.
    """
    words = text.split(" ")
    joined = [False] * len(words)  # joined[i]: words[i] is held to words[i - 1]
    for i in range(1, len(words)):
        pair = (words[i - 1], words[i])
        coded = any(CODE.fullmatch(w.rstrip(",;")) for w in pair)
        short = all(CODE.fullmatch(w.rstrip(",;")) or len(w) <= CODE_NEIGHBOUR for w in pair)
        joined[i] = coded and short and not pair[0].endswith((",", ";"))
    groups: list[list[str]] = []
    for word, held in zip(words, joined, strict=True):
        if held and len(" ".join([*groups[-1], word])) <= CODE_GROUP:
            groups[-1].append(word)
        else:
            groups.append([word])
    return Markup(" ").join(unbroken(" ".join(group), CODE_GROUP) if len(group) > 1 else group[0] for group in groups)


#: A hyphenated word ('x-rays', 'follow-up', '555-0134'), in the text between tags.
HYPHENATED = re.compile(r"(?<![\w&#-])\w+(?:-\w+)+(?![\w-])")
#: Up to this many characters a hyphenated word is kept on one line: a break at its hyphen would leave a stub
#: ('x-' at a line's end); a longer one may still break there, so it never runs out of a narrow column.
HYPHENATED_WHOLE = 12


def keep_hyphenated_words(html: str) -> str:
    """The document's body with every short hyphenated word kept on one line (class `unbroken`).

    Text only: between tags, in the body (never in an attribute or the stylesheet), and not in a link (a
    link's text must be its own for PDF/UA). The HTML comes from our templates with autoescape on, so no '<'
    or '>' stands inside a text or an attribute value.
    """
    head, tag, body = html.partition("<body")

    def whole(match: re.Match[str]) -> str:
        word = match[0]
        return f'<span class="unbroken">{word}</span>' if len(word) <= HYPHENATED_WHOLE else word

    kept, in_link = [head], False
    for part in re.split(r"(<[^>]*>)", tag + body):
        if part.startswith("<"):
            in_link = part.startswith("<a ") or (in_link and part != "</a>")
        kept.append(part if part.startswith("<") or in_link else HYPHENATED.sub(whole, part))
    return "".join(kept)


#: Word joiner (U+2060): no line break on either side of it. WeasyPrint 70 draws it as an empty glyph, so it is
#: neither seen nor read back from the PDF's text.
WORD_JOINER = "\u2060"
#: Runs of ideographs (CJK Unified Ideographs and their extensions, compatibility ideographs).
IDEOGRAPHS = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]{2,}")


def keep_words_whole(html: str, language: str) -> str:
    """The document's body with a word joiner between the letters of each word of a language written without
    spaces, as its segmenter cuts it (SEGMENTERS): WeasyPrint 70 breaks Chinese between any two ideographs
    (UAX #14) and supports neither `word-break: keep-all` nor a word list, so 综合征 could end a line at 综合.
    A line then breaks between words, and UAX #14 still keeps punctuation with its word. Text only, between
    tags in the body and not in a link; any other language's page is returned as it is."""
    segmenter = SEGMENTERS.get(language.split("-")[0].lower())
    if segmenter is None:
        return html
    words = segmenter()
    head, tag, body = html.partition("<body")
    kept, in_link = [head], False
    for part in re.split(r"(<[^>]*>)", tag + body):
        if part.startswith("<"):
            in_link = part.startswith("<a ") or (in_link and part != "</a>")
        as_it_is = part.startswith("<") or in_link
        kept.append(part if as_it_is else IDEOGRAPHS.sub(lambda run: _joined(run[0], words), part))
    return "".join(kept)


def _joined(run: str, words: Callable[[str], Iterator[str]]) -> str:
    return "".join(WORD_JOINER.join(word) for word in words(run))


@cache
def _chinese() -> Callable[[str], Iterator[str]]:
    """Chinese words as jieba cuts them, with its own dictionary (about 350,000 words), read once into memory:
    left to itself jieba writes a cache file into the shared temp folder and logs to the terminal."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42 imports the deprecated pkg_resources
        import jieba

    tokenizer = jieba.Tokenizer()
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), "rb") as dictionary:
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(dictionary)
    tokenizer.initialized = True
    return lambda text: (str(word) for word in tokenizer.cut(text, HMM=False))


#: The word segmenter of each language written without spaces between words, by language (its tag's first part).
SEGMENTERS: dict[str, Callable[[], Callable[[str], Iterator[str]]]] = {"zh": _chinese}
