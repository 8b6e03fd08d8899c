"""Each edition's HTML is the golden copy in tests/golden/ (regenerate: python -m tests.golden)."""

from __future__ import annotations

import difflib

import pytest

from tests.golden import GOLDEN, pages

MADE = dict(pages())


def test_every_golden_page_is_still_made() -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.html")) == sorted(MADE), "run: python -m tests.golden"


@pytest.mark.parametrize("name", sorted(MADE))
def test_the_html_is_the_golden_copy(name: str) -> None:
    golden = (GOLDEN / name).read_text(encoding="utf-8")
    if MADE[name] != golden:
        diff = "".join(
            list(difflib.unified_diff(golden.splitlines(True), MADE[name].splitlines(True), "golden", "made"))[:60]
        )
        pytest.fail(f"{name} differs from tests/golden/ (intended? run: python -m tests.golden):\n{diff}")
