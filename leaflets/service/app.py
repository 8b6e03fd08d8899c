"""The web application: the routes and who may call them (guard.py: errors and the audit line).

Nothing a caller sends is kept: a handout is made in a worker's memory, sent, and forgotten. No patient
value reaches a log line, a header, a file name or a temporary file; the audit line names the record by
a keyed hash.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from leaflets import __version__
from leaflets.content.limits import REQUEST_SECONDS
from leaflets.discharge.patients import RECORD_ID, Patient
from leaflets.service import guard, intake
from leaflets.service.access import Audit, Token, caller
from leaflets.service.bundle import from_bundle
from leaflets.service.catalogue import Catalogue, Changing, NotPublished
from leaflets.service.documentreference import Filing, document_reference, record_subject
from leaflets.service.problems import Problem, RequestError, bad_request, invalid
from leaflets.service.renderer import Busy, Failed, Handout, Renderer, Unprintable

log = logging.getLogger("leaflets.service")

PDF = "application/pdf"
FHIR_JSON = "application/fhir+json"
RETRY_AFTER = {"Retry-After": "2"}
#: Reads `Authorization: Bearer TOKEN` (and declares it in the OpenAPI description); _authenticated checks it.
BEARER = HTTPBearer(auto_error=False, description="a TOKEN of the token file's NAME:TOKEN lines")


@dataclass(frozen=True)
class Language:
    """One language the handouts are written in: its tag, content version and clinic (for the reply)."""

    tag: str
    content_version: str
    clinic: str


@dataclass
class Service:
    """Everything the routes use."""

    renderer: Renderer
    catalogue: Catalogue
    tokens: list[Token]
    audit: Audit
    leaflets: tuple[str, ...]  # the cause leaflets a handout may print
    languages: dict[str, Language]  # by language code, the content's own first


def create_app(service: Service) -> FastAPI:
    """The application, its workers started and ended with it."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.renderer.start()
        try:
            yield
        finally:
            await service.renderer.close()

    app: FastAPI = FastAPIOffline(
        title="Patient leaflets: handout service",
        version=__version__,
        description="Approved leaflets and personalised discharge handouts, as PDF or FHIR R4. See docs/service.md.",
        redoc_url=None,
        lifespan=lifespan,
    )
    # Starlette types a handler as taking any Exception; each of these takes the class it is registered for.
    app.add_exception_handler(RequestError, guard.problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, guard.invalid_parameters)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, guard.http_error)  # type: ignore[arg-type]
    app.add_middleware(guard.Guard, audit=service.audit)
    _health_routes(app, service)
    _leaflet_routes(app, service)
    _handout_route(app, service)
    return app


def _health_routes(app: FastAPI, service: Service) -> None:
    @app.get("/healthz", tags=["health"], summary="The process answers (for a load balancer's liveness check)")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="The workers are warm: 200, else 503")
    async def readyz() -> dict[str, str]:
        if not service.renderer.ready:
            raise RequestError(503, "The workers are not ready (warming up, or being replaced).", headers=RETRY_AFTER)
        return {"status": "ready"}


def _authenticated(service: Service) -> Any:
    """A dependency: the caller's name, from a bearer token the service knows; 401 otherwise."""

    async def authenticated(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
    ) -> str:
        name = caller(service.tokens, f"Bearer {credentials.credentials}" if credentials else None)
        guard.audit_entry(request)["caller"] = name
        if name is None:
            problem = Problem("send Authorization: Bearer TOKEN, a token the service knows", None, "Authorization")
            raise RequestError(401, "A valid bearer token is needed.", [problem], {"WWW-Authenticate": "Bearer"})
        return name

    return Depends(authenticated)


def _leaflet_routes(app: FastAPI, service: Service) -> None:
    caller_name = _authenticated(service)

    @app.get("/leaflets", tags=["leaflets"], summary="The approved leaflets, as published with their checksums")
    async def leaflets(request: Request, name: str = caller_name) -> JSONResponse:
        return JSONResponse(service.catalogue.listing(), headers={"Cache-Control": "no-cache"})

    @app.get(
        "/leaflets/{leaflet_id}",
        tags=["leaflets"],
        summary="One approved leaflet's published PDF (ETag: its sha256; If-None-Match gives 304)",
        response_class=Response,
        responses={200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}, 304: {}},
    )
    async def leaflet(
        request: Request,
        leaflet_id: str,
        language: str | None = Query(None, max_length=35, description="default: the content's own language"),
        paper: str | None = Query(None, max_length=20, description="default: the paper it is published on"),
        edition: str | None = Query(None, max_length=40, description="standard (default), large-print, print-shop"),
        name: str = caller_name,
    ) -> Response:
        try:
            published = service.catalogue.find(leaflet_id, language, paper, edition)
            data = service.catalogue.read(published)
        except NotPublished as missing:
            problem = Problem(str(missing), None, missing.parameter or "leaflet_id")
            raise RequestError(404, "No such leaflet is published.", [problem]) from None
        except Changing:
            raise RequestError(503, "A new set of leaflets is being published.", headers=RETRY_AFTER) from None
        guard.audit_entry(request).update(
            leaflets=[published.leaflet], content_version=published.content_version, sha256=published.sha256
        )
        etag = f'"{published.sha256}"'
        disposition = f'inline; filename="{published.file}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", "Content-Disposition": disposition}
        if _matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=PDF, headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (weakly compared, as RFC 9110 says for GET), or is *."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return etag in tags or "*" in tags


def _handout_route(app: FastAPI, service: Service) -> None:
    caller_name = _authenticated(service)
    content = {"application/json": {"schema": intake.record_schema(service.leaflets, list(service.languages))}}
    content[FHIR_JSON] = {"schema": {"type": "object", "description": "a FHIR R4 Bundle (docs/service.md, 'FHIR')"}}

    @app.post(
        "/handouts",
        tags=["handouts"],
        summary="One patient's discharge handout: PDF, or a FHIR DocumentReference with Accept: application/fhir+json",
        response_class=Response,
        responses={200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}, FHIR_JSON: {}}}},
        openapi_extra={"requestBody": {"required": True, "content": content}},
    )
    async def handouts(
        request: Request,
        leaflets: str | None = Query(None, max_length=1000, description="for a Bundle: the leaflet names, a,b"),
        language: str | None = Query(None, max_length=35, description="for a Bundle: overrides the Patient's"),
        document_type: Literal["instructions", "education"] = Query(
            "instructions", alias="type", description="the DocumentReference's type: LOINC 69730-0 or 34895-3"
        ),
        variant_of: str | None = Query(
            None, pattern=r"^DocumentReference/[A-Za-z0-9\-.]{1,64}$", description="relatesTo: transforms this"
        ),
        name: str = caller_name,
    ) -> Response:
        deadline = asyncio.get_running_loop().time() + REQUEST_SECONDS.value
        body = await _json_body(request, deadline)
        entry = guard.audit_entry(request)
        patient, sources, subject, encounter = _patient(service, body, leaflets, language, entry)
        chosen = service.languages[patient.language or next(iter(service.languages))]
        entry.update(
            leaflets=list(patient.leaflets),
            content_version=chosen.content_version,
            language=chosen.tag,
        )
        handout = await _render(service, patient, sources, deadline)
        entry.update(sha256=hashlib.sha256(handout.data).hexdigest(), pages=handout.pages)
        if FHIR_JSON not in request.headers.get("accept", ""):
            headers = {"Cache-Control": "no-store", "Content-Disposition": 'inline; filename="handout.pdf"'}
            return Response(handout.data, media_type=PDF, headers=headers)
        filing = Filing(subject, encounter, chosen.clinic, chosen.tag, document_type, variant_of)
        resource = document_reference(handout, filing, datetime.datetime.now(datetime.UTC))
        return JSONResponse(resource, media_type=FHIR_JSON, headers={"Cache-Control": "no-store"})


async def _json_body(request: Request, deadline: float) -> Any:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/json", FHIR_JSON):
        problem = Problem("send application/json (a patient) or application/fhir+json (a Bundle)", None, "Content-Type")
        raise RequestError(415, "The body must be JSON.", [problem])
    seconds = deadline - asyncio.get_running_loop().time()
    return intake.parse_json(await intake.read_body(request, seconds))


Read = tuple[Patient, intake.Sources, dict[str, Any], str | None]


def _patient(service: Service, body: Any, leaflets: str | None, language: str | None, entry: dict[str, Any]) -> Read:
    """The request's patient, checked: (patient, sources, FHIR subject, encounter reference). Its record id goes
    into the audit `entry` (keyed hash) as soon as it is read, so a refused request is found by it too."""
    if isinstance(body, dict) and body.get("resourceType") == "Bundle":
        return _from_bundle(service, body, leaflets, language, entry)
    for given, parameter in ((leaflets, "leaflets"), (language, "language")):
        if given is not None:
            detail = f"is for a FHIR Bundle; a patient sent as JSON gives its {parameter} in the body"
            raise bad_request(detail, None, parameter)
    cells, sources = intake.record_cells(body, service.leaflets)
    _audit_record(service, entry, cells)
    patient = intake.checked(cells, sources, service.leaflets, list(service.languages))
    return patient, sources, record_subject(patient.record_id), None


def _from_bundle(
    service: Service, bundle: dict[str, Any], leaflets: str | None, language: str | None, entry: dict[str, Any]
) -> Read:
    """A Bundle's patient, the leaflets from the query (FHIR has no element for them), ?language= over the
    Patient's."""
    if leaflets is None:
        raise invalid([Problem("is required with a Bundle: the leaflet names, separated by commas", None, "leaflets")])
    names = [n.strip() for n in leaflets.split(",")]
    found = intake.leaflet_problems(names, service.leaflets)
    if found:
        raise invalid([Problem(found[0].detail, None, "leaflets")])
    mapped = from_bundle(bundle)
    cells, sources = {**mapped.cells, "leaflets": ";".join(names)}, {**mapped.sources, "leaflets": "?leaflets"}
    if language is not None:
        cells["language"], sources["language"] = language, "?language"
    _audit_record(service, entry, cells)
    patient = intake.checked(cells, sources, service.leaflets, list(service.languages))
    return patient, sources, mapped.subject, mapped.encounter


def _audit_record(service: Service, entry: dict[str, Any], cells: dict[str, str]) -> None:
    record_id = cells.get("record_id", "").strip()
    if RECORD_ID.fullmatch(record_id):
        entry["record"] = service.audit.record(record_id)


async def _render(service: Service, patient: Patient, sources: intake.Sources, deadline: float) -> Handout:
    try:
        return await service.renderer.render(patient, deadline)
    except Busy as busy:
        raise RequestError(503, f"The service is busy: {busy}.", headers=RETRY_AFTER) from None
    except Unprintable as unprintable:
        raise invalid([intake.located(str(unprintable), sources.get(unprintable.column, ""))]) from None
    except Failed as failed:
        log.error("POST /handouts: 500: %s", failed)  # worded without patient values (renderer.Failed)
        raise RequestError(500, "The handout could not be made.", [Problem(str(failed))]) from None
