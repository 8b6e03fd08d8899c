"""What changed in the words: each field of the content whose value differs, marked up word by word.

Fields are compared as the content holds them (`Content.model_dump`), so a default written out or left out is
the same value. Lists are lined up first (difflib), so a paragraph put in or taken out is one field added or
taken out, not every later paragraph changed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from leaflets.content.yamltree import FieldPath, dotted

SAME, DELETED, INSERTED = "same", "del", "ins"
#: What the summary shows of a longer text.
BRIEF = 70


@dataclass(frozen=True)
class Words:
    """A run of words of a changed field: the same in both versions, taken out, or put in."""

    kind: str  # SAME, DELETED or INSERTED
    text: str


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs between the earlier content and the new one."""

    path: FieldPath  # where it is in the new content (in the earlier one, for a field taken out)
    old: str | None  # None: the field is new
    new: str | None  # None: the field was taken out
    # What to replace in the earlier content's data, and with which part of the new, to make this change alone:
    # the field itself, or the list it was put into or taken out of.
    unit_old: FieldPath = ()
    unit_new: FieldPath = ()

    @property
    def where(self) -> str:
        """The field's dotted path, as messages name fields: `cause_leaflets[2].sections[0].paragraphs[1]`."""
        return dotted(self.path)

    def words(self) -> list[Words]:
        """The field's words in order, each run marked as the same, taken out or put in."""
        return word_diff(self.old or "", self.new or "")

    def in_brief(self) -> str:
        """The change in one line: '"stick" -> "cling"', 'added "gently"', 'new: "..."'."""
        if self.old is None:
            return f"new: {_quoted(self.new or '')}"
        if self.new is None:
            return f"taken out: {_quoted(self.old)}"
        parts, runs = [], self.words()
        for index, run in enumerate(runs):
            following = runs[index + 1] if index + 1 < len(runs) else None
            if run.kind == DELETED and following and following.kind == INSERTED:
                parts.append(f"{_quoted(run.text)} -> {_quoted(following.text)}")
            elif run.kind == DELETED:
                parts.append(f"taken out {_quoted(run.text)}")
            elif run.kind == INSERTED and not (index and runs[index - 1].kind == DELETED):
                parts.append(f"added {_quoted(run.text)}")
        return "; ".join(parts) or "spaces only"


def _quoted(text: str) -> str:
    return f'"{text}"' if len(text) <= BRIEF else f'"{text[: BRIEF - 1]}…"'


def word_diff(old: str, new: str) -> list[Words]:
    """`old` and `new` compared word by word (difflib on the words): runs of words kept, taken out, put in."""
    before, after = old.split(), new.split()
    runs: list[Words] = []

    def add(kind: str, words: list[str]) -> None:
        if words:
            runs.append(Words(kind, " ".join(words)))

    for op, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            add(SAME, before[i1:i2])
        else:
            add(DELETED, before[i1:i2])
            add(INSERTED, after[j1:j2])
    return runs


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Every field that differs between two contents' data (`model_dump(mode="json")`), in the content's order."""
    return list(_walk(old, new, (), ()))


def _walk(old: Any, new: Any, at_old: FieldPath, at_new: FieldPath) -> Iterator[FieldChange]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(key for key in new if key not in old)]:
            yield from _walk(old.get(key), new.get(key), (*at_old, key), (*at_new, key))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _lists(old, new, at_old, at_new)
    elif old != new:
        yield from _replaced(old, new, at_old, at_new, at_old, at_new)


def _lists(old: list[Any], new: list[Any], at_old: FieldPath, at_new: FieldPath) -> Iterator[FieldChange]:
    """Two lists lined up: items edited in place are compared field by field, the others are new or taken out."""
    if len(old) == len(new):
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            yield from _walk(before, after, (*at_old, index), (*at_new, index))
        return
    keys = [json.dumps(item, sort_keys=True) for item in old], [json.dumps(item, sort_keys=True) for item in new]
    for op, i1, i2, j1, j2 in SequenceMatcher(None, *keys, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        for i, j in _paired(keys[0][i1:i2], keys[1][j1:j2]):
            if i is None and j is not None:
                yield from _replaced(None, new[j1 + j], at_old, (*at_new, j1 + j), at_old, at_new)
            elif j is None and i is not None:
                yield from _replaced(old[i1 + i], None, (*at_old, i1 + i), at_new, at_old, at_new)
            elif i is not None and j is not None:
                yield from _walk(old[i1 + i], new[j1 + j], (*at_old, i1 + i), (*at_new, j1 + j))


def _paired(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Items of two runs that differ, lined up: each item of the shorter run with the most alike of the longer one
    (in order); the others are new (None, j) or taken out (i, None). In the order of the longer run."""
    swap = len(old) > len(new)
    short, long = (new, old) if swap else (old, new)
    chosen: list[int] = []
    start = 0
    for index, item in enumerate(short):
        last = len(long) - (len(short) - index)  # leave one for each item still to place
        alike = [SequenceMatcher(None, item, long[k], autojunk=False).ratio() for k in range(start, last + 1)]
        start += alike.index(max(alike))
        chosen.append(start)
        start += 1
    partner = {k: index for index, k in enumerate(chosen)}
    pairs: list[tuple[int | None, int | None]] = [(partner.get(k), k) for k in range(len(long))]
    return [(j, i) for i, j in pairs] if swap else pairs


def _replaced(
    old: Any, new: Any, at_old: FieldPath, at_new: FieldPath, unit_old: FieldPath, unit_new: FieldPath
) -> Iterator[FieldChange]:
    """A value that differs as a whole: each of its fields taken out, then each put in (a single text: changed)."""
    if not isinstance(old, (dict, list)) and not isinstance(new, (dict, list)) and None not in (old, new):
        yield FieldChange(at_new, _text(old), _text(new), unit_old, unit_new)
        return
    for path, text in _leaves(old, at_old):
        yield FieldChange(path, text, None, unit_old, unit_new)
    for path, text in _leaves(new, at_new):
        yield FieldChange(path, None, text, unit_old, unit_new)


def _leaves(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    elif value is not None:
        yield path, _text(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def with_change(old: dict[str, Any], new: dict[str, Any], change: FieldChange) -> dict[str, Any]:
    """The earlier content's data with this one change made (the new value of its unit put in its place)."""
    data = copy.deepcopy(old)
    *parents, last = change.unit_old
    container: Any = data
    for part in parents:
        container = container[part]
    value = _get(new, change.unit_new)
    if value is _MISSING:
        del container[last]
    else:
        container[last] = copy.deepcopy(value)
    return data


_MISSING = object()


def _get(data: Any, path: FieldPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data
