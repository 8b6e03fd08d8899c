"""Mutated content files and patient lists: always a located answer, never a traceback, a hang or a leak.

A seeded, bounded sample (Hypothesis, derandomized) of the mutations in
tests/fuzzing.py; `python benchmarks/fuzz.py --cases 1000` runs thousands.
Nothing here renders: content goes through `--list` (load and validate),
patient lists through `discharge` with rendering replaced by a stand-in.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import (
    CONTENT,
    CONTENT_MUTATIONS,
    PATIENT_MUTATIONS,
    PATIENTS,
    SECRET,
    Outcome,
    apply,
    content_unlocated,
    leaks,
    patient_unlocated,
    run_content_case,
    run_patient_case,
)

BOUNDED = settings(
    max_examples=50,
    deadline=datetime.timedelta(seconds=5),  # a case that takes longer is a hang to this test
    derandomize=True,  # the same cases on every run and machine
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def cases(mutations: dict[str, object]) -> st.SearchStrategy[list[tuple[str, int]]]:
    """One to four (mutation, seed) pairs."""
    return st.lists(st.tuples(st.sampled_from(sorted(mutations)), st.integers(0, 2**32 - 1)), min_size=1, max_size=4)


@pytest.mark.pdf
@BOUNDED
@given(case=cases(CONTENT_MUTATIONS))
def test_a_mutated_content_file_gets_a_located_answer(case: list[tuple[str, int]]) -> None:
    text = apply(CONTENT.read_text(encoding="utf-8"), case, CONTENT_MUTATIONS)
    with tempfile.TemporaryDirectory(prefix="leaflets-fuzz-") as folder:
        outcome = run_content_case(text, Path(folder))
    assert outcome.code in (0, 1), outcome.stderr
    assert outcome.unlocated == []
    assert not outcome.traceback and not outcome.unexpected, outcome.stderr


@pytest.mark.pdf
@BOUNDED
@given(case=cases(PATIENT_MUTATIONS))
def test_a_mutated_patient_list_gets_a_located_answer_and_no_patient_value(case: list[tuple[str, int]]) -> None:
    text = apply(PATIENTS.read_text(encoding="utf-8"), case, PATIENT_MUTATIONS)
    with tempfile.TemporaryDirectory(prefix="leaflets-fuzz-") as folder:
        outcome = run_patient_case(text, Path(folder))
    assert outcome.code in (0, 1, 4), outcome.stderr
    assert outcome.unlocated == []
    assert outcome.leaks == []
    assert not outcome.traceback and not outcome.unexpected, outcome.stderr


def test_the_judge_sees_tracebacks_unlocated_errors_and_leaks(tmp_path: Path) -> None:
    """The checks above can fail: what they look for is found when it is there."""
    path = tmp_path / "content.yaml"
    assert content_unlocated("Error: unexpected failure (ValueError). Run again with --debug", path) != []
    assert content_unlocated(f"Error: 1 problem in the content:\n  {path}: something", path) != []
    assert content_unlocated(f"Error: 1 problem in the content:\n  {path}:3:1: brand: is wrong", path) == []
    assert patient_unlocated("Error: unexpected failure (Error). Run again with --debug") != []
    assert patient_unlocated("list.csv: row 7, column note: is longer than 400 characters") == []
    assert leaks(f"list.csv: row 2: {SECRET} is wrong") == [SECRET]
    assert Outcome(3, "", "Traceback (most recent call last):", 0.0).traceback
