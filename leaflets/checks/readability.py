"""Reading-level formulas, offline, one per language that has a published one (`FORMULAS`).

Words and sentences are found the same way in every language: a word is a
run of letters or digits in any script ("Después" is one word; ¿ and ¡ are
punctuation), joined by an apostrophe or a hyphen; a sentence ends at . ! ? or
… before a space, or at a full-width stop, exclamation or question mark (Chinese, Japanese). Syllables are
counted with each language's own rules (syllables.py); Italian's Gulpease
counts letters instead.

Formulas (ASL = words per sentence, ASW = syllables per word; ../shared/GUIDELINES.md):
  Flesch-Kincaid grade (English) = 0.39 x ASL + 11.8 x ASW - 15.59
  SMOG grade (English) = 1.0430 x sqrt(polysyllables x 30 / sentences) + 3.1291
  Szigriszt-Pazos perspicuity (Spanish) = 206.835 - 62.3 x ASW - ASL, read on the INFLESZ scale
  Fernández-Huerta (Spanish) = 206.84 - 0.60 x (syllables per 100 words) - 1.02 x ASL
  Kandel-Moles (French) = 207 - 1.015 x ASL - 73.6 x ASW
  Amstad (German) = 180 - ASL - 58.5 x ASW
  Gulpease (Italian) = 89 + (300 x sentences - 10 x letters) / words
  Flesch, adapted by Martins et al. (Portuguese) = 248.835 - 1.015 x ASL - 84.6 x ASW
  Douma (Dutch) = 206.835 - 0.93 x ASL - 77 x ASW

A language with no formula here (Chinese, Japanese, Korean, Arabic...) is not
measured: its report says so, and the clinic may record a person's review of
the reading level in the content (`quality.reading_review`), which the report
shows as a review, never as a measured pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from leaflets.checks.syllables import SYLLABLES, spanish_syllables, syllable_counter, syllables

#: The syllable counters are syllables.py's; the tests and the checks find them here too.
__all__ = [
    "FORMULAS",
    "WORD",
    "Formula",
    "Readability",
    "fernandez_huerta_band",
    "formula_for",
    "formulas_table",
    "hardest_sentences",
    "inflesz",
    "measure",
    "sentences",
    "spanish_syllables",
    "syllable_counter",
    "syllables",
]

#: A word: letters or digits of any script, joined by an apostrophe or a hyphen ("self-care", "Después").
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+|(?<=[\u3002\uff01\uff1f])\s*")


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
    letters: int = 0  # letters and digits of the words (Gulpease)

    def _flesch(self, base: float, per_sentence: float, per_syllable: float) -> float:
        """A reading ease on Flesch's (1948) pattern: base - a x words per sentence - b x syllables per word."""
        if not self.words:
            return 0.0
        return base - per_sentence * self.words / self.sentences - per_syllable * self.syllables / self.words

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

    @property
    def kandel_moles(self) -> float:
        """Reading ease by Kandel & Moles (1958; French), on Flesch's scale; higher is easier."""
        return self._flesch(207, 1.015, 73.6)

    @property
    def amstad(self) -> float:
        """Reading ease by Amstad (1978; German), on Flesch's scale; higher is easier."""
        return self._flesch(180, 1, 58.5)

    @property
    def martins(self) -> float:
        """Flesch's reading ease adapted to Portuguese by Martins et al. (1996); higher is easier."""
        return self._flesch(248.835, 1.015, 84.6)

    @property
    def douma(self) -> float:
        """Reading ease by Douma (1960; Dutch), on Flesch's scale; higher is easier."""
        return self._flesch(206.835, 0.93, 77)

    @property
    def gulpease(self) -> float:
        """Gulpease index (Lucisano & Piemontese 1988; Italian), 0-100, from letters; higher is easier."""
        if not self.words:
            return 0.0
        return 89 + (300 * self.sentences - 10 * self.letters) / self.words


def measure(texts: Iterable[str], language: str = "en") -> Readability:
    """Reading level of some paragraphs and list items, with the language's syllable rules (none for Italian,
    whose Gulpease counts letters); ValueError for a language no formula measures."""
    code = language.split("-")[0].lower()
    if code not in FORMULAS:
        raise ValueError(f"no reading-level formula for language {language!r}")
    count: Callable[[str], int] = SYLLABLES.get(code, lambda word: 0)
    split = sentences(texts)
    found = [w for s in split for w in WORD.findall(s)]
    counts = [count(w) for w in found]
    letters = sum(ch.isalnum() for w in found for ch in w)
    return Readability(len(split), len(counts), sum(counts), sum(1 for c in counts if c >= 3), letters)


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
    counter = syllable_counter(language) or len  # Gulpease weighs letters

    def weight(sentence: str) -> tuple[int, int]:
        words = WORD.findall(sentence)
        return sum(counter(w) for w in words), len(words)

    return sorted(sentences(texts), key=weight, reverse=True)[:count]


#: Flesch's (1948) bands, which Kandel & Moles, Amstad and Douma kept for their formulas: (lowest score, name).
FLESCH_BANDS = [
    (90.0, "very easy"),
    (80.0, "easy"),
    (70.0, "fairly easy"),
    (60.0, "standard"),
    (50.0, "fairly difficult"),
    (30.0, "difficult"),
]
#: Martins et al. (1996): 75-100 very easy (school years 1-4), 50-75 easy (5-8), 25-50 difficult (secondary).
MARTINS_BANDS = [(75.0, "very easy"), (50.0, "easy"), (25.0, "difficult")]
#: Lucisano & Piemontese (1988): below 80 hard with primary schooling, 60 lower secondary, 40 upper secondary.
GULPEASE_BANDS = [
    (80.0, "easy with primary schooling"),
    (60.0, "easy with lower secondary schooling"),
    (40.0, "easy with upper secondary schooling"),
]
#: Why the Flesch-scale languages aim at 60: the English target, grade 8, is the top of Flesch's "standard" band.
FLESCH_TARGET = (
    "the target for patient materials (60-70 standard, school years 8-9, on Flesch's 1948 scale: no harder than "
    "the English target of grade 8)"
)


@dataclass(frozen=True)
class Formula:
    """A published reading-level formula for one language, the target a leaflet meets on it, and their sources."""

    language: str  # the language code it measures, e.g. "fr"
    language_name: str
    name: str  # what it measures, for the report: "Szigriszt-Pazos perspicuity"
    label: str  # how the report writes a score: "INFLESZ 72"
    score: Callable[[Readability], float]
    target: float  # the score a leaflet reaches (English: a grade it stays at or under)
    target_why: str  # why that target, with its source, as the report quotes it
    citation: str  # where the formula comes from
    counts: str  # how words are weighed: the syllable rules (syllables.py), or letters
    bands: tuple[tuple[float, str], ...] = ()
    lowest: str = ""  # the name of the band below the last one
    beside: Callable[[Readability], str] | None = None  # a second score, shown in the message

    def band(self, score: float) -> str:
        """The name of the band a score falls in."""
        return band(score, list(self.bands), self.lowest)

    @property
    def target_text(self) -> str:
        """The target in words, for the docs' table."""
        if self.language == "en":
            return f"grade {self.target:g} or below (`quality.max_grade`)"
        return f"{self.target:g} or more ({self.band(self.target)})"


def _fernandez_huerta(result: Readability) -> str:
    ease = result.fernandez_huerta
    return f"Fernández-Huerta {ease:.0f} ({fernandez_huerta_band(ease)})"


#: The formulas by language code (the docs' table: docs/reference/reading-level.md); any other is not measured.
FORMULAS: dict[str, Formula] = {
    formula.language: formula
    for formula in (
        Formula(
            "en",
            "English",
            "Flesch-Kincaid grade, SMOG beside it",
            "grade",
            lambda r: r.flesch_kincaid,
            8,
            "NIH: below grade 8; AMA: grade 4-6",
            "Kincaid, Fishburne, Rogers & Chissom 1975 (Flesch-Kincaid); McLaughlin 1969 (SMOG)",
            "syllables: syllapy's word list, then vowel groups",
        ),
        Formula(
            "es",
            "Spanish",
            "Szigriszt-Pazos perspicuity",
            "INFLESZ",
            lambda r: r.szigriszt_pazos,
            65,
            "the target for patient materials (Barrio-Cantalejo et al. 2008: 65-80 fairly easy)",
            "Szigriszt-Pazos 1993, read on the INFLESZ scale (Barrio-Cantalejo et al. 2008); Fernández-Huerta "
            "1959 beside it",
            "syllables: vowel groups, with Spanish diphthongs and hiatus",
            tuple(INFLESZ_BANDS),
            "very hard",
            _fernandez_huerta,
        ),
        Formula(
            "fr",
            "French",
            "Kandel-Moles reading ease",
            "Kandel-Moles",
            lambda r: r.kandel_moles,
            60,
            FLESCH_TARGET,
            "Kandel & Moles 1958, Flesch's formula adapted to French (Cahiers d'études de radio-télévision 19)",
            "spoken syllables: vowel groups, final mute e not counted",
            tuple(FLESCH_BANDS),
            "very difficult",
        ),
        Formula(
            "de",
            "German",
            "Amstad reading ease",
            "Amstad",
            lambda r: r.amstad,
            60,
            FLESCH_TARGET,
            "Amstad 1978, Flesch's formula adapted to German (Wie verständlich sind unsere Zeitungen?, Zürich)",
            "syllables: vowel groups, German diphthongs one syllable",
            tuple(FLESCH_BANDS),
            "very difficult",
        ),
        Formula(
            "it",
            "Italian",
            "Gulpease index",
            "Gulpease",
            lambda r: r.gulpease,
            60,
            "the target for patient materials (Lucisano & Piemontese 1988: below 60 hard for readers with lower "
            "secondary schooling)",
            "Lucisano & Piemontese 1988, GULPEASE (Scuola e Città 39)",
            "letters per word, not syllables",
            tuple(GULPEASE_BANDS),
            "hard with upper secondary schooling",
        ),
        Formula(
            "pt",
            "Portuguese",
            "Flesch reading ease adapted by Martins et al.",
            "Flesch-Martins",
            lambda r: r.martins,
            50,
            "the target for patient materials (Martins et al. 1996: 50-75 easy, school years 5-8)",
            "Martins, Ghiraldelo, Nunes & Oliveira 1996, Flesch's formula adapted to Brazilian Portuguese "
            "(Notas do ICMC 28, São Carlos)",
            "syllables: vowel groups, with Portuguese diphthongs and hiatus",
            tuple(MARTINS_BANDS),
            "very difficult",
        ),
        Formula(
            "nl",
            "Dutch",
            "Douma reading ease",
            "Douma",
            lambda r: r.douma,
            60,
            FLESCH_TARGET,
            "Douma 1960, Flesch's formula adapted to Dutch (Bulletin 17, Landbouwhogeschool Wageningen)",
            "syllables: vowel groups, Dutch digraphs one syllable, a diaeresis starts one",
            tuple(FLESCH_BANDS),
            "very difficult",
        ),
    )
}


def formula_for(language: str) -> Formula | None:
    """The reading-level formula for a language tag such as 'fr' or 'pt-BR'; None when none is published here."""
    return FORMULAS.get(language.split("-")[0].lower())


def formulas_table() -> list[str]:
    """Markdown rows for the docs: each language's formula, its target and where both come from."""
    rows = [
        "| language | formula | target | why this target | source | words weighed by |",
        "|---|---|---|---|---|---|",
    ]
    for formula in FORMULAS.values():
        cells = [
            f"{formula.language_name} (`{formula.language}`)",
            formula.name,
            formula.target_text,
            formula.target_why.removeprefix("the target for patient materials ").strip("()"),
            formula.citation,
            formula.counts,
        ]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return rows
