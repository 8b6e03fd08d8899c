"""Syllables, counted by each language's own rules, offline.

The reading-level formulas (readability.py) weigh words by their syllables.
pyphen's hyphenation dictionaries (installed with WeasyPrint) were tried and
not used: a hyphenation point is where a line may break, not a syllable
boundary. Hyphenation never leaves one letter alone and never splits a hiatus,
and German patterns split inside consonant clusters. With pyphen (and even
with one letter allowed at each end) Spanish gets cirugía 3 (4), país 1 (2);
French opération 3 (4), poème 1 (2), naïf 1 (2); German Arzt 3 (1), Abend 3
(2); Portuguese saúde 2 (3); Dutch operatie 3 (4). Every language here is
written with its vowels, so each counts vowel groups, with the language's
rules for the vowels that meet in one syllable and those that do not:

- English: syllapy (MIT licence), a word list that ships with the package, with a vowel-group rule for words
  it does not know. (textstat is avoided on purpose: from 0.7.10 it downloads NLTK data at run time.)
- Spanish (`spanish_syllables`): a weak vowel (i, u) beside another vowel makes a diphthong; two strong ones, or
  a stressed í or ú beside any, a hiatus (RAE, Ortografía 2010). Exact for ordinary words.
- Portuguese (`portuguese_syllables`): the falling diphthongs (ai, ei, oi, ui, au, eu, ou, iu) and the nasal
  ones (ão, ãe, õe) are one syllable; i or u before another vowel, two strong vowels, or a stressed í or ú
  are a hiatus (di-a, ci-rur-gi-a, sa-ú-de), as careful Portuguese syllabification splits them; u after q or g
  is a glide (á-gua, que).
- French (`french_syllables`): spoken syllables: a final mute e (-e, -es) is not counted (u-ne, co-lonne),
  é ends its syllable (ré-a-li-té), a vowel before è, é or ê and a letter with a diaeresis start a new one
  (po-ème, na-ïf); ou, oi, au, eau, ai, ei, eu, œu, -tion are one. The verb ending -ent is counted (an
  overcount: "ils parlent" has one spoken syllable; telling it from "souvent" needs the grammar).
- German (`german_syllables`): the diphthongs and long vowels ei, ai, au, eu, äu, ie, aa, ee, oo are one
  syllable; any other two vowels are two (The-a-ter, be-ob-ach-ten, O-pe-ra-ti-on, as the Duden divides
  them); u after q is a glide. Loanwords where ie or eu are two (Li-ni-e, Mu-se-um) are undercounted.
- Dutch (`dutch_syllables`): the digraphs aa, ee, oo, uu, ie, oe, eu, ui, ei, ij, ou, au, and the triphthongs
  they make (aai, ooi, oei, eeuw, ieuw) are one syllable; any other two vowels are two (pi-a-no, vi-de-o);
  a letter with a diaeresis starts a new one (i-dee-ën, ge-ïn-te-res-seerd).

A number counts as one syllable in every language; a hyphenated word is counted part by part, and a part
without a vowel (French l', Dutch 's) counts none.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import syllapy

#: Where a word is cut into parts counted one by one.
PARTS = re.compile("[-'\u2019]")


def _each_part(count: Callable[[str], int], elided: bool = True) -> Callable[[str], int]:
    """A counter for whole words (numbers are one syllable; hyphenated parts added) from one for word parts.

    With `elided`, a part without a vowel counts nothing (French l'opération, Dutch auto's); without it (English
    and Spanish, as they were first measured), every part counts at least one."""

    def whole(word: str) -> int:
        if word.isdigit():
            return 1
        least = 0 if elided else 1
        return max(1, sum(max(least, count(part)) for part in PARTS.split(word.lower()) if part))

    return functools.wraps(count)(whole)


def _each_whole_part(count: Callable[[str], int]) -> Callable[[str], int]:
    return _each_part(count, elided=False)


def _vowel_groups(word: str, vowels: frozenset[str], apart: Callable[[str, str], bool]) -> int:
    """Vowel groups in `word`: a run of vowels is one syllable, plus one where `apart(previous, letter)`."""
    count, previous = 0, ""
    for letter in word:
        if letter not in vowels:
            previous = ""
            continue
        if not previous or apart(previous, letter):
            count += 1
        previous = letter
    return count


@_each_whole_part
def english_syllables(word: str) -> int:
    """Syllables in one English word (syllapy's word list, else its vowel-group rule)."""
    return int(syllapy.count(word))


#: Spanish vowels: strong (open) ones, including the accented weak ones that carry the stress (í, ú),
#: which a neighbouring vowel cannot join (RAE, Ortografía 2010, hiatus); and the weak (closed) ones.
SPANISH_STRONG = frozenset("aeoáéóíú")
SPANISH_WEAK = frozenset("iuü")
#: u is silent in que, qui, gue, gui (ü is spoken: pingüino).
SILENT_U = re.compile(r"(?<=[qg])u(?=[eéiíy])")


@_each_whole_part
def spanish_syllables(part: str) -> int:
    """Syllables in one Spanish word, by rule.

    Each group of vowels is one syllable, plus one for each hiatus inside it: two strong vowels
    side by side (le-er, a-or-ta), or a stressed í or ú next to any vowel (pa-ís, ci-ru-gí-a).
    A weak vowel next to another vowel makes a diphthong (pue-de, des-pués, ciu-dad). y is a vowel
    alone ("y") or at the end of a word after a vowel (hay, muy); elsewhere a consonant (ma-yo).
    """
    part = SILENT_U.sub("", part)
    if part == "y":
        return 1
    if part.endswith("y") and len(part) > 1 and part[-2] in SPANISH_STRONG | SPANISH_WEAK:
        part = part[:-1] + "i"
    return _vowel_groups(part, SPANISH_STRONG | SPANISH_WEAK, lambda a, b: a in SPANISH_STRONG and b in SPANISH_STRONG)


PORTUGUESE_STRONG = frozenset("aeoáéóâêôãõàíú")
PORTUGUESE_WEAK = frozenset("iuü")
#: u after q or g is a glide before a vowel (que, quando, água); ü is the old spelling of a spoken one.
GLIDE_U = re.compile(r"(?<=[qg])u(?=[aeiouáéíóâêô])")
#: Nasal diphthongs: ã or õ then a glide written e or o (mãe, pão, põe).
NASAL_GLIDES = frozenset({("ã", "o"), ("ã", "e"), ("õ", "e")})


@_each_part
def portuguese_syllables(part: str) -> int:
    """Syllables in one Portuguese word, by rule (see the module's docstring)."""

    def apart(first: str, second: str) -> bool:
        if (first, second) in NASAL_GLIDES:
            return False
        # A falling diphthong (pai, mui-to, par-tiu) is one; two strong vowels, a stressed í or ú, or i or u
        # before a vowel (di-a) are a hiatus.
        return second not in PORTUGUESE_WEAK

    return _vowel_groups(GLIDE_U.sub("", part), PORTUGUESE_STRONG | PORTUGUESE_WEAK, apart)


FRENCH_VOWELS = frozenset("aeiouyàâäéèêëîïôöûùüÿœæ")
FRENCH_DIAERESIS = frozenset("ëïüÿ")
#: u is silent in que, qui, gue, gui (quelque, guide).
FRENCH_SILENT_U = re.compile(r"(?<=[qg])u(?=[eéèêiîy])")
#: A final mute e: -e or -es after a consonant (une, colonne, vertébrale) or after é, i, u, y (idée, vie, rue).
MUTE_E = re.compile(r"(?<=[^aeiouyàâäéèêëîïôöûùüÿœæ])es?$|(?<=[éiuy])es?$")


@_each_part
def french_syllables(part: str) -> int:
    """Syllables in one French word, as spoken (see the module's docstring)."""
    part = FRENCH_SILENT_U.sub("", part)
    shorter = MUTE_E.sub("", part)
    if _vowel_groups(shorter, FRENCH_VOWELS, lambda a, b: False):
        part = shorter  # "le", "me" keep their only vowel

    def apart(first: str, second: str) -> bool:
        return first == "é" or second in FRENCH_DIAERESIS or second in "éèê"

    return _vowel_groups(part, FRENCH_VOWELS, apart)


GERMAN_VOWELS = frozenset("aeiouyäöü")
#: Two vowel letters that are one sound in German.
GERMAN_PAIRS = frozenset({"ei", "ai", "au", "eu", "äu", "ie", "aa", "ee", "oo", "ey", "ay"})


@_each_part
def german_syllables(part: str) -> int:
    """Syllables in one German word, by rule (see the module's docstring)."""
    part = re.sub(r"(?<=q)u", "", part)
    return _vowel_groups(part, GERMAN_VOWELS, lambda a, b: a + b not in GERMAN_PAIRS)


DUTCH_VOWELS = frozenset("aeiouyáéíóúàèäëïöü")
DUTCH_DIAERESIS = frozenset("äëïöü")
#: Two vowel letters that are one sound in Dutch (ij is i and a consonant j, so it needs no entry).
DUTCH_PAIRS = frozenset({"aa", "ee", "oo", "uu", "ie", "oe", "eu", "ui", "ei", "ou", "au", "ai", "oi"})


@_each_part
def dutch_syllables(part: str) -> int:
    """Syllables in one Dutch word, by rule (see the module's docstring)."""
    return _vowel_groups(part, DUTCH_VOWELS, lambda a, b: b in DUTCH_DIAERESIS or a + b not in DUTCH_PAIRS)


#: Syllables in one English word: the name the English formulas and tests use.
syllables = english_syllables

#: Syllable counters by language code (the part before any '-').
SYLLABLES: dict[str, Callable[[str], int]] = {
    "en": syllables,
    "es": spanish_syllables,
    "pt": portuguese_syllables,
    "fr": french_syllables,
    "de": german_syllables,
    "nl": dutch_syllables,
}


def syllable_counter(language: str) -> Callable[[str], int] | None:
    """The syllable counter for a language code such as 'es' or 'es-MX'; None if there is none."""
    return SYLLABLES.get(language.split("-")[0].lower())
