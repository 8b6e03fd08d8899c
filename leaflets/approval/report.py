"""The change report: `changes.html` for the group that approves each version, and a summary for the terminal.

The page stands alone: its styles are inside it and its page images are data: URIs, so it can be mailed,
archived or printed, and opening it asks nothing of any server.
"""

from __future__ import annotations

import base64
from pathlib import Path

from leaflets.approval.compare import CHANGED, GONE, NEW, LanguageReport, LeafletReport, Place, Report
from leaflets.content.load import display_path
from leaflets.errors import BuildError
from leaflets.pipeline.files import describe_os_error, write_atomically
from leaflets.render.html import environment

REPORT = "changes.html"


def write_report(report: Report, out_dir: Path) -> Path:
    """Write `changes.html` into `out_dir` (made if needed), whole or not at all; return its path."""
    template = environment().get_template(REPORT)
    html = template.render(
        report=report,
        png=lambda data: "data:image/png;base64," + base64.b64encode(data).decode("ascii"),
        pages=page_list,
        changed=CHANGED,
        new=NEW,
        gone=GONE,
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(out_dir / REPORT, html.encode("utf-8"))
    except OSError as error:
        raise BuildError(describe_os_error(error, display_path(out_dir))) from None
    return out_dir / REPORT


def page_list(numbers: list[int]) -> str:
    """'page 2', 'pages 1 and 3', 'pages 1, 2 and 4'."""
    if not numbers:
        return "no page"
    shown = [str(n) for n in numbers]
    if len(shown) == 1:
        return f"page {shown[0]}"
    return f"pages {', '.join(shown[:-1])} and {shown[-1]}"


def summary(report: Report) -> list[str]:
    """The report in a few lines: each language's changed fields and PDFs."""
    before = f", version {report.version_before}" if report.version_before else ""
    lines = [
        f"Changes since {report.since}{before}, to {report.content}, version {report.version_after} "
        f"({report.paper.upper() if report.paper == 'a4' else 'US Letter'}; both drawn with today's templates, so only "
        "what the content says differently shows):"
    ]
    for language in report.languages:
        lines += _language_lines(language)
    return lines


def _language_lines(language: LanguageReport) -> list[str]:
    heading = f"{language.name} ({language.tag})"
    fields = f"{len(language.fields)} field{'s' if len(language.fields) != 1 else ''}"
    pdfs = f"{len(language.leaflets)} PDF{'s' if len(language.leaflets) != 1 else ''}"
    if language.fields or language.leaflets:
        lines = [f"{heading}: {fields} changed, {pdfs} made differently"]
    else:
        lines = [f"{heading}:{'' if language.notes else ' no changes'}"]
    lines += [f"  {note}" for note in language.notes]
    for item in language.fields:
        lines.append(f"  {item.change.where}: {item.change.in_brief()}")
        lines.append(f"    {places_text(item.places)}")
    lines += [f"  {leaflet_text(leaflet)}" for leaflet in language.leaflets]
    return lines


def places_text(places: list[Place]) -> str:
    """'in scar-tissue-en-a4.pdf page 1; ...', or that no leaflet compared prints it."""
    if not places:
        return "printed on none of the leaflets compared"
    shown = [f"{p.file} {page_list(p.pages)}{' (of the earlier version)' if p.before else ''}" for p in places]
    return "in " + "; ".join(shown)


def leaflet_text(leaflet: LeafletReport) -> str:
    """'scar-tissue-en-a4.pdf: page 1 changed (1 page)'."""
    if leaflet.status == GONE or leaflet.comparison is None:
        return f"{leaflet.file}: no longer made"
    comparison = leaflet.comparison
    count = f"{comparison.pages_after} page{'s' if comparison.pages_after != 1 else ''}"
    if leaflet.status == NEW:
        return f"{leaflet.file}: new ({count})"
    if comparison.pages_before != comparison.pages_after:
        count = f"{comparison.pages_before} pages before, {count} now"
    changed = [page.number for page in comparison.changed]
    if not changed:
        return f"{leaflet.file}: no page looks different ({count}; the change is in its tags or metadata)"
    return f"{leaflet.file}: {page_list(changed)} changed ({count})"
