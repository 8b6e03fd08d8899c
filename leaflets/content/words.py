"""Words in any language: how the checks find a glossary term, a listed medical term or the reader in a text.

Three rules, none tied to one condition, and each the same for every check (the glossary a leaflet prints, the
plain-words check, the unused-glossary warning, the reader-address item of the actionability check):

- **Words** are runs of letters, marks and digits of any script (`WORD`); an apostrophe or a hyphen ends one
  (l'opération is l + opération, self-care is self + care). Before comparing, text is case folded and put in
  Unicode compatibility form (NFKC: a full-width letter is the letter), and the optional vowel marks of Arabic
  and Hebrew and Arabic's tatweel are taken out. A name matches the words that start with it, so "herniat" finds
  "herniation" and "Nerve root" finds "nerve roots"; the reader's words ("you", "usted") match whole words
  only. (This is quick and needs no word list: a build whose leaflets are unchanged does not load wordfreq.)
- **Scripts written without spaces** (Chinese and Japanese ideographs and kana, Thai, Lao, Khmer, Burmese,
  Tibetan): there is no word start to anchor a name, and a segmenter cuts the same word differently beside
  different neighbours (淋巴结 is 淋巴 + 结 in one sentence, one word in another), so a name written in one of
  them matches wherever its characters appear in the text.
- **Arabic attaches short words to the next one** (`CLITICS`): a conjunction (و "and", ف "so"), then a
  preposition (ب "with", ك "like", ل "for"), then the article ال, in that order, each at most once, as in
  والعلاج "and the treatment" or للمريض "for the patient" (ل + ال, written لل). A word of the text is looked
  at as written and with each of those prefixes taken off (at least two letters must remain), so العلاج,
  والعلاج and بالعلاج all contain the word علاج; a name written with the article also matches without it.
  Suffixes (the attached pronouns: علاجك "your treatment") are not taken off: list such forms in the wording's
  `reader_words` where they address the reader.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

import regex

#: Letters of the scripts written without spaces between words.
SPACELESS = regex.compile(
    r"[\p{IsIdeo}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}"
    r"\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]"
)
#: A word: letters, marks and digits of any script.
WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
#: The optional marks of Arabic (harakat, the dagger alif) and Hebrew (points), and Arabic's tatweel.
OPTIONAL_MARKS = regex.compile(r"[\u064b-\u065f\u0670\u0640\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7]")
#: Fewest letters a word keeps once an attached prefix is taken off.
SHORTEST_STEM = 2

#: Arabic's attached prefixes, in the order they stack: conjunctions, prepositions, the article.
ARABIC_PREFIXES: tuple[tuple[str, ...], ...] = (("و", "ف"), ("ب", "ك", "ل"), ("ال",))


def base(language: str) -> str:
    """The language of a tag, lower case: `ar-EG` -> `ar`."""
    return language.split("-")[0].lower()


def spaceless(name: str) -> bool:
    """True when `name` has letters of a script written without spaces between words."""
    return SPACELESS.search(name) is not None


@lru_cache(maxsize=256)
def normalised(text: str) -> str:
    """`text` as words are compared: case folded, NFKC, without optional vowel marks."""
    return str(OPTIONAL_MARKS.sub("", unicodedata.normalize("NFKC", text).casefold()))


@lru_cache(maxsize=256)
def words(text: str) -> tuple[str, ...]:
    """The words of `text`, normalised (a run of a script without spaces stays one piece)."""
    return tuple(WORD.findall(normalised(text)))


def arabic_forms(word: str) -> tuple[str, ...]:
    """`word` as written, then without each run of attached prefixes (see the module's docstring)."""
    stems = [(word, False)]  # what is left, and whether the preposition ل was the last prefix taken off
    for group in ARABIC_PREFIXES:
        for stem, after_lam in list(stems):
            for prefix in group:
                if prefix == "ال" and after_lam:
                    prefix = "ل"  # ل + ال is written لل: the article's alif is dropped
                rest = stem[len(prefix) :]
                if stem.startswith(prefix) and len(rest) >= SHORTEST_STEM:
                    stems.append((rest, prefix == "ل" and group is ARABIC_PREFIXES[1]))
    return tuple(dict.fromkeys(stem for stem, _ in stems))


#: The forms a word of the text is also looked at in, by language; a language not here has only the word itself.
CLITICS: dict[str, Callable[[str], tuple[str, ...]]] = {"ar": arabic_forms}


@lru_cache(maxsize=4096)
def forms(word: str, language: str) -> tuple[str, ...]:
    """A word of the text as written, and as it is without its attached prefixes (Arabic)."""
    strip = CLITICS.get(base(language))
    return strip(word) if strip else (word,)


def name_forms(word: str, language: str) -> tuple[str, ...]:
    """A word of a glossary term or list as written, and (Arabic) without its article."""
    if base(language) == "ar" and word.startswith("ال") and len(word) - 2 >= SHORTEST_STEM:
        return (word, word[2:])
    return (word,)


def mentions(text: str, name: str, language: str) -> bool:
    """True when `text` uses `name` (a glossary term or one of its `also` words, a term-list line)."""
    return bool(found(text, name, language))


def found(text: str, name: str, language: str) -> list[str]:
    """The words of `text` that `name` matches (each the word as the text has it, normalised), in order.

    A name of several words matches the same words in a row, the last one by its start ("nerve root" finds
    "nerve roots"); a name in a script without spaces, each place its characters appear, given as the run of
    that script around it up to a space or a punctuation mark ("淋巴" in "颈部淋巴结肿大。" gives "颈部淋巴结肿大").
    """
    wanted = words(name)
    if not wanted:
        return []
    if spaceless(name):
        needle = normalised(name).strip()
        return [run for run in words(text) for _ in range(run.count(needle))]
    return [" ".join(run) for run in _runs(text, wanted, language, whole=False)]


def uses_word(text: str, word: str, language: str) -> bool:
    """True when `text` has the whole word `word` (Arabic: with or without its attached prefixes)."""
    if spaceless(word):
        return normalised(word).strip() in normalised(text)
    wanted = words(word)
    return bool(wanted) and bool(_runs(text, wanted, language, whole=True))


def _runs(text: str, wanted: Sequence[str], language: str, whole: bool) -> list[tuple[str, ...]]:
    """The runs of words of `text` that match `wanted`: each word as a whole, the last by its start unless `whole`."""
    have, index = _index(text, language)
    size, starts = len(wanted), set()
    for name in name_forms(wanted[0], language):
        for form, position in index[bisect.bisect_left(index, (name,)) :]:
            if not form.startswith(name):
                break
            if form == name or (size == 1 and not whole):
                starts.add(position)
    runs = []
    for start in sorted(starts):
        run = tuple(have[start : start + size])
        if len(run) == size and all(
            _matches(got, want, language, whole or i < size - 1)
            for i, (got, want) in enumerate(zip(run, wanted, strict=True))
        ):
            runs.append(run)
    return runs


@lru_cache(maxsize=64)
def _index(text: str, language: str) -> tuple[tuple[str, ...], list[tuple[str, int]]]:
    """The words of `text`, and each form of each word with its position, sorted: a name's matches are found by
    its start in the sorted forms, not by a walk through the text for every name."""
    have = words(text)
    return have, sorted((form, position) for position, word in enumerate(have) for form in forms(word, language))


def _matches(got: str, want: str, language: str, whole: bool) -> bool:
    names = name_forms(want, language)
    return any(form == name or (not whole and form.startswith(name)) for form in forms(got, language) for name in names)


def common_start(first: str, second: str) -> int:
    """How many characters two words share from their start."""
    size = 0
    for a, b in zip(first, second, strict=False):  # up to the shorter
        if a != b:
            break
        size += 1
    return size


def closeness(used: str, name_word: str, language: str) -> tuple[int, bool]:
    """How well a word of the text fits a word of a glossary term, in a script with spaces: (characters in common
    from the start, whether the used word starts with the whole term word), over the forms of both; higher is
    closer."""
    best = (0, False)
    for got in forms(used, language):
        for name in name_forms(name_word, language):
            best = max(best, (common_start(got, name), got.startswith(name)))
    return best
