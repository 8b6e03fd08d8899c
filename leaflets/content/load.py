"""Stage 1: read `content.yaml`, check it against the schema, report problems.

Every problem is collected and reported at once as
`content.yaml:LINE:COL: path.to.field: what is wrong`, in words a
practice manager can act on.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from leaflets.content import yamltree
from leaflets.content.images import logo_problem, read_image
from leaflets.content.limits import BOOKING_URL, CONTENT_FILE
from leaflets.content.schema import Content
from leaflets.content.yamltree import FieldPath, dotted, shown
from leaflets.errors import ContentError, Problem

#: A host name as browsers open it: letters, digits and hyphens, in two or more parts.
HOST = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?", re.I)


def text_fields(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every text in plain data (e.g. `content.model_dump()`), with its field path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from text_fields(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from text_fields(item, (*path, index))


# Hints for text that does not match a required pattern, by field name.
PATTERN_HINTS = {
    "id": "use lower-case letters, digits and hyphens only, like scar-tissue",
    "leaflet": "use the id of a cause leaflet, like scar-tissue",
    "language": "use a language code, like en, or a language and region, like en-US",
    "booking_url": "must be a full web address starting with https://",
    "web_url": "must be a full web address of a folder, starting with https:// and ending with /",
    "email": "is not an email address",
    "reference": "use letters, digits and hyphens only, like EXS-FBSS-001",
}


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to here when it can be."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


#: Further checks on valid content, each giving (field path, what is wrong); located like every other problem.
ContentCheck = Callable[[Content], Iterable[tuple[FieldPath, str]]]


def load(
    path: Path,
    raw: bytes | None = None,
    checks: Sequence[ContentCheck] = (),
    advice: Sequence[ContentCheck] = (),
    notes: list[Problem] | None = None,
) -> Content:
    """Read, parse and validate a content file; raise ContentError listing every problem.

    `raw`, if given, is the file's bytes as the caller already read them (read_bytes): exactly these are parsed.
    `checks` find further problems (errors); `advice` finds what is worth a warning, located like a problem and
    appended to `notes`.
    """
    shown = display_path(path)
    node, raw_text = yamltree.parse(read_text(path, shown, raw), shown)
    marks = yamltree.Marks(shown, raw_text)
    problems = marks.walk(node)
    if marks.structural:  # keys that are not names: no values worth validating
        raise ContentError(_in_file_order(problems))
    try:
        data = yamltree.construct(node, shown)
    except ContentError as error:
        raise ContentError(_in_file_order(problems + error.problems)) from None
    if not isinstance(data, dict):
        raise ContentError([marks.at((), "(top level)", "expected fields such as brand: and condition:")])
    try:
        content = Content.model_validate(data, context={"base_dir": path.parent})
    except ValidationError as error:
        problems += [_explain(e, marks) for e in error.errors() if not marks.explained(tuple(e["loc"]))]
        raise ContentError(_in_file_order(problems)) from None
    found = [*_cross_checks(content, path.parent), *_read_figures(content, path.parent)]
    found += [item for check in checks for item in check(content)]
    problems += [marks.at(where, dotted(where), why) for where, why in found if not marks.explained(where)]
    if problems:
        raise ContentError(_in_file_order(problems))
    if notes is not None:
        advised = [marks.at(where, dotted(where), why) for check in advice for where, why in check(content)]
        notes += _in_file_order(advised)
    return content


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.column))


def read_bytes(path: Path) -> bytes:
    """The content file's bytes, read no further than one byte past the size limit."""
    shown = display_path(path)
    if path.exists() and not path.is_file():
        raise ContentError([Problem(shown, 1, 1, "(file)", "this is not a file (a folder, or a device?)")])
    try:
        with path.open("rb") as file:
            return file.read(CONTENT_FILE.value + 1)
    except OSError as error:
        raise ContentError([Problem(shown, 1, 1, "(file)", f"cannot read it: {error.strerror}")]) from None


def read_text(path: Path, shown: str, raw: bytes | None = None) -> str:
    """The file's text (from `raw` when the caller read it already), within the size limit."""
    raw = read_bytes(path) if raw is None else raw
    if len(raw) > CONTENT_FILE.value:
        message = f"the file is larger than {CONTENT_FILE}; content for a set of leaflets is far smaller"
        raise ContentError([Problem(shown, 1, 1, "(file)", message)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = "this is not UTF-8 text; save the file as UTF-8"
        raise ContentError([Problem(shown, line, column, "(file)", message)]) from None


def _explain(error: Any, marks: yamltree.Marks) -> Problem:
    """Turn one pydantic error into a sentence at the right line."""
    path: FieldPath = tuple(error["loc"])
    field = dotted(path)
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
            return f"must be {ctx.get('le')} or less, got {shown(value)}"
        case "list_type":
            return f"expected a list (lines starting with '- '), got {_describe(value)}"
        case "model_type":
            return f"expected a group of fields, got {_describe(value)}"
        case "date_type":
            got = shown(value) if isinstance(value, str) else _describe(value)
            return f"expected a date written as YEAR-MONTH-DAY, like 2027-11-02, got {got}"
        case "literal_error":
            return f"must be one of {ctx.get('expected')}, got {shown(value)}"
        case "string_pattern_mismatch":
            name = next((p for p in reversed(path) if isinstance(p, str)), "")
            return f"{PATTERN_HINTS.get(name, 'is not in the expected form')} (got {shown(value)})"
        case "string_too_long":
            return f"is too long (at most {ctx.get('max_length')} characters)"
        case "int_type":
            return f"expected a whole number, got {_describe(value)}"
        case "greater_than_equal":
            return f"must be {ctx.get('ge')} or more, got {shown(value)}"
        case "value_error":
            return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _unknown_field(path: FieldPath) -> str:
    try:
        allowed = sorted(_model_at(path[:-1]).model_fields)
    except LookupError:  # not inside a group of fields the schema knows: say what is wrong without a list
        return "unknown field"
    close = difflib.get_close_matches(str(path[-1])[:60], allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown field; {hint}allowed here: {', '.join(allowed)}"


def _model_at(path: FieldPath) -> type[BaseModel]:
    """The schema model that describes the mapping at `path`."""
    model: type[BaseModel] = Content
    for part in path:
        if isinstance(part, int):
            continue
        if part not in model.model_fields:
            raise LookupError(part)
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
        return f"a number ({shown(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    if value is None:
        return "nothing"
    if isinstance(value, datetime.datetime):
        return f"a date and time ({value}); write the date alone, like 2027-11-02"
    if isinstance(value, datetime.date):
        return f"a date ({value})"
    if isinstance(value, str):
        return f"the text {shown(value)}"
    return f"{type(value).__name__} {shown(value)}"


def _quote_hint(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'; put it in quotes, like "{shown(value, 20)}"'
    if isinstance(value, datetime.date):
        return f'; put it in quotes, like "{value}"'
    return ""


def _cross_checks(content: Content, base_dir: Path) -> Iterator[tuple[FieldPath, str]]:
    """Rules that span several fields, or look inside a file, checked once each field is valid."""
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
            yield ("glossary", index, "term"), f"{shown(content.glossary[index].term)} is already in the glossary"
    url = booking_url_problem(content.brand.booking_url)
    if url:
        yield ("brand", "booking_url"), url
    web = booking_url_problem(content.brand.web_url) if content.brand.web_url else None
    if web:
        yield ("brand", "web_url"), web
    logo = logo_problem(base_dir / content.brand.logo)
    if logo:
        yield ("brand", "logo"), logo


def _read_figures(content: Content, base_dir: Path) -> Iterator[tuple[FieldPath, str]]:
    """Read each figure's file once and check it as the logo is checked; keep the bytes with the content
    (`Content._images`), so the leaflets draw exactly what was checked, wherever they are made."""
    for where, figure in content.figures():
        if figure.file in content._images:
            continue  # a picture two sections share is read once
        data, problem = read_image(base_dir / figure.file, "figure")
        if problem:
            yield (*where, "file"), problem
        else:
            content._images[figure.file] = data


def booking_url_problem(url: str) -> str | None:
    """Why the booking address cannot be printed and put in a QR code as it is, or None.

    The printed address is made from the host (see render.booking_address), so
    the host must be one a browser would open: no `user@` part, no backslash.
    """
    size = len(url.encode())
    if size > BOOKING_URL.value:
        return (
            f"is {size} characters long; a QR code that phones can read at its printed size holds at most "
            f"{BOOKING_URL.value}: use a shorter address (your web team can make a short link)"
        )
    if "\\" in url:
        return "must not contain a backslash (\\); browsers read it as '/', so the link would go elsewhere"
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return (
            "has '@' before the first '/': what comes before '@' is not where the link goes; "
            "write the address without it"
        )
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii")
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except (UnicodeError, ValueError):
        return "the part after https:// is not a web address; check it in a browser"
    if not HOST.fullmatch(ascii_host):
        return "the part after https:// is not a web address (like www.example.org); check it in a browser"
    return None
