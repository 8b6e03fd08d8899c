"""Reading-level formulas, offline.

Syllables come from syllapy (MIT licence): a word list that ships with the
package, with a vowel-group rule for words it does not know. textstat is
avoided on purpose: from 0.7.10 it downloads NLTK data at run time.

Formulas (../shared/GUIDELINES.md):
  Flesch-Kincaid grade = 0.39 x (words / sentences) + 11.8 x (syllables / words) - 15.59
  SMOG grade = 1.0430 x sqrt(polysyllables x 30 / sentences) + 3.1291
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import syllapy

WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019-][A-Za-z0-9]+)*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def syllables(word: str) -> int:
    """Syllables in one word; a number counts as one ('3', '12')."""
    if word.isdigit():
        return 1
    return max(1, sum(max(1, int(syllapy.count(part))) for part in re.split("[-'\u2019]", word) if part))


def sentences(texts: Iterable[str]) -> list[str]:
    """Split paragraphs and list items into sentences; an item without a full stop is one sentence."""
    found = []
    for text in texts:
        found += [s.strip() for s in SENTENCE_END.split(" ".join(text.split())) if WORD.search(s)]
    return found


@dataclass(frozen=True)
class Readability:
    """Counts and grades for a piece of text."""

    sentences: int
    words: int
    syllables: int
    polysyllables: int  # words of three or more syllables

    @property
    def flesch_kincaid(self) -> float:
        """US school grade by Flesch-Kincaid."""
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59

    @property
    def smog(self) -> float:
        """US school grade by SMOG (McLaughlin 1969)."""
        if not self.sentences:
            return 0.0
        return 1.0430 * math.sqrt(self.polysyllables * 30 / self.sentences) + 3.1291


def measure(texts: Iterable[str]) -> Readability:
    """Reading level of some paragraphs and list items."""
    split = sentences(texts)
    counts = [syllables(w) for s in split for w in WORD.findall(s)]
    return Readability(len(split), len(counts), sum(counts), sum(1 for c in counts if c >= 3))


def hardest_sentences(texts: Iterable[str], count: int = 2) -> list[str]:
    """The sentences an editor should rewrite first: most syllables (long, or long words), then most words."""

    def weight(sentence: str) -> tuple[int, int]:
        words = WORD.findall(sentence)
        return sum(syllables(w) for w in words), len(words)

    return sorted(sentences(texts), key=weight, reverse=True)[:count]
