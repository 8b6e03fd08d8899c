"""Inside a worker process of the service (pool.py starts each from the worker runtime, processes.pool): set up,
warm up, then one handout a task.

A worker is the discharge batch's (discharge/handouts.py: `load_worker`, then `render_handout` in memory)
kept alive between requests. It warms up by making a handout for a made-up patient in each language
before it says it is ready, so the first real request is as fast as the next.
"""

from __future__ import annotations

import datetime
import io
import os
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from leaflets.discharge.handouts import CellError, Settings, load_worker, render_handout
from leaflets.discharge.patients import Patient
from leaflets.errors import LeafletError
from leaflets.pipeline import processes

#: Test-only: a folder where the first handout made after a file `hold` appears there waits (see `_hold`).
HOLD = "LEAFLETS_SERVICE_TEST_HOLD"


@dataclass(frozen=True)
class WorkerSpec:
    """What every worker needs: the discharge settings, and what to warm up with."""

    settings: Settings
    languages: tuple[str, ...]  # each language's writer is warmed up
    leaflets: tuple[str, ...]  # the cause leaflets, all printed in the warm-up handout
    hold: str = ""  # test-only (HOLD)


_state: dict[str, Any] = {}


def start_worker(spec: WorkerSpec, scratch: str, alive: Connection) -> None:
    """The pool's initializer: a worker of the runtime (processes.become_worker) that holds `alive` open while it
    lives (the service sees it close when the process ends, however it ends)."""
    processes.become_worker(scratch)
    # The service ends its workers itself, once its requests are answered: a SIGTERM that reaches a worker
    # does not cut a handout short. (One sent to every process ends the runtime's server, and the workers with
    # it: under systemd, KillMode=mixed; docs/service.md.)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _state.update(spec=spec, alive=alive, titles={})


def warm_up() -> tuple[Any, ...]:
    """Load the content, then make a handout in each language: ("ready",), or ("failed", why)."""
    spec: WorkerSpec = _state["spec"]
    try:
        load_worker(spec.settings)
        for language in spec.languages:  # the title every handout in it has (its heading and the condition)
            _state["titles"][language] = _title(render_handout(warm_up_patient(language, spec.leaflets)).data)
    except Exception as error:  # the content or a library cannot be loaded: no patient is involved yet
        return ("failed", f"{type(error).__name__}: {error}")
    return ("ready",)


def make(patient: Patient) -> tuple[Any, ...]:
    """One patient's handout: ("made", data, pages, title), or what stopped it (see `_made`)."""
    spec: WorkerSpec = _state["spec"]
    reply = _made(patient, _state["titles"][patient.language or spec.languages[0]])
    _hold(spec.hold)
    return reply


def warm_up_patient(language: str, leaflets: tuple[str, ...]) -> Patient:
    """A made-up patient whose handout prints every cause leaflet: loads each font, image and stylesheet."""
    day = datetime.date(2000, 1, 1)
    return Patient(0, "WARM-UP", "Warm Up", "Warm-up", day, "Warm Up", day, "09:00", "Warm-up", leaflets, "", language)


def _made(patient: Patient, title: str) -> tuple[Any, ...]:
    """The reply for one patient: the PDF, or what stopped it (in words without a patient value)."""
    try:
        rendered = render_handout(patient)
    except CellError as error:
        return ("unprintable", error.column, str(error))
    except LeafletError as error:
        return ("failed", f"the handout could not be made: {error}")
    except Exception as error:  # a bug: its message may quote a value, so only its kind is told
        return ("failed", f"the handout could not be made ({type(error).__name__})")
    return ("made", rendered.data, rendered.pages, title)


def _title(data: bytes) -> str:
    """The title a PDF carries (read once per language, from the warm-up handout)."""
    import pikepdf  # late: the runtime's server has loaded it already

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return str(pdf.docinfo.get("/Title", ""))


def _hold(folder: str) -> None:
    """Test-only (HOLD): if the file `hold` is in `folder`, rename it `held-PID` and wait, with the handout
    made, until a byte is written to the FIFO `release` there. Lets a test stop the service or kill this
    worker at a known moment in a request, without guessing at timings."""
    if not folder:
        return
    try:
        os.rename(os.path.join(folder, "hold"), os.path.join(folder, f"held-{os.getpid()}"))
    except FileNotFoundError:
        return
    with open(os.path.join(folder, "release"), "rb") as fifo:
        fifo.read(1)
