"""Around every call: errors as problem details, one audit line, and no traceback that could quote a value.

An exception nobody expected is answered with a plain 500 and logged by its kind alone (its message could
quote a value), never with the traceback the server would print.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leaflets.service.access import Audit
from leaflets.service.problems import Problem, RequestError

log = logging.getLogger("leaflets.service")

#: The routes whose calls are audited (the health checks and the API's own docs are not).
AUDITED = {"/leaflets", "/leaflets/{leaflet_id}", "/handouts"}


async def problem(request: Request, error: RequestError) -> Response:
    """A RequestError as its response; its title goes into the audit line (it never holds a value)."""
    audit_entry(request)["problem"] = error.title
    return error.response()


async def invalid_parameters(request: Request, error: RequestValidationError) -> Response:
    """A query parameter FastAPI refused: its name and pydantic's words for the rule (never the value)."""
    problems = [Problem(str(e.get("msg", "is not valid")), None, str(e["loc"][-1])) for e in error.errors()]
    return await problem(request, RequestError(400, "A query parameter is not valid.", problems))


async def http_error(request: Request, error: HTTPException) -> Response:
    """The router's own errors (no such route, method not allowed) as problem details."""
    headers = dict(error.headers or {})
    return await problem(request, RequestError(error.status_code, str(error.detail), headers=headers))


def audit_entry(request: Request) -> dict[str, Any]:
    """What this request's audit line will say beyond the route and status (filled in by the routes)."""
    entry: dict[str, Any] = request.scope.setdefault("state", {}).setdefault("audit", {})
    return entry


class Guard:
    """Outermost middleware: one audit line per audited call, `nosniff` on every response, and an unexpected
    exception turned into a plain 500 with its kind logged (never its message or traceback)."""

    def __init__(self, app: ASGIApp, audit: Audit):
        self.app = app
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status, sent = time.perf_counter(), [500], [False]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0], sent[0] = message["status"], True
                message["headers"] = [*message.get("headers", []), (b"x-content-type-options", b"nosniff")]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            route = getattr(scope.get("route"), "path", None)
            log.error("%s %s: unexpected failure (%s)", scope["method"], route, type(error).__name__)
            if not sent[0]:
                await RequestError(500, "Unexpected failure.").response()(scope, receive, sending)
        finally:
            self._audit(scope, status[0], started)

    def _audit(self, scope: Scope, status: int, started: float) -> None:
        route = getattr(scope.get("route"), "path", None)
        if route is not None and route not in AUDITED:
            return
        entry = scope.get("state", {}).get("audit", {})
        milliseconds = round((time.perf_counter() - started) * 1000)
        self.audit.write(caller=entry.pop("caller", None), method=scope["method"], route=route, status=status,
                         ms=milliseconds, **entry)  # fmt: skip
