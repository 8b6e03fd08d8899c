"""The quality gate: checks a leaflet must pass before it reaches the printer.

Published numbers are in ../shared/GUIDELINES.md and cited in the messages.
Checks on the words run before rendering; checks on colours and images run
on the laid-out pages; type sizes and accessibility are read back from the
PDF itself. Every finding is an error, a warning or a pass; `--strict`
treats warnings as errors.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leaflets.checks.plainwords import (
    NO_VOCABULARY,
    RARE_ZIPF,
    Vocabulary,
    WordsNotChecked,
    entry_for,
    listed_terms,
    rare_words,
)
from leaflets.checks.readability import FORMULAS, Formula, formula_for, hardest_sentences, measure
from leaflets.content import words
from leaflets.content.editions import Edition, fits, glossary_for, sections, texts
from leaflets.content.editions import editions as every_edition
from leaflets.content.schema import Content, GlossaryEntry

ERROR, WARNING, PASS = "error", "warning", "pass"
#: A check that could not look (a missing word list, a rule that crashed): never a pass; a warning under --strict.
NOT_CHECKED = "not checked"
#: What no program measured but a person recorded in the content (quality.reading_review): shown as theirs,
#: never as a pass; --strict accepts it.
REVIEWED = "reviewed"
MARKER = "\u25a0"  # list bullet glyph: decoration, drawn small on purpose


@dataclass(frozen=True)
class Finding:
    """One result of one check, for one leaflet (or 'all'); `figure` is its number for the summary table."""

    check: str
    level: str
    leaflet: str
    message: str
    figure: str = ""


def failures(findings: Sequence[Finding], strict: bool) -> list[Finding]:
    """The findings that stop a build: errors, and warnings too when strict."""
    return [f for f in findings if f.level == ERROR or (strict and f.level in (WARNING, NOT_CHECKED))]


#: Summary-table columns: (check, heading).
COLUMNS = [
    ("reading level", "reading level"),
    ("type size", "smallest text"),
    ("contrast", "lowest contrast"),
    ("pdf/ua", "PDF/UA"),
    ("plain words", "medical words"),
    ("actionability", "PEMAT items"),
]


def format_report(findings: Sequence[Finding], strict: bool = False) -> str:
    """The report for a terminal: one row per leaflet, then every warning and error in words. With `strict`, the
    warnings (and checks that could not look) are counted and listed as the errors they are under --strict."""
    leaflets = list(dict.fromkeys(f.leaflet for f in findings if f.leaflet != "all"))
    cells = {(f.leaflet, f.check): f.figure or f.level for f in findings if f.level in (PASS, REVIEWED)}
    for f in findings:
        if f.level not in (PASS, REVIEWED):
            cells[(f.leaflet, f.check)] = f.level.upper()
    header = ["leaflet", *(heading for _, heading in COLUMNS)]
    rows = [[name, *(cells.get((name, check), "-") for check, _ in COLUMNS)] for name in leaflets]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines += dict.fromkeys(f"{f.check}: {f.message}" for f in findings if f.leaflet == "all" and f.level == PASS)
    reviewed = [(REVIEWED, [REVIEWED])]  # a person's review: listed on its own, as --strict accepts it
    sections = [*reviewed, (NOT_CHECKED, [NOT_CHECKED]), ("warnings", [WARNING]), ("errors", [ERROR])]
    if strict:
        sections = [*reviewed, ("errors (warnings count as errors with --strict)", [NOT_CHECKED, WARNING, ERROR])]
    for heading, levels in sections:
        chosen = [f for f in findings if f.level in levels]
        if heading in (REVIEWED, NOT_CHECKED) and not chosen:
            continue
        lines.append(f"{heading}: {len(chosen) or 'none'}")
        lines += [f"  {f.check} ({f.leaflet}): {_level_noted(f, levels)}{f.message}" for f in chosen]
    return "\n".join(lines)


def _level_noted(finding: Finding, levels: list[str]) -> str:
    """'warning: ' before a warning listed among errors (under --strict), else nothing."""
    return f"{finding.level}: " if len(levels) > 1 and finding.level != ERROR else ""


# --- checks on the words, before rendering ---------------------------------------------------


def check_content(
    content: Content,
    editions: Sequence[Edition],
    strings: Mapping[str, Any],
    today: datetime.date,
    allow_expired: bool,
    vocabulary: Vocabulary = NO_VOCABULARY,
    carried: Mapping[str, list[Finding]] | None = None,
    by_edition: dict[str, list[Finding]] | None = None,
) -> list[Finding]:
    """Reading level, plain words, actionability and review date.

    `carried` gives the findings on the words of editions whose text has not changed since they were last
    checked: they are taken as they are, in their place. `by_edition`, if given, receives each edition's.
    """
    found = [*check_review_date(content, today, allow_expired)]
    for edition in editions:
        if edition.style == "large-print":
            continue  # same words as the standard edition
        if carried is not None and edition.label in carried:
            words = carried[edition.label]
        else:
            parts = sections(content, edition, strings)
            words = [
                *check_reading_level(content, edition.label, parts),
                *check_plain_words(content, edition, vocabulary),
                *check_actionability(content, edition.label, parts, strings),
            ]
        if by_edition is not None:
            by_edition[edition.label] = words
        found += words
    found += check_unused_glossary(content, every_edition(content))
    return found


def check_reading_level(content: Content, leaflet: str, parts: list[tuple[str, list[str]]]) -> list[Finding]:
    """The reading level by the formula published for the content's language (readability.FORMULAS); for a
    language without one, the person's review recorded in the content, or "not checked"."""
    formula = formula_for(content.language)
    if formula is None:
        return [check_reading_review(content, leaflet)]
    if formula.language == "en":
        return check_grade(content, leaflet, parts)
    return check_reading_ease(formula, leaflet, parts)


def check_grade(content: Content, leaflet: str, parts: list[tuple[str, list[str]]]) -> list[Finding]:
    """English: Flesch-Kincaid grade against the content's target (NIH: below grade 8); SMOG alongside."""
    target = content.quality.max_grade
    texts = [text for _, paragraphs in parts for text in paragraphs]
    whole = measure(texts)
    by_section = ", ".join(f"{heading} {measure(p).flesch_kincaid:.1f}" for heading, p in parts)
    summary = f"grade {whole.flesch_kincaid:.1f} (Flesch-Kincaid), {whole.smog:.1f} (SMOG); sections: {by_section}"
    figure = f"{whole.flesch_kincaid:.1f} / {whole.smog:.1f}"
    if whole.flesch_kincaid <= target:
        return [Finding("reading level", PASS, leaflet, summary, figure)]
    worst = "; ".join(f'"{s}"' for s in hardest_sentences(texts))
    message = (
        f"grade {whole.flesch_kincaid:.1f} is above the target {target:g} (NIH: below grade 8; "
        f"AMA: grade 4-6); rewrite first: {worst}"
    )
    return [Finding("reading level", WARNING, leaflet, message, figure)]


def check_reading_ease(formula: Formula, leaflet: str, parts: list[tuple[str, list[str]]]) -> list[Finding]:
    """A reading ease (higher is easier) against the formula's published target, e.g. Spanish: INFLESZ 65."""
    texts = [text for _, paragraphs in parts for text in paragraphs]
    language = formula.language
    whole = measure(texts, language)
    score = formula.score(whole)
    by_section = ", ".join(f"{heading} {formula.score(measure(p, language)):.0f}" for heading, p in parts)
    beside = f", {formula.beside(whole)}" if formula.beside else ""
    summary = f"{formula.label} {score:.0f} ({formula.band(score)}; {formula.name}){beside}; sections: {by_section}"
    figure = f"{formula.label} {score:.0f} ({formula.band(score)})"
    if score >= formula.target:
        return [Finding("reading level", PASS, leaflet, summary, figure)]
    worst = "; ".join(f'"{s}"' for s in hardest_sentences(texts, language=language))
    message = f"{figure} is below {formula.target:g}, {formula.target_why}; rewrite first: {worst}"
    return [Finding("reading level", WARNING, leaflet, message, figure)]


def check_reading_review(content: Content, leaflet: str) -> Finding:
    """A language no formula measures: the review a person recorded (quality.reading_review), else not measured."""
    why = f"no reading-level formula for '{content.language}' (there is one for {', '.join(FORMULAS)})"
    review = content.quality.reading_review
    if review is None:
        message = (
            f"{why}: the reading level was not measured; a person who reads the language can review it and "
            "record it in quality.reading_review (see docs/quality-gate.md)"
        )
        return Finding("reading level", NOT_CHECKED, leaflet, message, "not measured")
    note = f": {review.note}" if review.note else ""
    message = f"{why}: not measured; reviewed by {review.by} on {review.date.isoformat()}{note}"
    return Finding("reading level", REVIEWED, leaflet, message, f"reviewed by {review.by} on {review.date}")


def check_plain_words(content: Content, edition: Edition, vocabulary: Vocabulary) -> list[Finding]:
    """Every listed medical term and every uncommon word the leaflet prints is explained in its glossary."""
    text = "\n".join(texts(content, edition))
    language = content.language
    printed = glossary_for(content, edition)
    found = check_listed_terms(content, edition.label, text, printed, vocabulary)
    how = f"{len(vocabulary.terms)} listed terms ({vocabulary.source or 'no list: quality.medical_terms'})"
    try:
        rare = rare_words([text], language, vocabulary.everyday)
    except WordsNotChecked as reason:
        message = f"{reason}: uncommon words were not looked for; checked only {how}"
        return [*found, Finding("plain words", NOT_CHECKED, edition.label, message, NOT_CHECKED)]
    glossary_words = set(words_of(printed))
    unexplained = [w for w in rare if w not in glossary_words and entry_for(w, content.glossary, language) is None]
    if unexplained:
        found.append(
            Finding(
                "plain words",
                WARNING,
                edition.label,
                f"uncommon words no glossary entry explains (wordfreq Zipf below {RARE_ZIPF:g}): "
                f"{', '.join(unexplained[:12])}; add them to the glossary, reword, or list them in "
                "quality.everyday_words",
            )
        )
    if not found:
        found.append(
            Finding(
                "plain words",
                PASS,
                edition.label,
                f"{len(printed)} glossary entries printed; checked {how} and every word against wordfreq "
                f"({content.language}, Zipf {RARE_ZIPF:g}): {len(rare)} uncommon, all explained",
                f"{len(printed)} explained",
            )
        )
    return found


def check_listed_terms(
    content: Content, leaflet: str, text: str, printed: list[GlossaryEntry], vocabulary: Vocabulary
) -> list[Finding]:
    """Each term of the clinic's list the text uses has a glossary entry, printed with the leaflet."""
    found, reported = [], []
    for term, used in listed_terms(text, vocabulary.terms, content.language).items():
        entries = [(word, entry_for(word, content.glossary, content.language, term)) for word in used]
        if any(entry is None for _, entry in entries):
            message = (
                f"uses '{term}' ({vocabulary.source}) but the glossary does not explain it "
                "(PEMAT: define medical terms)"
            )
            found.append(Finding("plain words", ERROR, leaflet, message))
        for word, entry in entries:
            if entry is not None and entry not in printed and entry not in reported:  # part of a term only
                message = (
                    f"uses '{word}' ({vocabulary.source}: '{term}'), which only the glossary entry '{entry.term}' "
                    "comes close to, and the leaflet does not use that term, so it is not printed: give the word an "
                    "entry of its own, or add it to that entry's `also`"
                )
                found.append(Finding("plain words", ERROR, leaflet, message))
                reported.append(entry)
    return found


def words_of(entries: Sequence[GlossaryEntry]) -> Iterator[str]:
    """The words of glossary terms (a word inside a term, like 'roots' in 'Nerve roots', is explained)."""
    for entry in entries:
        for name in (entry.term, *entry.also):
            yield from words.words(name)


def check_unused_glossary(content: Content, editions: Sequence[Edition]) -> list[Finding]:
    """Glossary entries no leaflet uses: dead words to remove (or a sign a paragraph went missing)."""
    used = {entry.term for edition in editions for entry in glossary_for(content, edition)}
    return [
        Finding("plain words", WARNING, "all", f"glossary entry '{e.term}' is not used by any leaflet")
        for e in content.glossary
        if e.term not in used
    ]


def check_actionability(
    content: Content,
    leaflet: str,
    parts: list[tuple[str, list[str]]],
    strings: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """The PEMAT actionability items a program can check.

    The words that address the reader are the language's own (`reader_words` in templates/strings.yaml).
    """
    texts = [text for _, paragraphs in parts for text in paragraphs]
    reader_words = list((strings if strings is not None else content.wording)["reader_words"])
    reader = f"'{reader_words[0]}'" if reader_words else "no reader_words in templates/strings.yaml"
    addressed = any(words.uses_word(t, w, content.language) for t in texts for w in reader_words)
    items = {
        "a summary at the top": bool(parts and parts[0][1]),
        f"an action addressed to the reader ({reader})": addressed,
        "a phone number to get help": bool(re.search(r"\d{3}", content.brand.phone)),
        "a heading on every section": all(heading.strip() for heading, _ in parts),
    }
    missing = [item for item, holds in items.items() if not holds]
    if missing:
        return [Finding("actionability", WARNING, leaflet, "missing (AHRQ PEMAT): " + "; ".join(missing))]
    return [Finding("actionability", PASS, leaflet, "holds: " + "; ".join(items), f"{len(items)}/{len(items)}")]


def check_fit(content: Content, edition: Edition, fit: int, paper: str) -> list[Finding]:
    """A warning when the tri-fold left out some of what `trifold.carries` names to fit its panels (`fit`: the
    index in `fits` of the layout that fitted), naming the `trifold.carries` that prints it so."""
    fitting = fits(content, edition)
    wanted, chosen = fitting[0], fitting[fit]
    left = [part for part in wanted.carries if part not in chosen.carries]
    if not left:
        return []
    message = (
        f"{paper}: its panels cannot hold all of trifold.carries ({', '.join(wanted.carries)}), so it leaves out "
        f"{', '.join(left)}; set `trifold.carries: [{', '.join(chosen.carries)}]` to print it so without this "
        "warning, or shorten the text"
    )
    return [Finding("panels", WARNING, edition.label, message)]


def check_review_date(content: Content, today: datetime.date, allow_expired: bool) -> list[Finding]:
    """Past the review date the build stops (PIF TICK, NHS); within the warning window it warns."""
    governance = content.governance
    days = (governance.review_by - today).days
    reference = f"{governance.reference} version {governance.version}"
    if days < 0:
        if allow_expired:
            return [
                Finding(
                    "review date",
                    WARNING,
                    "all",
                    f"{reference} was due for review on {governance.review_by}; every page is marked "
                    "'past review date'",
                )
            ]
        return [
            Finding(
                "review date",
                ERROR,
                "all",
                f"{reference} was due for review on {governance.review_by}: review the content and update "
                "governance.review_by, or build with --allow-expired to print copies marked as past review",
            )
        ]
    if days <= content.quality.review_warning_days:
        return [
            Finding(
                "review date",
                WARNING,
                "all",
                f"{reference} is due for review on {governance.review_by}, in {days} days",
            )
        ]
    return [Finding("review date", PASS, "all", f"review due {governance.review_by}, in {days} days")]
