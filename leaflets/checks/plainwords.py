"""Plain words: every medical or uncommon word a leaflet prints is explained in its glossary.

Two independent ways to find the words that need explaining (PEMAT: "medical
terms are defined"), neither tied to one condition or language:

- the clinic's own list of medical terms, a text file beside its content
  (`quality.medical_terms`); a listed word a leaflet uses must be in the glossary
  printed with it, or the build stops;
- word frequency from a maintained corpus (wordfreq): a word rarer than
  everyday vocabulary, Zipf frequency below 3 (fewer than one in a million words;
  van Heuven et al. 2014 count Zipf 1-3 as low-frequency words) that no glossary
  entry explains, is reported for the editor to explain or reword. Words the
  clinic judges plain go in `quality.everyday_words`.

Words and terms are found by the rules of leaflets/content/words.py in every
language (Arabic's attached prefixes, scripts written without spaces); wordfreq
cuts Chinese into words with jieba (installed with the project), Japanese and
Korean with MeCab (an optional install, `fbss-leaflets[japanese-korean]`).
When wordfreq has no word list for the content's language, or lacks its
segmenter, the check says it could not look; it never reports a pass it did not
earn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from leaflets.content import words
from leaflets.content.schema import Content, GlossaryEntry
from leaflets.errors import ContentError, Problem

#: Below this Zipf frequency a word is not everyday vocabulary.
RARE_ZIPF = 3.0


@dataclass(frozen=True)
class Vocabulary:
    """What the plain-words check knows: the clinic's term list, and its everyday words."""

    terms: tuple[str, ...] = ()
    source: str = ""  # where the terms came from, for the report
    everyday: frozenset[str] = frozenset()


#: No term list and no everyday words: uncommon words are still found by frequency.
NO_VOCABULARY = Vocabulary()


def vocabulary(content: Content, content_path: Path) -> Vocabulary:
    """The content's medical-term list (one word or phrase a line, # comments) and everyday words."""
    everyday = frozenset(words.normalised(word).strip() for word in content.quality.everyday_words)
    name = content.quality.medical_terms
    if name is None:
        return Vocabulary(everyday=everyday)
    path = content_path.parent / name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(str(path), 1, 1, "(file)", f"cannot read the medical-term list: {error}")
        raise ContentError([problem]) from None
    terms = tuple(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return Vocabulary(terms, path.name, everyday)


def listed_terms(text: str, terms: Iterable[str], language: str) -> dict[str, list[str]]:
    """The listed terms `text` uses, each with the words of the text it found ('herniat' finds 'herniation'),
    by the rules of leaflets/content/words.py (Arabic prefixes, scripts without spaces)."""
    used = {term: words.found(text, term, language) for term in terms}
    return {term: list(dict.fromkeys(found)) for term, found in used.items() if found}


class WordsNotChecked(Exception):
    """wordfreq cannot look at the words of a language: the message says why, and what to install if anything."""


#: What wordfreq needs to cut text into words, by language, beyond what the project installs (see pyproject.toml).
SEGMENTERS = {
    "zh": "jieba, which the project installs (pip install -e . again)",
    "ja": "MeCab and its Japanese dictionary (pip install 'fbss-leaflets[japanese-korean]')",
    "ko": "MeCab and its Korean dictionary (pip install 'fbss-leaflets[japanese-korean]')",
}


def rare_words(texts: Iterable[str], language: str, skip: frozenset[str]) -> list[str]:
    """Words rarer than everyday vocabulary, in first-use order; WordsNotChecked when wordfreq cannot tell.

    A word counts as everyday if it, or the word without its attached prefixes (Arabic, words.forms), or an
    English-style plural without its s, is common."""
    from wordfreq import available_languages, zipf_frequency

    base = words.base(language)
    if base not in available_languages():
        raise WordsNotChecked(f"wordfreq has no word list for '{language}'")
    found: dict[str, None] = {}
    for text in texts:
        for word in segmented(text, base):
            looks = {*words.forms(word, base), word[:-1] if word.endswith("s") else word}
            if not word.isalpha() or word in found or not looks.isdisjoint(skip):
                continue
            if max(zipf_frequency(form, base) for form in looks) < RARE_ZIPF:
                found[word] = None
    return list(found)


def segmented(text: str, language: str) -> list[str]:
    """The words of `text` as wordfreq cuts them (Chinese with jieba, Japanese and Korean with MeCab)."""
    from wordfreq import tokenize  # type: ignore[attr-defined]

    try:
        if language == "zh":
            _prepare_jieba()
        return list(tokenize(text, language))
    except ImportError:  # MeCab for Japanese or Korean: an optional install
        need = SEGMENTERS.get(language, "a segmenter that is not installed")
        raise WordsNotChecked(f"wordfreq needs {need} to find the words of '{language}'") from None


def _prepare_jieba() -> None:
    """Give wordfreq its Chinese segmenter (jieba, with wordfreq's word list) made in memory.

    Left to itself, jieba reads and writes a cache file in the shared temp folder (and loads one that any user
    could have put there), and logs lines to the terminal; it also imports the deprecated pkg_resources.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42: pkg_resources, and escape sequences Python now warns about
        import jieba
        from wordfreq import chinese

    if chinese.jieba_tokenizer is None:
        tokenizer = jieba.Tokenizer(dictionary=chinese.DICT_FILENAME)
        with open(chinese.DICT_FILENAME, "rb") as dictionary:
            tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(dictionary)
        tokenizer.initialized = True
        chinese.jieba_tokenizer = tokenizer


def entry_for(used: str, glossary: Sequence[GlossaryEntry], language: str, stem: str = "") -> GlossaryEntry | None:
    """The glossary entry that explains `used`, a word (or words) the leaflet prints, or None.

    An entry is a candidate when a word of its term or of an `also` (or as many words in a row as `used` has)
    starts with `stem`, the term-list line that found `used`; without a stem, when it and the used word start
    with one another (the shorter at least MIN_STEM letters: 'lymph' and 'lymphoedema'). The best candidate is
    the one whose word the used word shares most letters with from the start, then one the used word starts
    with: so 'lymphoedema' goes to 'Lymphoedema', not to 'Lymph nodes'. In a script without spaces, a
    candidate holds the stem (or the used word), and the best is the longest the text has around the used
    word (淋巴 in 淋巴水肿 goes to 淋巴水肿, not to 淋巴结), else the shortest."""
    size = max(1, len(used.split()))
    best: tuple[tuple[int, int], GlossaryEntry | None] = ((0, 0), None)
    for entry in glossary:
        for name in (entry.term, *entry.also):
            for window in _windows(name, size):
                fit = _fit(used, window, stem, language)
                if fit is not None and (best[1] is None or fit > best[0]):
                    best = (fit, entry)
    return best[1]


def _fit(used: str, window: str, stem: str, language: str) -> tuple[int, int] | None:
    """How well a glossary word (or words) explains the used one, higher is better; None if it cannot."""
    if words.spaceless(window) or words.spaceless(used):
        needle = words.normalised(stem).strip() if stem else used
        if needle not in window and (stem or window not in used):
            return None
        return (1, len(window)) if window in used else (0, -len(window))
    if not _candidate(used, window, stem, language):
        return None
    shared, whole = words.closeness(used, window, language)
    return shared, int(whole)


#: The fewest letters a word and a glossary word share for one to explain the other without a term list.
MIN_STEM = 4


def _windows(name: str, size: int) -> list[str]:
    """Every `size` words in a row of a glossary name (the name itself if it is in a script without spaces)."""
    if words.spaceless(name):
        return [words.normalised(name).strip()]
    parts = words.words(name)
    return [" ".join(parts[i : i + size]) for i in range(len(parts) - size + 1)]


def _candidate(used: str, window: str, stem: str, language: str) -> bool:
    """Whether a glossary word (or words) in a script with spaces can explain the used one: see `entry_for`."""
    if stem:
        stem = " ".join(words.words(stem))
        return any(name.startswith(stem) for name in words.name_forms(window, language))
    for got in words.forms(used, language):
        for name in words.name_forms(window, language):
            shorter = min(len(got), len(name))
            if got == name or words.common_start(got, name) == shorter >= MIN_STEM:
                return True
    return False
