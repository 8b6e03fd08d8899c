"""Personalised discharge handouts, many at once, handled as patient data.

One PDF per patient, named by record id (never by name), written owner-only
(0600) as archival, tagged PDF/A-2a. Patient values appear on the page and
nowhere else: not in metadata, file names, the terminal or error messages.

Rendering runs in a process pool; each worker keeps one WeasyPrint font
configuration and the parsed stylesheets for the whole run, and its
temporary font folders live in a scratch folder removed at the end.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .editions import Edition, editions, glossary_for
from .errors import LeafletError, UsageError
from .files import write_atomically
from .fonts import uncovered_fields
from .patients import Patient, RowProblem, read_patients
from .render import TEMPLATES, booking_qr, environment, field_namer, format_date, render_html, strings_table
from .schema import Content, GlossaryEntry

#: ISO 19005-2 level A: archival (fonts embedded, sRGB output intent) and tagged for screen readers.
DISCHARGE_VARIANT = "pdf/a-2a"
HANDOUT = Edition("discharge", "discharge", "discharge.html", "discharge", 8, "Personalised discharge handout.")
#: A handout's last sheet side must be at least this full: never a side spent on a scrap.
MIN_LAST_PAGE_USE = 0.3
CHUNK = 8  # patients per task: enough to keep both workers busy, small enough for a smooth progress bar


@dataclass(frozen=True)
class Made:
    """One handout written: where, and how to recognise it. No patient value but the record id."""

    row: int
    file: str
    pages: int
    sha256: str


@dataclass(frozen=True)
class Settings:
    """What every worker needs to render handouts the same way."""

    content_path: Path
    paper: str
    out_dir: Path
    fillable: bool


def make_handouts(
    content: Content,
    settings: Settings,
    patients: Sequence[Patient],
    jobs: int,
    progress: Callable[[int], None] = lambda done: None,
) -> list[Made | RowProblem]:
    """Render and write one PDF per patient, in `jobs` processes (1: in this process)."""
    settings.out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    chunks = [list(patients[i : i + CHUNK]) for i in range(0, len(patients), CHUNK)]
    made: list[Made | RowProblem] = []
    with tempfile.TemporaryDirectory(prefix="leaflets-discharge-") as scratch:
        if jobs <= 1:
            _start_worker(settings, scratch)
            results: Iterator[list[Made | RowProblem]] = map(_render_chunk, chunks)
            for result in results:
                made += result
                progress(len(result))
            _forget_worker()
        else:
            with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(settings, scratch)) as pool:
                for result in pool.map(_render_chunk, chunks):
                    made += result
                    progress(len(result))
    return made


# --- inside a worker -------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(settings: Settings, scratch: str) -> None:
    """Load the content once and build one PDF writer (fonts, stylesheets) for every patient of this worker."""
    from .build import content_fonts, load_content  # late: the build stage is only needed inside workers
    from .pdf import PdfWriter  # late: WeasyPrint only where rendering happens

    tempfile.tempdir = scratch  # WeasyPrint's font folders go here and are removed with it
    content = load_content(settings.content_path)
    logo = (settings.content_path.parent / content.brand.logo).resolve()
    fonts = content_fonts(content, settings.content_path)
    writer = PdfWriter(
        TEMPLATES / "css",
        assets=[TEMPLATES, logo],
        generated=booking_qr(content),
        source_date=content.governance.published,
        fonts=fonts,
        private=True,
    )
    writer.stylesheets(HANDOUT.stylesheets(settings.paper), print_shop=False)  # parse once, now
    _worker.update(
        content=content,
        settings=settings,
        writer=writer,
        env=environment(),
        logo=logo.as_uri(),
        fonts=fonts,
        causes={c.id: c for c in content.cause_leaflets},
    )


def _forget_worker() -> None:
    _worker.clear()
    tempfile.tempdir = None


def _render_chunk(patients: list[Patient]) -> list[Made | RowProblem]:
    return [_render_safely(patient) for patient in patients]


def _render_safely(patient: Patient) -> Made | RowProblem:
    """A row that cannot be made is reported (row only: no patient value), the others go on."""
    try:
        return _render_one(patient)
    except CellError as error:
        return RowProblem(patient.row, error.column, str(error))
    except LeafletError as error:
        return RowProblem(patient.row, "", f"could not be made: {error}")


class CellError(LeafletError):
    """One cell of the patient list cannot be printed; names the column only."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


def _render_one(patient: Patient) -> Made:
    content, settings = _worker["content"], _worker["settings"]
    cells = patient_cells(patient)
    unprintable = list(uncovered_fields(_worker["fonts"], cells.items()))
    if unprintable:  # name the column, never the character: it is patient data
        raise CellError(
            unprintable[0],
            "has a character no embedded font can print; add a font that has it to the folder named in "
            "the content's `fonts:` (README, 'Fonts')",
        )
    from .layout import last_page_used  # late: WeasyPrint only inside workers

    field_of = field_namer(content, {f"column {name}": value for name, value in cells.items()})
    for compact in (False, True):
        html = handout_html(
            content, patient, settings.paper, _worker["logo"], settings.fillable, _worker["env"], compact
        )
        rendered = _worker["writer"].render(
            html,
            HANDOUT.stylesheets(settings.paper),
            HANDOUT.max_pages,
            f"row {patient.row}",
            variant=DISCHARGE_VARIANT,
            forms=settings.fillable,
            field_of=field_of,
        )
        if rendered.pages == 1 or last_page_used(rendered.document) >= MIN_LAST_PAGE_USE:
            break
    target = settings.out_dir / f"{patient.record_id}.pdf"
    write_atomically(target, rendered.data, mode=0o600)
    return Made(patient.row, target.name, rendered.pages, hashlib.sha256(rendered.data).hexdigest())


def patient_cells(patient: Patient) -> dict[str, str]:
    """The patient's printed values by column name (dates as printed too), for font and layout checks."""
    strings = strings_table()[_worker["content"].language] if _worker else {}
    cells = {name: str(getattr(patient, name)) for name in ("record_id", "patient_name", "procedure", "clinician")}
    cells |= {"followup_time": patient.followup_time, "followup_place": patient.followup_place, "note": patient.note}
    if strings:
        cells["procedure_date"] = format_date(patient.procedure_date, strings)
        cells["followup_date"] = format_date(patient.followup_date, strings)
    return cells


def handout_html(
    content: Content, patient: Patient, paper: str, logo_url: str, fillable: bool, env: Any, compact: bool = False
) -> str:
    """One patient's handout as HTML; `compact` leaves fewer lines for questions."""
    strings = strings_table()[content.language]
    causes = {c.id: c for c in content.cause_leaflets}
    chosen = [causes[name] for name in patient.leaflets]
    extra = {
        "patient": patient,
        "record": patient.record_id,
        "leaflets": chosen,
        "glossary": glossary_of(content, patient.leaflets),
        "procedure_date": format_date(patient.procedure_date, strings),
        "followup_date": format_date(patient.followup_date, strings),
        "fillable": fillable,
        "compact": compact,
    }
    return render_html(content, HANDOUT, paper, logo_url, env, extra=extra)


def glossary_of(content: Content, leaflet_ids: Sequence[str]) -> list[GlossaryEntry]:
    """The glossary entries any of the chosen cause leaflets print, in glossary order."""
    printed = {
        e.term for edition in editions(content) if edition.name in leaflet_ids for e in glossary_for(content, edition)
    }
    return [entry for entry in content.glossary if entry.term in printed]


def check_patients(path: Path, content: Content) -> tuple[list[Patient], list[RowProblem]]:
    """Read the list; the caller reports the problems (row and column only)."""
    if not path.is_file():
        raise UsageError(f"no patient list at {path}")
    return read_patients(path, [c.id for c in content.cause_leaflets])


def default_jobs() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
