"""MkDocs hook: each page's `<!-- generated: NAME -->` markers become tables made from the code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# The tables describe the code of this checkout, whichever copy of the package is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leaflets.reference import fill


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Fill in the generated tables (see leaflets/reference.py)."""
    return fill(markdown)
