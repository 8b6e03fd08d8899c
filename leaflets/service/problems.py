"""What the service answers when a request cannot be served: RFC 9457 problem details, never a value.

Each problem points at what it is about: a JSON pointer into the request body (RFC 6901, `/procedure_date`
or `/entry/2/resource/start`), or the name of a query parameter or header. The words say what is wrong and
how to put it right; they never repeat what the caller sent (a patient's details may be in it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request, and where."""

    detail: str
    pointer: str | None = None  # into the body
    parameter: str | None = None  # a query parameter or header

    def as_json(self) -> dict[str, str]:
        """The problem as the response lists it."""
        where = {"pointer": self.pointer} if self.pointer is not None else {}
        if self.parameter is not None:
            where["parameter"] = self.parameter
        return {**where, "detail": self.detail}


class RequestError(Exception):
    """Stops a request with `status` and its problems."""

    def __init__(
        self, status: int, title: str, problems: list[Problem] | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(title)
        self.status = status
        self.title = title
        self.problems = problems or []
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        """The problem-details response (never cached: it may be about a patient's request)."""
        body: dict[str, Any] = {"type": "about:blank", "title": self.title, "status": self.status}
        if self.problems:
            body["errors"] = [problem.as_json() for problem in self.problems]
        headers = {"Cache-Control": "no-store", **self.headers}
        return JSONResponse(body, status_code=self.status, headers=headers, media_type=PROBLEM_JSON)


def pointer(*parts: str | int) -> str:
    """A JSON pointer from its parts, escaped as RFC 6901 says."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def invalid(problems: list[Problem]) -> RequestError:
    """422: the request was read but its contents cannot make a handout."""
    return RequestError(422, "The request cannot make a handout; each error points at the field to fix.", problems)


def bad_request(detail: str, at: str | None = "", parameter: str | None = None) -> RequestError:
    """400: the request cannot be read (not JSON, not an object...)."""
    return RequestError(400, "The request cannot be read.", [Problem(detail, at, parameter)])
