"""Golden HTML: what each edition's template makes of the sample clinic, kept in tests/golden/.

A change to a template, a stylesheet's markup or the content shows up as a readable diff of HTML, long before
a PDF is compared. After an intended change, write them again with one command and review the diff:

    python -m tests.golden
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from leaflets.content.editions import editions
from leaflets.content.sources import load_content
from leaflets.discharge.handouts import handout_html
from leaflets.discharge.patients import read_patients
from leaflets.render.html import environment, render_html

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
#: The sample's logo, and how the golden files show it: a name, not this machine's path.
LOGO = (ROOT / "assets" / "logo.svg").as_uri()
SHOWN = "logo.svg"
#: One of each kind of edition (and the Spanish overview, for the wording of another language).
CHOSEN = {
    "en": ("overview", "trifold", "failed-decompression", "overview-large-print", "failed-decompression-large-print"),
    "es": ("overview",),
}


def pages() -> Iterator[tuple[str, str]]:
    """(file name, HTML) of every golden page: the chosen editions on A4, then a discharge handout."""
    env = environment()
    for language, chosen in CHOSEN.items():
        content = load_content(ROOT / ("content.yaml" if language == "en" else f"content.{language}.yaml"))
        for edition in editions(content):
            if edition.name in chosen:
                yield f"{edition.name}-{language}.html", _shown(render_html(content, edition, "a4", LOGO, env))
    content = load_content(ROOT / "content.yaml")
    listed = read_patients(ROOT / "tests" / "fixtures" / "patients.csv", [c.id for c in content.cause_leaflets])
    yield "discharge-handout-en.html", _shown(handout_html(content, listed.patients[0], "a4", LOGO, False, env))


def _shown(html: str) -> str:
    return html.replace(LOGO, SHOWN)


def main() -> int:
    """Write every golden page again, and remove those no longer made."""
    written = set()
    for name, html in pages():
        (GOLDEN / name).write_text(html, encoding="utf-8")
        written.add(name)
    for stale in sorted(p for p in GOLDEN.glob("*.html") if p.name not in written):
        stale.unlink()
    print(f"wrote {len(written)} golden pages in {GOLDEN.relative_to(ROOT)}/: review them with git diff")
    return 0


if __name__ == "__main__":
    sys.exit(main())
