"""Braille-ready copies of discharge handouts (`discharge --braille`): `RECORD_ID.brf` beside `RECORD_ID.pdf`.

Made in this process once the handouts are, from the same HTML as each PDF (leaflets/braille.py), owner-only
like the PDFs. A row whose braille cannot be made is reported by row, never by what is in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from leaflets import braille
from leaflets.content import wording
from leaflets.content.sources import Source
from leaflets.discharge.handouts import Made, handout_folder, handout_html
from leaflets.discharge.patients import Patient, RowProblem
from leaflets.errors import BuildError
from leaflets.pipeline.files import write_atomically
from leaflets.render.html import environment
from leaflets.theme import Theme


def tables(sources: Sequence[Source]) -> dict[str, str]:
    """Each language's braille table, checked (and liblouis found) before any handout is made."""
    braille.require_liblouis()
    return {wording.base(s.content.language): braille.table_for(s.content.wording, s.content.language) for s in sources}


def write_handouts(
    sources: Sequence[Source], patients: Sequence[Patient], made: Sequence[Made], paper: str, out_dir: Path
) -> list[RowProblem]:
    """A `.brf` beside each handout made, in the patient's language; the rows whose braille could not be made."""
    by_language = {wording.base(s.content.language): s for s in sources}
    chosen, main = tables(sources), wording.base(sources[0].content.language)
    env = environment(Theme.beside(sources[0].path))

    def write(patient: Patient) -> RowProblem | None:
        language = patient.language or main
        content, path = by_language[language].content, by_language[language].path
        logo = (path.parent / content.brand.logo).resolve().as_uri()
        html = handout_html(content, patient, paper, logo, False, env)
        try:
            data = braille.brf(braille.blocks(html), chosen[language], private=True)
        except BuildError as error:
            return RowProblem(patient.row, "", f"no braille file: {error}")
        write_atomically(out_dir / f"{patient.record_id}.brf", data, mode=0o600)
        return None

    rows = {p.row: p for p in patients}
    with handout_folder(out_dir):
        found = [write(rows[handout.row]) for handout in made]
    return [problem for problem in found if problem is not None]
