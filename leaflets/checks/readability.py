"""Reading-level formulas, offline, one per language.

Words and sentences are found the same way in every language: a word is a
run of letters or digits in any script ("Después" is one word; ¿ and ¡ are
punctuation), joined by an apostrophe or a hyphen. Syllables are counted
with the language's own rules.

English: syllables come from syllapy (MIT licence), a word list that ships
with the package, with a vowel-group rule for words it does not know.
textstat is avoided on purpose: from 0.7.10 it downloads NLTK data at run time.

Spanish: syllables are counted by rule (`spanish_syllables`): Spanish
spelling shows its syllable nuclei, so counting vowel groups and splitting
them at a hiatus is exact for ordinary words. pyphen's Spanish hyphenation
dictionary was tried and undercounts: hyphenation never splits a hiatus or
leaves one letter alone, so it gives cirugía 3 (ci-ru-gí-a, 4),
rehabilitación 5 (6), país and raíz 1 (2), aorta 2 (3).

Formulas (../shared/GUIDELINES.md):
  Flesch-Kincaid grade = 0.39 x (words / sentences) + 11.8 x (syllables / words) - 15.59
  SMOG grade = 1.0430 x sqrt(polysyllables x 30 / sentences) + 3.1291
  Fernández-Huerta = 206.84 - 0.60 x (syllables per 100 words) - 1.02 x (words / sentences)
  Szigriszt-Pazos perspicuity = 206.835 - 62.3 x (syllables / words) - (words / sentences),
    read on the INFLESZ scale (Barrio-Cantalejo et al. 2008)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import syllapy

#: A word: letters or digits of any script, joined by an apostrophe or a hyphen ("self-care", "Después").
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+")


def syllables(word: str) -> int:
    """Syllables in one English word; a number counts as one ('3', '12')."""
    if word.isdigit():
        return 1
    return max(1, sum(max(1, int(syllapy.count(part))) for part in re.split("[-'\u2019]", word) if part))


#: Spanish vowels: strong (open) ones, including the accented weak ones that carry the stress (í, ú),
#: which a neighbouring vowel cannot join (RAE, Ortografía 2010, hiatus); and the weak (closed) ones.
SPANISH_STRONG = set("aeoáéóíú")
SPANISH_WEAK = set("iuü")
#: u is silent in que, qui, gue, gui (ü is spoken: pingüino).
SILENT_U = re.compile(r"(?<=[qg])u(?=[eéiíy])")


def spanish_syllables(word: str) -> int:
    """Syllables in one Spanish word, by rule; a number counts as one.

    Each group of vowels is one syllable, plus one for each hiatus inside it: two strong vowels
    side by side (le-er, a-or-ta), or a stressed í or ú next to any vowel (pa-ís, ci-ru-gí-a).
    A weak vowel next to another vowel makes a diphthong (pue-de, des-pués, ciu-dad). y is a vowel
    alone ("y") or at the end of a word after a vowel (hay, muy); elsewhere a consonant (ma-yo).
    """
    if word.isdigit():
        return 1
    total = 0
    for part in re.split("[-'\u2019]", word.lower()):
        part = SILENT_U.sub("", part)
        if part == "y":
            total += 1
            continue
        if part.endswith("y") and len(part) > 1 and part[-2] in SPANISH_STRONG | SPANISH_WEAK:
            part = part[:-1] + "i"
        count, previous = 0, ""
        for letter in part:
            if letter not in SPANISH_STRONG and letter not in SPANISH_WEAK:
                previous = ""
                continue
            if not previous or _hiatus(previous, letter):
                count += 1
            previous = letter
        total += max(1, count)
    return max(1, total)


def _hiatus(first: str, second: str) -> bool:
    """Two vowels side by side in separate syllables: both strong (a stressed í or ú counts as strong)."""
    return first in SPANISH_STRONG and second in SPANISH_STRONG


def sentences(texts: Iterable[str]) -> list[str]:
    """Split paragraphs and list items into sentences; an item without a full stop is one sentence."""
    found = []
    for text in texts:
        found += [s.strip() for s in SENTENCE_END.split(" ".join(text.split())) if WORD.search(s)]
    return found


@dataclass(frozen=True)
class Readability:
    """Counts and scores for a piece of text."""

    sentences: int
    words: int
    syllables: int
    polysyllables: int  # words of three or more syllables

    @property
    def flesch_kincaid(self) -> float:
        """US school grade by Flesch-Kincaid (English)."""
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59

    @property
    def smog(self) -> float:
        """US school grade by SMOG (McLaughlin 1969; English)."""
        if not self.sentences:
            return 0.0
        return 1.0430 * math.sqrt(self.polysyllables * 30 / self.sentences) + 3.1291

    @property
    def fernandez_huerta(self) -> float:
        """Reading ease by Fernández-Huerta (1959; Spanish), 0-100, higher is easier."""
        if not self.words:
            return 0.0
        return 206.84 - 0.60 * 100 * self.syllables / self.words - 1.02 * self.words / self.sentences

    @property
    def szigriszt_pazos(self) -> float:
        """Perspicuity by Szigriszt-Pazos (1993; Spanish), read on the INFLESZ scale; higher is easier."""
        if not self.words:
            return 0.0
        return 206.835 - 62.3 * self.syllables / self.words - self.words / self.sentences


#: Syllable counters by language code (the part before any '-'); a language not here has no reading formula.
SYLLABLES: dict[str, Callable[[str], int]] = {"en": syllables, "es": spanish_syllables}


def syllable_counter(language: str) -> Callable[[str], int] | None:
    """The syllable counter for a language code such as 'es' or 'es-MX'; None if there is none."""
    return SYLLABLES.get(language.split("-")[0].lower())


def measure(texts: Iterable[str], language: str = "en") -> Readability:
    """Reading level of some paragraphs and list items, with the language's syllable rules."""
    count = syllable_counter(language)
    if count is None:
        raise ValueError(f"no syllable rules for language {language!r}")
    split = sentences(texts)
    counts = [count(w) for s in split for w in WORD.findall(s)]
    return Readability(len(split), len(counts), sum(counts), sum(1 for c in counts if c >= 3))


#: INFLESZ bands for Szigriszt-Pazos perspicuity (Barrio-Cantalejo et al. 2008): (lowest score, name).
INFLESZ_BANDS = [(80.0, "very easy"), (65.0, "fairly easy"), (55.0, "normal"), (40.0, "somewhat hard")]
#: Fernández-Huerta's bands (Fernández Huerta 1959, after Flesch 1948): (lowest score, name).
FERNANDEZ_HUERTA_BANDS = [
    (90.0, "very easy"),
    (80.0, "easy"),
    (70.0, "fairly easy"),
    (60.0, "normal"),
    (50.0, "fairly hard"),
    (30.0, "hard"),
]


def band(score: float, bands: list[tuple[float, str]], lowest: str) -> str:
    """The name of the band a score falls in (a score on a boundary takes the easier band)."""
    return next((name for floor, name in bands if score >= floor), lowest)


def inflesz(score: float) -> str:
    """The INFLESZ name of a Szigriszt-Pazos perspicuity score: below 40 very hard ... above 80 very easy."""
    return band(score, INFLESZ_BANDS, "very hard")


def fernandez_huerta_band(score: float) -> str:
    """The name of a Fernández-Huerta score's band: below 30 very hard ... 90 or more very easy."""
    return band(score, FERNANDEZ_HUERTA_BANDS, "very hard")


def hardest_sentences(texts: Iterable[str], count: int = 2, language: str = "en") -> list[str]:
    """The sentences an editor should rewrite first: most syllables (long, or long words), then most words."""
    counter = syllable_counter(language) or syllables

    def weight(sentence: str) -> tuple[int, int]:
        words = WORD.findall(sentence)
        return sum(counter(w) for w in words), len(words)

    return sorted(sentences(texts), key=weight, reverse=True)[:count]
