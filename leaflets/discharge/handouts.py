"""Personalised discharge handouts, many at once, handled as patient data.

One PDF per patient, named by record id (never by name), written owner-only
(0600) as archival, tagged PDF/A-2a. Patient values appear on the page and
nowhere else: not in metadata, file names, the terminal or error messages.
Each handout is checked against the PDF/UA-1 and PDF/A-2 rules of
leaflets/checks/conformance/ before it is written.

Rendering runs in a process pool; each worker keeps one WeasyPrint font
configuration and the parsed stylesheets for the whole run, and its
temporary font folders live in a scratch folder removed at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaflets.content import wording
from leaflets.content.editions import Edition, editions, glossary_for
from leaflets.content.fonts import uncovered_fields
from leaflets.content.load import display_path
from leaflets.content.schema import Content, GlossaryEntry
from leaflets.content.wording import format_date
from leaflets.discharge.patients import RECORD_ID, Patient, PatientList, RowProblem, read_patients, record_key
from leaflets.errors import BuildError, LeafletError, UsageError
from leaflets.pipeline import processes
from leaflets.pipeline.files import (
    describe_os_error,
    locked_folder,
    remove_partial_files,
    scratch_folder,
    write_atomically,
)
from leaflets.render.html import environment, field_namer, generated_images, render_html
from leaflets.theme import Theme

if TYPE_CHECKING:
    from leaflets.render.pdf import Rendered

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


#: What a worker returns for a chunk: its rows, and the error that stopped the run, if any.
Chunk = tuple[list[Made | RowProblem], BuildError | None]


class Stopped(Exception):
    """The run stopped before every row was tried: what was finished, and what stopped it."""

    def __init__(self, results: list[Made | RowProblem], cause: BaseException):
        super().__init__("the discharge run stopped early")
        self.results = results
        self.cause = cause


def make_handouts(
    content: Content,
    settings: Settings,
    patients: Sequence[Patient],
    jobs: int,
    progress: Callable[[int], None] = lambda done: None,
) -> list[Made | RowProblem]:
    """Render and write one PDF per patient, in `jobs` processes (1: in this process).

    Call it holding `handout_folder(settings.out_dir)`, after `remove_earlier`. Whatever stops the run
    (Ctrl-C, a full disk, a worker that died) raises Stopped with the rows finished so far, and the
    folder then holds exactly those rows' handouts.
    """
    done: list[Made | RowProblem] = []

    def finished(result: list[Made | RowProblem]) -> None:
        done.extend(result)
        progress(len(result))

    try:
        try:
            _render_all(settings, patients, jobs, finished)
        except BaseException:
            # A worker that died mid-chunk may have written rows it never reported: the folder holds
            # exactly the rows the summary calls made.
            made = {r.file for r in done if isinstance(r, Made)}
            for patient in patients:
                if f"{patient.record_id}.pdf" not in made:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(settings.out_dir / f"{patient.record_id}.pdf")
            remove_partial_files(settings.out_dir)
            raise
    except BaseException as error:
        raise Stopped(sorted(done, key=lambda r: r.row), _plain(error, settings.out_dir)) from None
    return sorted(done, key=lambda r: r.row)


def _render_all(
    settings: Settings, patients: Sequence[Patient], jobs: int, finished: Callable[[list[Any]], None]
) -> None:
    """In this process (`jobs` 1) or a pool; WeasyPrint's font folders go in this run's scratch folder."""
    with scratch_folder("discharge", route_tempfile=jobs <= 1) as scratch:
        if jobs > 1:
            chunks = [list(patients[i : i + CHUNK]) for i in range(0, len(patients), CHUNK)]
            _in_pool(settings, str(scratch), chunks, jobs, finished)
            return
        load_worker(settings)
        try:
            for patient in patients:
                finished([_render_safely(patient)])
        finally:
            _worker.clear()


@contextlib.contextmanager
def handout_folder(out_dir: Path) -> Iterator[None]:
    """Make the folder owner-only (0700, even if it was there before) and hold it for this run."""
    shown = display_path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(out_dir, 0o700)
    except OSError as error:
        raise BuildError(describe_os_error(error, shown)) from None
    with locked_folder(out_dir, f"another discharge run is writing to {shown}; wait for it to finish"):
        remove_partial_files(out_dir)
        yield


def remove_earlier(out_dir: Path, record_ids: Collection[str], everything: bool = False) -> set[str]:
    """Remove the earlier handouts of these records before anything is made; return the record keys removed.

    A handout is its record's whatever the case of its name (record_key), as on Windows and macOS. `everything`:
    remove every handout in the folder, for a list with a failed row whose record id could not be read (no
    handout can be ruled out as that row's). Only files named like a handout are touched.
    Call it holding `handout_folder(out_dir)`.
    """
    wanted = {record_key(record_id) for record_id in record_ids}
    removed: set[str] = set()
    try:
        for entry in os.scandir(out_dir):
            stem, _, suffix = entry.name.rpartition(".")
            if suffix not in ("pdf", "brf") or not RECORD_ID.fullmatch(stem):  # a braille copy goes with its handout
                continue
            key = record_key(stem)
            if (everything or key in wanted) and not entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                removed.add(key)
    except OSError as error:
        raise BuildError(describe_os_error(error, display_path(out_dir))) from None
    return removed


def _plain(error: BaseException, out_dir: Path) -> BaseException:
    """What stopped the run, as an error the command line can word without a patient value."""
    if isinstance(error, OSError):
        return BuildError(describe_os_error(error, _folder_of(error, out_dir)))
    if isinstance(error, BrokenProcessPool):
        return BuildError("a worker process stopped unexpectedly (was it killed, or out of memory?)")
    return error


def _in_pool(
    settings: Settings, scratch: str, chunks: list[list[Patient]], jobs: int, finished: Callable[[list[Any]], None]
) -> None:
    """Render the chunks in workers forked from the runtime's server, loaded (processes.py); on any stop, let
    running workers finish their current handout."""
    stop = processes.context().Event()
    pool = processes.pool(jobs, _start_worker, (settings, scratch, stop))
    futures: list[Future[Chunk]] = []
    collected: set[Future[Chunk]] = set()
    try:
        with processes.signals_held():  # each submit may start a worker (see processes.pool)
            futures = [pool.submit(_render_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            collected.add(future)
            results, fatal = future.result()
            finished(results)
            if fatal is not None:
                raise fatal
    except BaseException:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:
            if future not in collected and future.done() and not future.cancelled() and future.exception() is None:
                finished(future.result()[0])
        raise
    finally:
        pool.shutdown(wait=True)


# --- inside a worker -------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(settings: Settings, scratch: str, stop: Any) -> None:
    """A pool worker: ignore Ctrl-C (the command handles it), end with the command, then load as `load_worker`."""
    processes.become_worker(scratch)
    load_worker(settings)
    _worker["stop"] = stop


def load_worker(settings: Settings) -> None:
    """Load the content and its translations once; each language's PDF writer is built when first needed."""
    from leaflets.content.sources import load_sources  # late: the build stage is only needed inside workers

    sources = load_sources(settings.content_path)
    by_language = {wording.base(s.content.language): s for s in sources}
    _worker.update(
        settings=settings,
        env=environment(Theme.beside(settings.content_path)),
        sources=by_language,
        main=wording.base(sources[0].content.language),
        languages={},
    )


def _in_language(patient: Patient) -> dict[str, Any]:
    """The content, fonts and warm PDF writer (fonts, stylesheets) of the patient's language, built once."""
    language = patient.language or _worker["main"]
    state: dict[str, Any] | None = _worker["languages"].get(language)
    if state is not None:
        return state
    from leaflets.content.sources import content_fonts  # late: the build stage is only needed inside workers
    from leaflets.render.pdf import PdfWriter  # late: WeasyPrint only where rendering happens

    source = _worker["sources"][language]
    content, settings = source.content, _worker["settings"]
    logo = (source.path.parent / content.brand.logo).resolve()
    fonts = content_fonts(content, source.path)
    writer = PdfWriter(
        assets=[logo],
        theme=Theme.beside(settings.content_path),
        generated=generated_images(content),
        source_date=content.governance.published,
        fonts=fonts,
        private=True,
    )
    stylesheets = replace(HANDOUT, language=content.language).stylesheets(settings.paper)  # rtl.css for Arabic
    writer.stylesheets(stylesheets, print_shop=False)  # parse once, now
    state = {"content": content, "writer": writer, "logo": logo.as_uri(), "fonts": fonts, "stylesheets": stylesheets}
    _worker["languages"][language] = state
    return state


def _render_chunk(patients: list[Patient]) -> Chunk:
    """The chunk's handouts, and the error that stopped the run if one did (the rows before it still count).

    Once the run is stopping, no new handout is begun.
    """
    results: list[Made | RowProblem] = []
    stop = _worker["stop"]
    for patient in patients:
        if stop.is_set():
            break
        try:
            results.append(_render_safely(patient))
        except BuildError as error:
            stop.set()
            return results, error
        processes.pause_point("handout written", released=stop.is_set)  # a test's moment to stop the run
    return results, None


def _render_safely(patient: Patient) -> Made | RowProblem:
    """A row that cannot be made is reported (row only: no patient value), the others go on.

    A file system error (a full disk) stops the whole run, named by the folder, never by the file.
    """
    try:
        return _render_one(patient)
    except CellError as error:
        return RowProblem(patient.row, error.column, str(error), patient.record_id)
    except LeafletError as error:
        return RowProblem(patient.row, "", f"could not be made: {error}", patient.record_id)
    except OSError as error:
        raise BuildError(describe_os_error(error, _folder_of(error, _worker["settings"].out_dir))) from None


def _folder_of(error: OSError, out_dir: Path) -> str:
    """The folder an OSError happened in: the handouts' or the temporary one (the file name is never shown)."""
    where = str(error.filename or "")
    temp = tempfile.gettempdir()
    return f"the temporary folder {temp}" if where.startswith(temp + os.sep) else display_path(out_dir)


class CellError(LeafletError):
    """One cell of the patient list cannot be printed; names the column only."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


def _render_one(patient: Patient) -> Made:
    rendered = render_handout(patient)
    target = _worker["settings"].out_dir / f"{patient.record_id}.pdf"
    write_atomically(target, rendered.data, mode=0o600)
    return Made(patient.row, target.name, rendered.pages, hashlib.sha256(rendered.data).hexdigest())


def render_handout(patient: Patient) -> Rendered:
    """One patient's handout, rendered and checked (PDF/A-2a, PDF/UA-1) in memory, never written (the handout
    service's, and `_render_one`'s before it writes). In a process set up by `load_worker`; raises CellError naming the
    column of an unprintable value, or a LeafletError."""
    state, settings = _in_language(patient), _worker["settings"]
    content = state["content"]
    cells = patient_cells(patient, content)
    unprintable = list(uncovered_fields(state["fonts"], cells.items()))
    if unprintable:  # name the column, never the character: it is patient data
        raise CellError(
            unprintable[0],
            "has a character no embedded font can print; add a font that has it to the folder named in "
            "the content's `fonts:` (see docs/brand-and-fonts.md)",
        )
    from leaflets.render.layout import last_page_used  # late: WeasyPrint only inside workers

    field_of = field_namer(content, {f"column {name}": value for name, value in cells.items()})
    paper, logo, fillable, env = settings.paper, state["logo"], settings.fillable, _worker["env"]
    margins = handout_html(content, patient, paper, logo, fillable, env, margins_only=True)
    for compact in (False, True):
        html = handout_html(content, patient, paper, logo, fillable, env, compact)
        rendered: Rendered = state["writer"].render(
            html,
            state["stylesheets"],
            HANDOUT.max_pages,
            f"row {patient.row}",
            variant=DISCHARGE_VARIANT,
            forms=settings.fillable,
            field_of=field_of,
            margins=margins,
        )
        if rendered.pages == 1 or last_page_used(rendered.document) >= MIN_LAST_PAGE_USE:
            break
    check_conformance(rendered.data)
    return rendered


def check_conformance(data: bytes) -> None:
    """Stop a handout that breaks a PDF/UA-1 or PDF/A-2 rule (leaflets/checks/conformance; about 20 ms, where
    rendering takes a second). Its messages name rules, pages and the program's own wording, never page text."""
    import pikepdf  # late: only inside workers

    from leaflets.checks import conformance

    with pikepdf.open(io.BytesIO(data)) as pdf:
        problems = conformance.check(pdf).problems
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BuildError(f"it would not be PDF/A-2a and PDF/UA-1: {problems[0]}{more}")


def patient_cells(patient: Patient, content: Content | None = None) -> dict[str, str]:
    """The patient's printed values by column name (dates as printed in `content`'s language too), for font and
    layout checks."""
    cells = {name: str(getattr(patient, name)) for name in ("record_id", "patient_name", "procedure", "clinician")}
    cells |= {"followup_time": patient.followup_time, "followup_place": patient.followup_place, "note": patient.note}
    if content is not None:
        cells["procedure_date"] = format_date(patient.procedure_date, content)
        cells["followup_date"] = format_date(patient.followup_date, content)
    return cells


def handout_html(
    content: Content,
    patient: Patient,
    paper: str,
    logo_url: str,
    fillable: bool,
    env: Any,
    compact: bool = False,
    margins_only: bool = False,
) -> str:
    """One patient's handout as HTML; `compact` leaves fewer lines for questions; `margins_only`: render_html's."""
    causes = {c.id: c for c in content.cause_leaflets}
    chosen = [causes[name] for name in patient.leaflets]
    extra = {
        "patient": patient,
        "record": patient.record_id,
        "leaflets": chosen,
        "glossary": glossary_of(content, patient.leaflets),
        "procedure_date": format_date(patient.procedure_date, content),
        "followup_date": format_date(patient.followup_date, content),
        "fillable": fillable,
        "compact": compact,
    }
    return render_html(content, HANDOUT, paper, logo_url, env, extra=extra, margins_only=margins_only)


def glossary_of(content: Content, leaflet_ids: Sequence[str]) -> list[GlossaryEntry]:
    """The glossary entries any of the chosen cause leaflets print, in glossary order."""
    printed = {
        e.term for edition in editions(content) if edition.name in leaflet_ids for e in glossary_for(content, edition)
    }
    return [entry for entry in content.glossary if entry.term in printed]


def check_patients(path: Path, content: Content, languages: Sequence[str] = ()) -> PatientList:
    """Read the list; the caller reports the problems (row and column only). `languages`: the codes a row's
    `language` may name (default: the content's own)."""
    if not path.is_file():
        raise UsageError(f"no patient list at {path}")
    return read_patients(path, [c.id for c in content.cause_leaflets], languages or [wording.base(content.language)])
