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

When wordfreq has no word list for the content's language, the check says it
could not look; it never reports a pass it did not earn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

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
    everyday = frozenset(word.lower() for word in content.quality.everyday_words)
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


def listed_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The listed terms `text` uses (a term matches words that start with it: 'herniat' finds herniation)."""
    return [term for term in terms if re.search(rf"\b{re.escape(term)}", text, re.IGNORECASE)]


def rare_words(texts: Iterable[str], language: str, skip: frozenset[str]) -> list[str] | None:
    """Words rarer than everyday vocabulary, in first-use order; None when no word list exists for `language`."""
    try:
        from wordfreq import available_languages, tokenize, zipf_frequency  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - a dependency; an install without it must not pass silently
        return None
    base = language.split("-")[0].lower()
    if base not in available_languages():
        return None
    found: dict[str, None] = {}
    for text in texts:
        for word in tokenize(text, base):
            if not word.isalpha() or word in skip or word in found:
                continue
            singular = word[:-1] if word.endswith("s") else word
            if max(zipf_frequency(word, base), zipf_frequency(singular, base)) < RARE_ZIPF:
                found[word] = None
    return list(found)


def explained(word: str, glossary: Sequence[GlossaryEntry]) -> GlossaryEntry | None:
    """The glossary entry that explains `word` (its term or an `also` word, by the start of the word)."""
    word = word.lower()
    for entry in glossary:
        for name in (entry.term, *entry.also):
            name = name.lower()
            if word.startswith(name) or name.startswith(word) or word in name.split():
                return entry
    return None
