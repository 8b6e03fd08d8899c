"""The one seam between the service and the processes that render handouts: `Renderer`.

The web application (app.py) asks a Renderer for one patient's handout, and whether it is ready; nothing
else. pool.py's WorkerPool (with worker.py: workers of the project's worker runtime) is the implementation
today; another (machines of their own) takes its place by implementing these four methods and raising these
three errors. server.py is the one place that chooses the implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from leaflets.discharge.patients import Patient


@dataclass(frozen=True)
class Handout:
    """One patient's handout, checked (PDF/A-2a, PDF/UA-1), in memory only."""

    data: bytes
    pages: int
    title: str  # the PDF's title: the handout's heading and the condition, never a patient value


class Busy(Exception):
    """No worker is free and the queue is full, or none became free in time: try again later (503)."""


class Unprintable(Exception):
    """A value holds a character no embedded font prints; names the column, never the character (422)."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


class Failed(Exception):
    """The handout could not be made: a worker died or hung (it is replaced), or rendering failed (500).
    The message names what happened, never a patient value."""


class Renderer(Protocol):
    """Makes handouts in warm processes; started and closed by the service's lifespan."""

    @property
    def ready(self) -> bool:
        """True once the workers are warm (and while at least one is)."""
        ...

    async def start(self) -> None:
        """Begin warming the workers; returns at once (`ready` says when they are)."""
        ...

    async def render(self, patient: Patient, deadline: float) -> Handout:
        """The patient's handout; raises Busy if no worker is free by `deadline` (the event loop's clock), Unprintable,
        or Failed (also for a render that hangs: its worker is replaced)."""
        ...

    async def close(self) -> None:
        """End every worker (after the requests in flight are answered)."""
        ...
