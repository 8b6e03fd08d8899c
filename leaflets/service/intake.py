"""A handout request's body, read within the limits and checked as a row of the patient list is.

The body is at most REQUEST_BODY bytes, read within the request's time; it must be UTF-8 JSON with no key
given twice. A patient sent as JSON has the list's columns as fields (patients.py: REQUIRED, OPTIONAL),
`leaflets` as a list of names; each field is held to the same rules and limits as a cell of the list,
and each problem points at its field. A FHIR Bundle is mapped to the same columns (bundle.py) first.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request

from leaflets.content.limits import CELL, NOTE, REQUEST_BODY
from leaflets.discharge.patients import COLUMNS, REQUIRED, Patient, check_record
from leaflets.service.problems import Problem, RequestError, bad_request, invalid, pointer

#: Where each column came from: a JSON pointer into the body, or `?name` for a query parameter.
Sources = dict[str, str]


class _Refused(ValueError):
    """JSON that Python would read but that is not plain JSON: a key given twice in one object (which one
    counts is up to the reader), or NaN and Infinity."""


async def read_body(request: Request, seconds: float) -> bytes:
    """The body, refused (413) past REQUEST_BODY bytes, and (408) if it has not all come within `seconds`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > REQUEST_BODY.value:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > REQUEST_BODY.value:
                    raise _too_large()
                chunks.append(chunk)
    except TimeoutError:
        raise RequestError(408, "The request's body did not arrive in time.") from None
    return b"".join(chunks)


def _too_large() -> RequestError:
    problem = Problem(f"the body is larger than {REQUEST_BODY}; a handout request needs far less", "")
    return RequestError(413, "The request is too large.", [problem])


def parse_json(body: bytes) -> Any:
    """The body as JSON; 400 naming the line and column of what cannot be read (never the text there)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad_request(f"the body is not UTF-8 text (byte {error.start + 1})") from None
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise bad_request(f"the body is not JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    except _Refused as error:
        raise bad_request(str(error)) from None
    except RecursionError:
        raise bad_request("the body is nested too deeply to be a handout request") from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise _Refused("an object in the body gives the same key twice; give each field once")
    return value


def _constant(name: str) -> None:
    raise _Refused("the body holds NaN or Infinity, which are not JSON numbers")


def record_cells(body: Any, leaflet_ids: Sequence[str]) -> tuple[dict[str, str], Sources]:
    """A patient sent as JSON: its fields as the list's cells, and each field's pointer."""
    if not isinstance(body, dict):
        raise bad_request(f"the body must be a JSON object with the fields: {', '.join(COLUMNS)}")
    problems = []
    if any(key not in COLUMNS for key in body):  # the key itself is not repeated: it could be anything
        problems.append(Problem(f"has a field that is not one of: {', '.join(COLUMNS)}", ""))
    cells: dict[str, str] = {}
    for name in COLUMNS:
        if name not in body:
            if name in REQUIRED:
                problems.append(Problem("is required", pointer(name)))
        elif name == "leaflets":
            found = leaflet_problems(body[name], leaflet_ids)
            problems += found
            cells[name] = "" if found else ";".join(body[name])
        elif isinstance(body[name], str):
            cells[name] = body[name]
        else:
            problems.append(Problem("must be text (a JSON string)", pointer(name)))
    if problems:
        raise invalid(problems)
    return cells, {name: pointer(name) for name in cells}


def leaflet_problems(value: Any, leaflet_ids: Sequence[str]) -> list[Problem]:
    """The `leaflets` field: a list of one or more names of cause leaflets."""
    choose = f"choose from: {', '.join(leaflet_ids)}"
    if not isinstance(value, list) or not value:
        return [Problem(f"must be a list of one or more leaflet names; {choose}", pointer("leaflets"))]
    return [
        Problem(f"is not a leaflet name; {choose}", pointer("leaflets", index))
        for index, name in enumerate(value)
        if not isinstance(name, str) or name not in leaflet_ids
    ]


def checked(cells: dict[str, str], sources: Sources, leaflet_ids: Sequence[str], languages: Sequence[str]) -> Patient:
    """The patient, checked as a row of the list (limits, dates, times, characters); 422 with each problem
    pointing at the field it came from."""
    patient, problems = check_record(cells, leaflet_ids, languages)
    if patient is None:
        raise invalid([located(problem.message, sources.get(problem.column, "")) for problem in problems])
    return patient


def located(detail: str, source: str) -> Problem:
    """A problem at a source: a pointer into the body, or (`?name`) a query parameter."""
    if source.startswith("?"):
        return Problem(detail, None, source[1:])
    return Problem(detail, source)


#: What each field of a patient sent as JSON holds (the OpenAPI schema's words).
FIELDS = {
    "record_id": "the record number: letters, digits and hyphens, at most 40",
    "patient_name": "as printed on the handout",
    "procedure": "the procedure, as printed",
    "procedure_date": "YEAR-MONTH-DAY",
    "clinician": "as printed",
    "followup_date": "YEAR-MONTH-DAY",
    "followup_time": "HOUR:MINUTE, 24-hour clock",
    "followup_place": "where the follow-up appointment is",
    "note": "optional: a short note from the care team",
    "language": "optional: the handout's language code; default: the content's own",
}
#: A made-up patient: the schema's example (and docs/service.md's).
EXAMPLE = {
    "record_id": "EXS-0001",
    "patient_name": "Alex Testperson",
    "procedure": "Lumbar laminectomy",
    "procedure_date": "2026-11-20",
    "clinician": "Dr Sam Example",
    "followup_date": "2026-12-09",
    "followup_time": "14:30",
    "followup_place": "Clinic 3 (ground floor)",
    "leaflets": ["scar-tissue", "rehabilitation"],
    "note": "Walk a little more each day as we discussed.",
}


def record_schema(leaflet_ids: Sequence[str], languages: Sequence[str]) -> dict[str, Any]:
    """The JSON Schema of a patient sent as JSON, for the OpenAPI description (the checks are record_cells')."""
    properties: dict[str, Any] = {
        name: {"type": "string", "maxLength": (NOTE if name == "note" else CELL).value, "description": words}
        for name, words in FIELDS.items()
    }
    properties["language"]["enum"] = list(languages)
    properties["leaflets"] = {"type": "array", "minItems": 1, "items": {"enum": list(leaflet_ids)}}
    return {
        "type": "object",
        "properties": properties,
        "required": list(REQUIRED),
        "additionalProperties": False,
        "example": EXAMPLE,
    }
