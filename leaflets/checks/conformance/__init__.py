"""PDF/UA-1 (and, for the discharge handouts, PDF/A-2) checks on a written PDF, rule by rule as veraPDF
numbers them, read once with pikepdf.

veraPDF, the reference validator for PDF/UA-1 (ISO 14289-1), is a Java program; this package
re-implements the rules of its PDF/UA-1 profile that a leaflet can break, from the rule texts, so the
quality gate and the tests can run them anywhere. Every problem names the rule (veraPDF's id, e.g.
"7.18.5-1"), the page and what is wrong. `RULES` lists the veraPDF rules checked, `EXTRA_RULES` what
ISO 14289-1 asks and veraPDF does not test by number, and `NOT_CHECKED` what is not checked. A file
whose XMP metadata claims PDF/A is also checked against the PDF/A-2 rules in `PDFA_RULES`.

One module per rule family, each reading the file through one `reader.Document` (the structure tree
read once, each content stream parsed once):

- metadata.py: identification, title, catalog flags (5, 7.1, 7.10, 7.16)
- content.py: content tagged or an Artifact (7.1-1 to 7.1-3)
- tags.py: standard structure types (7.1-5, 7.1-7; 7.1-12 is found by reader.py)
- lists.py, tables.py: L > LI > Lbl/LBody; Table > TR > TH/TD, headers determinable (7.2, 7.5)
- figures.py: alternative text (7.3), note IDs (7.9)
- headings.py: H1 first, no level skipped, none empty (7.4)
- languages.py: Lang values and the language of text, alternative text and metadata (7.2)
- links.py: links, form fields and other annotations tagged and described (7.18)
- fonts.py with glyphs.py: fonts embedded, every drawn code mapped to text (7.20, 7.21)
- archival.py: PDF/A-2 rules for handouts (6.2.8, 6.3.3, 6.4.1)
- outline.py: the tree as a screen reader lists it (for tests and reviewers; checks nothing)

This is the project's one PDF/UA checker. The `pdfua` package (0.1.3) that ran beside it checked twelve
rules; on the PDFs this project makes, each is checked here as strictly or more so:

=========  ====================================  =====================================================
pdfua      what it checked                       here
=========  ====================================  =====================================================
UA-01-005  a StructTreeRoot                      7.1-11
UA-01-002  MarkInfo/Marked true                  7.1:marked
UA-01-003  no text or XObject outside marked     7.1-3 (drawings too, and the mark must be an MCID
           content                               the ParentTree maps, or an Artifact)
UA-06-001  the catalog has a Lang, a BCP-47 tag  7.2-29 (not a tag); 7.2-2, 7.2-33, 7.2-34 (no Lang: as every
                                                 PDF made here has bookmarks and x-default metadata, it fails)
UA-13-004  every Figure has Alt or ActualText    7.3-1 (a blank Alt counts as none)
UA-15-003  table headers associated              7.5-1 (a table whose data cells have no TH at all
                                                 is not checked: no leaflet prints a table)
UA-18-005  a Link has a description              7.18.5-2 (Contents on every link), 7.18.5-1
UA-18-001  other annotations have Contents       7.18.1-2 (Contents or Alt), 7.18.1-1
UA-14-001  no empty H1-H6                        7.4:empty (pdfua raised on every leaflet's headings)
UA-07-001  the Info dictionary has a Title       7.1:info-title
UA-07-002  DisplayDocTitle true                  7.1-10
UA-28-004  the XMP declares PDF/UA (pdfuaid)     5-1, 5-2
=========  ====================================  =====================================================
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pikepdf

from leaflets.checks.conformance import (
    archival,
    content,
    figures,
    fonts,
    headings,
    languages,
    links,
    lists,
    metadata,
    tables,
    tags,
)
from leaflets.checks.conformance.outline import outline
from leaflets.checks.conformance.reader import Document, Element, Problem, Report, StructureTree


def _number(rule: str) -> tuple[tuple[int, ...], int]:
    """A veraPDF rule id as numbers, e.g. '7.18.5-1' -> ((7, 18, 5), 1), to list rules in the standard's order."""
    clause, _, test = rule.partition("-")
    return tuple(int(part) for part in clause.split(".")), int(test)


_FAMILIES = (metadata, tags, content, lists, tables, figures, headings, languages, links, fonts)
#: veraPDF PDF/UA-1 rules checked here, with what each requires, in the standard's order.
RULES: dict[str, str] = dict(
    sorted(((rule, text) for family in _FAMILIES for rule, text in family.RULES.items()), key=lambda i: _number(i[0]))
)
#: veraPDF PDF/A-2 rules (ISO 19005-2) checked when the XMP metadata claims PDF/A.
PDFA_RULES: dict[str, str] = archival.PDFA_RULES
#: Rules beyond veraPDF's numbered tests (ISO 14289-1 requirements it does not test by number).
EXTRA_RULES: dict[str, str] = {**metadata.EXTRA_RULES, **headings.EXTRA_RULES, **languages.EXTRA_RULES}
#: The module that checks each rule, e.g. '7.18.5-1' -> 'links' (for the documentation's list of rules).
CHECKED_IN: dict[str, str] = {
    rule: module.__name__.rpartition(".")[2]
    for module, table in (
        *((family, family.RULES) for family in _FAMILIES),
        (metadata, metadata.EXTRA_RULES),
        (headings, headings.EXTRA_RULES),
        (languages, languages.EXTRA_RULES),
        (archival, archival.PDFA_RULES),
    )
    for rule in table
}
#: veraPDF PDF/UA-1 rules not checked here: they read font programs, glyphs and media clips.
NOT_CHECKED: dict[str, str] = {
    "7.2-15": "tables are regular (no tables are written)",
    "7.11-1": "embedded file specifications (no files are embedded)",
    "7.15-1": "dynamic XFA forms (none are written)",
    "7.18.6.2-1/2": "media clip data (no media)",
    "7.20-2": "form XObjects with MCIDs used more than once",
    "7.21.3.1-1, 7.21.3.3-1/2/3": "CMaps other than Identity-H",
    "7.21.4.1-2, 7.21.4.2-1/2, 7.21.5-1, 7.21.6-1/2/3/4, 7.21.7-2, 7.21.8-1": "glyphs inside the font programs",
}

__all__ = [
    "CHECKED_IN",
    "EXTRA_RULES",
    "NOT_CHECKED",
    "PDFA_RULES",
    "RULES",
    "Document",
    "Element",
    "Problem",
    "Report",
    "StructureTree",
    "check",
    "check_file",
    "outline",
]


def check_file(path: Path, other_languages: Mapping[str, str] | None = None) -> Report:
    """Check a PDF file; `other_languages` maps phrases printed in another language to their language tag."""
    with pikepdf.open(path) as pdf:
        document = Document(pdf)
        report = _check(document)
        if other_languages:
            problems = languages.language_of_parts(document, path, other_languages)
            report = Report((*report.checked, "7.2:parts"), (*report.problems, *problems))
    return report


def check(pdf: pikepdf.Pdf) -> Report:
    """Every rule in RULES and EXTRA_RULES but `7.2:parts`, on an open PDF; and PDFA_RULES if it claims PDF/A."""
    return _check(Document(pdf))


def _check(document: Document) -> Report:
    problems = [
        *metadata.check(document),
        *document.tree.problems,  # 7.1-12, found as the tree was read
        *content.check(document),
        *tags.check(document),
        *lists.check(document),
        *tables.check(document),
        *figures.check(document),
        *headings.check(document),
        *languages.check(document),
        *links.check(document),
        *fonts.check(document),
        *(archival.check(document) if document.archival else ()),
    ]
    extra = (rule for rule in EXTRA_RULES if rule != "7.2:parts")
    checked = (*RULES, *extra, *(PDFA_RULES if document.archival else ()))
    return Report(checked, _once(problems))


def _once(problems: list[Problem]) -> tuple[Problem, ...]:
    """Each problem once, in order, with how often it occurs: one cause tends to repeat for every list item."""
    counts = Counter(problems)
    return tuple(Problem(p.rule, p.page, f"{p.message} ({n} times)" if n > 1 else p.message) for p, n in counts.items())
