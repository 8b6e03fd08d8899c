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
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .editions import Edition, glossary_for, sections
from .editions import editions as every_edition
from .readability import hardest_sentences, measure
from .schema import Content, GlossaryEntry

ERROR, WARNING, PASS = "error", "warning", "pass"
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
    return [f for f in findings if f.level == ERROR or (strict and f.level == WARNING)]


#: Summary-table columns: (check, heading).
COLUMNS = [
    ("reading level", "grade FK/SMOG"),
    ("type size", "smallest text"),
    ("contrast", "lowest contrast"),
    ("pdf/ua", "PDF/UA"),
    ("plain words", "medical words"),
    ("actionability", "PEMAT items"),
]


def format_report(findings: Sequence[Finding]) -> str:
    """The report for a terminal: one row per leaflet, then every warning and error in words."""
    leaflets = list(dict.fromkeys(f.leaflet for f in findings if f.leaflet != "all"))
    cells = {(f.leaflet, f.check): f.figure or f.level for f in findings if f.level == PASS}
    for f in findings:
        if f.level != PASS:
            cells[(f.leaflet, f.check)] = f.level.upper()
    header = ["leaflet", *(heading for _, heading in COLUMNS)]
    rows = [[name, *(cells.get((name, check), "-") for check, _ in COLUMNS)] for name in leaflets]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines += [f"{f.check}: {f.message}" for f in findings if f.leaflet == "all" and f.level == PASS]
    for level in (WARNING, ERROR):
        chosen = [f for f in findings if f.level == level]
        lines.append(f"{level}s: {len(chosen) or 'none'}")
        lines += [f"  {f.check} ({f.leaflet}): {f.message}" for f in chosen]
    return "\n".join(lines)


def medical_terms() -> list[str]:
    """The shipped list of words a leaflet must explain (leaflets/medical_terms.txt)."""
    text = resources.files("leaflets").joinpath("medical_terms.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


# --- checks on the words, before rendering ---------------------------------------------------


def check_content(
    content: Content,
    editions: Sequence[Edition],
    strings: Mapping[str, Any],
    today: datetime.date,
    allow_expired: bool,
) -> list[Finding]:
    """Reading level, plain words, actionability and review date."""
    found = [*check_review_date(content, today, allow_expired)]
    for edition in editions:
        if edition.style == "large-print":
            continue  # same words as the standard edition
        parts = sections(content, edition, strings)
        found += check_reading_level(content, edition.name, parts)
        found += check_plain_words(content, edition)
        found += check_actionability(content, edition.name, parts)
    found += check_unused_glossary(content, every_edition(content))
    return found


def check_reading_level(content: Content, leaflet: str, parts: list[tuple[str, list[str]]]) -> list[Finding]:
    """Flesch-Kincaid grade against the content's target (NIH: below grade 8); SMOG alongside."""
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


def check_plain_words(content: Content, edition: Edition) -> list[Finding]:
    """Every shipped medical word the leaflet uses is in the glossary, and printed with it."""
    text = "\n".join(p for _, paragraphs in sections(content, edition, _NO_HEADINGS) for p in paragraphs)
    printed = glossary_for(content, edition)
    found = []
    for term in medical_terms():
        if not _uses(text, term):
            continue
        entry = next((e for e in content.glossary if _defines(e, term)), None)
        if entry is None:
            found.append(
                Finding(
                    "plain words",
                    ERROR,
                    edition.name,
                    f"uses '{term}' but the glossary does not explain it (PEMAT: define medical terms)",
                )
            )
        elif entry not in printed:
            found.append(
                Finding("plain words", ERROR, edition.name, f"the glossary entry '{entry.term}' is not printed")
            )
    if not found:
        found.append(
            Finding(
                "plain words",
                PASS,
                edition.name,
                f"{len(printed)} glossary entries printed, every medical word explained",
                f"{len(printed)} explained",
            )
        )
    return found


def check_unused_glossary(content: Content, editions: Sequence[Edition]) -> list[Finding]:
    """Glossary entries no leaflet uses: dead words to remove (or a sign a paragraph went missing)."""
    used = {entry.term for edition in editions for entry in glossary_for(content, edition)}
    return [
        Finding("plain words", WARNING, "all", f"glossary entry '{e.term}' is not used by any leaflet")
        for e in content.glossary
        if e.term not in used
    ]


def check_actionability(content: Content, leaflet: str, parts: list[tuple[str, list[str]]]) -> list[Finding]:
    """The PEMAT actionability items a program can check."""
    texts = [text for _, paragraphs in parts for text in paragraphs]
    items = {
        "a summary at the top": bool(parts and parts[0][1]),
        "an action addressed to the reader ('you')": any(re.search(r"\byou(r)?\b", t, re.I) for t in texts),
        "a phone number to get help": bool(re.search(r"\d{3}", content.brand.phone)),
        "a heading on every section": all(heading.strip() for heading, _ in parts),
    }
    missing = [item for item, holds in items.items() if not holds]
    if missing:
        return [Finding("actionability", WARNING, leaflet, "missing (AHRQ PEMAT): " + "; ".join(missing))]
    return [Finding("actionability", PASS, leaflet, "holds: " + "; ".join(items), f"{len(items)}/{len(items)}")]


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


_NO_HEADINGS: dict[str, Any] = defaultdict(str)


def _uses(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE) is not None


def _defines(entry: GlossaryEntry, term: str) -> bool:
    return any(word.lower().startswith(term.lower()) for word in (entry.term, *entry.also))
