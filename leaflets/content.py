"""Stage 1: read `content.yaml`, check it against the schema, report problems.

Every problem is collected and reported at once as
`content.yaml:LINE:COL: path.to.field: what is wrong`, in words a
practice manager can act on.
"""

from __future__ import annotations

import difflib
import os
import typing
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ContentError, Problem
from .schema import Content

FieldPath = tuple[str | int, ...]

# Hints for text that does not match a required pattern, by field name.
PATTERN_HINTS = {
    "id": "use lower-case letters, digits and hyphens only, like scar-tissue",
    "leaflet": "use the id of a cause leaflet, like scar-tissue",
    "language": "use a short lower-case language code, like en",
    "booking_url": "must be a full web address starting with https://",
    "email": "is not an email address",
    "reference": "use letters, digits and hyphens only, like EXS-FBSS-001",
}


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to here when it can be."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


def load(path: Path, languages: Collection[str], raw: bytes | None = None) -> Content:
    """Read, parse and validate a content file; raise ContentError listing every problem.

    `raw`, if given, is the file's bytes as the caller already read them: exactly these are parsed.
    """
    shown = display_path(path)
    node, data = _parse(path, shown, raw)
    marks = _Marks(shown)
    problems = marks.walk(node)
    if not isinstance(data, dict):
        raise ContentError([marks.at((), "(top level)", "expected fields such as brand: and condition:")])
    try:
        content = Content.model_validate(data, context={"base_dir": path.parent, "languages": languages})
    except ValidationError as error:
        problems += [_explain(e, marks) for e in error.errors()]
        raise ContentError(sorted(problems, key=lambda p: (p.line, p.column))) from None
    problems += [marks.at(where, _dotted(where), why) for where, why in _cross_checks(content)]
    if problems:
        raise ContentError(sorted(problems, key=lambda p: (p.line, p.column)))
    return content


def _parse(path: Path, shown: str, raw: bytes | None = None) -> tuple[yaml.Node, Any]:
    """Parse YAML, keeping the node tree for line numbers."""
    try:
        raw = path.read_bytes() if raw is None else raw
    except OSError as error:
        raise ContentError([Problem(shown, 1, 1, "(file)", f"cannot read it: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = "this is not UTF-8 text; save the file as UTF-8"
        raise ContentError([Problem(shown, line, column, "(file)", message)]) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ContentError([Problem(shown, 1, 1, "(file)", "the file is empty")])
        return node, loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax: {error.problem or error.context}; check the indentation and colons here"
        raise ContentError([Problem(shown, line, column, "(syntax)", message)]) from None
    finally:
        loader.dispose()


class _Marks:
    """Where each field sits in the file, and duplicate keys found on the way."""

    def __init__(self, shown: str):
        self.shown = shown
        self.values: dict[FieldPath, yaml.Mark] = {}
        self.keys: dict[FieldPath, yaml.Mark] = {}

    def walk(self, node: yaml.Node, path: FieldPath = ()) -> list[Problem]:
        """Record positions below `node`; return a problem for each repeated key."""
        self.values[path] = node.start_mark
        problems = []
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*path, key_node.value)
                if child in self.keys:
                    message = "this field appears twice; the second one would replace the first"
                    problems.append(self._problem(key_node.start_mark, _dotted(child), message))
                self.keys[child] = key_node.start_mark
                problems += self.walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                problems += self.walk(item, (*path, index))
        return problems

    def at(self, path: FieldPath, field: str, message: str) -> Problem:
        """A problem at the key of `path` (or its list item), else at the nearest enclosing field."""
        while path not in self.values and path:
            path = path[:-1]
        return self._problem(self.keys.get(path) or self.values[path], field, message)

    def _problem(self, mark: yaml.Mark, field: str, message: str) -> Problem:
        return Problem(self.shown, mark.line + 1, mark.column + 1, field, message)


def _explain(error: Any, marks: _Marks) -> Problem:
    """Turn one pydantic error into a sentence at the right line."""
    path: FieldPath = tuple(error["loc"])
    field = _dotted(path)
    if error["type"] == "missing":
        return marks.at(path[:-1], field, "this field is missing; it is required")
    if error["type"] == "extra_forbidden":
        return marks.at(path, field, _unknown_field(path))
    return marks.at(path, field, _message(error, path))


def _message(error: Any, path: FieldPath) -> str:
    value, ctx = error.get("input"), error.get("ctx") or {}
    match error["type"]:
        case "string_type":
            return f"expected text, got {_describe(value)}{_quote_hint(value)}"
        case "string_too_short":
            return "is empty; write some text here"
        case "too_short":
            return f"needs at least {ctx.get('min_length')} item{'s' if ctx.get('min_length') != 1 else ''}"
        case "too_long":
            return f"may have at most {ctx.get('max_length')} items"
        case "float_type":
            return f"expected a number, got {_describe(value)}"
        case "less_than_equal":
            return f"must be {ctx.get('le')} or less, got {value!r}"
        case "list_type":
            return f"expected a list (lines starting with '- '), got {_describe(value)}"
        case "model_type":
            return f"expected a group of fields, got {_describe(value)}"
        case "date_type":
            return f"expected a date written as YEAR-MONTH-DAY, like 2027-11-02, got {value!r}"
        case "literal_error":
            return f"must be one of {ctx.get('expected')}, got {value!r}"
        case "string_pattern_mismatch":
            name = next((p for p in reversed(path) if isinstance(p, str)), "")
            return f"{PATTERN_HINTS.get(name, 'is not in the expected form')} (got {value!r})"
        case "string_too_long":
            return f"is too long (at most {ctx.get('max_length')} characters)"
        case "int_type":
            return f"expected a whole number, got {_describe(value)}"
        case "greater_than_equal":
            return f"must be {ctx.get('ge')} or more, got {value!r}"
        case "value_error":
            return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _unknown_field(path: FieldPath) -> str:
    allowed = sorted(_model_at(path[:-1]).model_fields)
    close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown field; {hint}allowed here: {', '.join(allowed)}"


def _model_at(path: FieldPath) -> type[BaseModel]:
    """The schema model that describes the mapping at `path`."""
    model: type[BaseModel] = Content
    for part in path:
        if isinstance(part, int):
            continue
        model = _inner_model(model.model_fields[part].annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        try:
            return _inner_model(arg)
        except LookupError:
            continue
    raise LookupError(annotation)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


def _quote_hint(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'; put it in quotes, like "{value}"'
    return ""


def _dotted(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "(top level)"


def _cross_checks(content: Content) -> Iterator[tuple[FieldPath, str]]:
    """Rules that span several fields, checked once each field is valid."""
    if content.governance.review_by <= content.governance.published:
        yield ("governance", "review_by"), "must be later than the published date"
    ids = [leaflet.id for leaflet in content.cause_leaflets]
    for index, leaflet_id in enumerate(ids):
        if leaflet_id in ids[:index]:
            yield ("cause_leaflets", index, "id"), f"{leaflet_id!r} is already used by another cause leaflet"
    for index, cause in enumerate(content.causes):
        if cause.leaflet is not None and cause.leaflet not in ids:
            yield (
                ("causes", index, "leaflet"),
                f"no cause leaflet has the id {cause.leaflet!r} (known: {', '.join(ids)})",
            )
    terms = [entry.term.lower() for entry in content.glossary]
    for index, term in enumerate(terms):
        if term in terms[:index]:
            yield ("glossary", index, "term"), f"{content.glossary[index].term!r} is already in the glossary"
