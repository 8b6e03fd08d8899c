"""Imported once, by the worker runtime's server (processes.py) before it forks any worker: what making a leaflet
or a handout needs (WeasyPrint, the checks: pikepdf, PDFium), so every worker starts loaded.

A failure to load is left for the workers to meet: each loads again what it needs and fails as the command's own
process would, with the same error.
"""

from __future__ import annotations

import contextlib
import gc


def _load() -> None:
    import pypdfium2  # noqa: F401

    from leaflets.checks import pages  # noqa: F401
    from leaflets.discharge import handouts  # noqa: F401
    from leaflets.pipeline import gallery, plan, workers  # noqa: F401
    from leaflets.render import layout, pdf  # noqa: F401


gc.disable()  # loading makes many objects and little garbage: no collection meanwhile
with contextlib.suppress(Exception):
    _load()
gc.freeze()  # what is loaded stays: the workers' collections need not go through it again and again
gc.enable()
