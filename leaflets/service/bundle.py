"""FHIR R4 in: a Bundle read as one patient's row of the list (docs/service.md, 'FHIR').

Only the elements below are read, anything else in the Bundle is ignored; each problem points into the
Bundle at the element it came from.

- Patient (exactly one): record_id from the identifier whose type is MR (HL7 v2-0203), else the first;
  patient_name from the `official` name, else `usual`, else the first (its text, else given and family
  names); language from the preferred communication (the request's ?language= overrides it).
- Procedure (the first completed one, else the first): procedure from code (text, else the first
  coding's display), procedure_date from performedDateTime or performedPeriod.start. Without a
  Procedure, the first Encounter: its type, and period.start.
- Practitioner: the one the Procedure's performer (or the Encounter's participant) refers to, else the
  first: clinician from its name (text, else prefix, given and family names).
- Appointment (the first not cancelled, noshow or entered-in-error): followup_date and followup_time
  from start, as written (the clock time of its own time zone); followup_place from its Location
  participant (the Location's name, else the reference's display); note from patientInstruction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from leaflets.content.limits import BUNDLE_ENTRIES
from leaflets.service.intake import Sources
from leaflets.service.problems import Problem, bad_request, invalid

#: A FHIR resource id (R4: Resource.id).
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
PAST_APPOINTMENTS = {"cancelled", "noshow", "entered-in-error"}


@dataclass(frozen=True)
class Node:
    """A JSON value in the Bundle and its pointer."""

    value: Any
    at: str

    def get(self, key: str) -> Node | None:
        """The member `key` of an object, if present."""
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return None if value is None else Node(value, f"{self.at}/{key}")

    def items(self, key: str) -> list[Node]:
        """The elements of the array `key` (none if absent or not an array)."""
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return [Node(v, f"{self.at}/{key}/{i}") for i, v in enumerate(value)] if isinstance(value, list) else []

    def field(self, key: str) -> Any:
        """The plain value of member `key` (None if absent, or if this is not an object)."""
        return self.value.get(key) if isinstance(self.value, dict) else None

    def text(self, key: str) -> Node | None:
        """The member `key` if it is a non-empty string."""
        found = self.get(key)
        return found if found is not None and isinstance(found.value, str) and found.value.strip() else None


@dataclass(frozen=True)
class FromBundle:
    """A Bundle read as a row: the cells and where each came from; the Patient and Encounter for the reply."""

    cells: dict[str, str]
    sources: Sources
    subject: dict[str, Any]
    encounter: str | None


def from_bundle(body: Any) -> FromBundle:
    """Map a FHIR Bundle to the patient list's columns (all but `leaflets`), each with its pointer."""
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise bad_request("the body must be a FHIR Bundle (resourceType Bundle)")
    bundle = Node(body, "")
    entries = bundle.items("entry")
    if len(entries) > BUNDLE_ENTRIES.value:
        raise invalid([Problem(f"has more than {BUNDLE_ENTRIES}; send only this patient's resources", "/entry")])
    resources: dict[str, list[Node]] = {}
    for entry in entries:
        resource = entry.get("resource")
        if resource is not None and isinstance(resource.value, dict):
            resources.setdefault(str(resource.value.get("resourceType")), []).append(resource)
    mapping = _Mapping(resources, {_key(e): e.get("resource") for e in entries})
    return mapping.read()


def _key(entry: Node) -> str:
    return str(entry.value.get("fullUrl", "")) if isinstance(entry.value, dict) else ""


class _Mapping:
    """One Bundle's resources, read into cells; problems collected, then raised at once."""

    def __init__(self, resources: dict[str, list[Node]], by_url: dict[str, Node | None]):
        self.resources = resources
        self.by_url = by_url
        self.cells: dict[str, str] = {}
        self.sources: Sources = {}
        self.problems: list[Problem] = []

    def read(self) -> FromBundle:
        patient = self._patient()
        event = self._procedure() or self._encounter()
        self._clinician(event)
        self._appointment()
        if self.problems:
            raise invalid(self.problems)
        encounters = self.resources.get("Encounter", [])
        encounter_id = encounters[0].text("id") if encounters else None
        known = encounter_id is not None and FHIR_ID.fullmatch(encounter_id.value)
        encounter = f"Encounter/{encounter_id.value}" if known and encounter_id else None
        return FromBundle(self.cells, self.sources, self._subject(patient), encounter)

    def _put(self, column: str, node: Node | None, value: str | None = None) -> None:
        if node is not None:
            self.cells[column] = node.value if value is None else value
            self.sources[column] = node.at

    def _missing(self, at: str, detail: str) -> None:
        self.problems.append(Problem(detail, at))

    def _patient(self) -> Node | None:
        patients = self.resources.get("Patient", [])
        if len(patients) != 1:
            more = "has no Patient" if not patients else "has more than one Patient; send one patient a request"
            self._missing("/entry" if not patients else patients[1].at, more)
            return None
        patient = patients[0]
        chosen = _record_identifier(patient)
        if chosen is None:
            self._missing(patient.at, "has no identifier with a value (the record id: the MR one, else the first)")
        else:
            self._put("record_id", chosen.text("value"))
        self._name("patient_name", patient, ("official", "usual"), prefix=False)
        preferred = sorted(patient.items("communication"), key=lambda c: c.field("preferred") is not True)
        for communication in preferred[:1]:
            code = _first_code(communication.get("language"))
            self._put("language", code)
        return patient

    def _name(self, column: str, resource: Node, uses: tuple[str, ...], prefix: bool) -> None:
        names = resource.items("name")
        chosen = next((n for use in uses for n in names if n.field("use") == use), names[0] if names else None)
        if chosen is None:
            self._missing(resource.at, f"has no name (the handout's {column.replace('_', ' ')})")
            return
        text = chosen.text("text")
        if text is not None:
            self._put(column, text)
            return
        parts = [*(chosen.items("prefix") if prefix else []), *chosen.items("given")]
        family = chosen.get("family")
        words = [p.value for p in [*parts, *([family] if family else [])] if isinstance(p.value, str)]
        self._put(column, chosen, " ".join(words))

    def _concept(self, column: str, resource: Node, concept: Node | None, element: str) -> None:
        words = _concept_text(concept)
        if words is None:
            self._missing(resource.at, f"has no {element} with a text or display (the handout's {column})")
        self._put(column, words)

    def _procedure(self) -> Node | None:
        procedures = self.resources.get("Procedure", [])
        done = [p for p in procedures if p.field("status") == "completed"]
        if not procedures:
            return None
        procedure = (done or procedures)[0]
        self._concept("procedure", procedure, procedure.get("code"), "code")
        when = procedure.text("performedDateTime")
        period = procedure.get("performedPeriod")
        when = when or (period.text("start") if period else None)
        if when is None:
            self._missing(procedure.at, "has no performedDateTime or performedPeriod.start (the procedure's date)")
        else:
            self._put("procedure_date", when, when.value[:10])
        return procedure

    def _encounter(self) -> Node | None:
        encounters = self.resources.get("Encounter", [])
        if not encounters:
            self._missing("/entry", "has no Procedure or Encounter (the procedure and its date)")
            return None
        encounter = encounters[0]
        types = encounter.items("type")
        self._concept("procedure", encounter, types[0] if types else None, "type")
        period = encounter.get("period")
        start = period.text("start") if period else None
        if start is None:
            self._missing(encounter.at, "has no period.start (the procedure's date)")
        else:
            self._put("procedure_date", start, start.value[:10])
        return encounter

    def _clinician(self, event: Node | None) -> None:
        practitioners = self.resources.get("Practitioner", [])
        actors = [p.get("actor") for p in (event.items("performer") if event else [])]
        actors += [p.get("individual") for p in (event.items("participant") if event else [])]
        referred = [self._resolve(a, "Practitioner") for a in actors if a is not None]
        chosen = next((r for r in referred if r is not None), practitioners[0] if practitioners else None)
        if chosen is None:
            self._missing("/entry", "has no Practitioner (the clinician)")
            return
        self._name("clinician", chosen, ("official", "usual"), prefix=True)

    def _appointment(self) -> None:
        booked = [a for a in self.resources.get("Appointment", []) if a.field("status") not in PAST_APPOINTMENTS]
        if not booked:
            self._missing("/entry", "has no Appointment that is booked (the follow-up appointment)")
            return
        appointment = booked[0]
        start = appointment.text("start")
        instant = INSTANT.fullmatch(start.value) if start else None
        if start is None or instant is None:
            where = start.at if start else appointment.at
            self._missing(where, "needs a start written as a FHIR instant, like 2026-12-09T14:30:00+00:00")
        else:
            self._put("followup_date", start, instant.group(1))
            self._put("followup_time", start, instant.group(2))
        places = [p.get("actor") for p in appointment.items("participant")]
        place = next(filter(None, (self._place(actor) for actor in places if actor is not None)), None)
        if place is None:
            self._missing(appointment.at, "has no Location participant (the follow-up place)")
        else:
            self._put("followup_place", place)
        self._put("note", appointment.text("patientInstruction"))

    def _place(self, actor: Node) -> Node | None:
        location = self._resolve(actor, "Location")
        if location is not None:
            return location.text("name") or actor.text("display")
        return actor.text("display") if str(actor.field("reference")).startswith("Location/") else None

    def _resolve(self, reference: Node, kind: str) -> Node | None:
        """The resource of type `kind` in the Bundle that a Reference points at (by fullUrl or Type/id)."""
        target = reference.field("reference")
        if not isinstance(target, str):
            return None
        found = self.by_url.get(target)
        if found is None and target.startswith(f"{kind}/"):
            found = next((r for r in self.resources.get(kind, []) if r.field("id") == target[len(kind) + 1 :]), None)
        return found if found is not None and found.field("resourceType") == kind else None

    def _subject(self, patient: Node | None) -> dict[str, Any]:
        subject: dict[str, Any] = {"type": "Patient"}
        patient_id = patient.text("id") if patient else None
        if patient_id is not None and FHIR_ID.fullmatch(patient_id.value):
            subject["reference"] = f"Patient/{patient_id.value}"
        chosen = _record_identifier(patient) if patient else None
        if chosen is not None:
            system = chosen.text("system")
            subject["identifier"] = {"value": self.cells.get("record_id", "")} | (
                {"system": system.value} if system else {}
            )
        return subject


def _record_identifier(patient: Node) -> Node | None:
    """The Patient's identifier that is the record id: the one typed MR, else the first with a value."""
    identifiers = [i for i in patient.items("identifier") if i.text("value")]
    return next((i for i in identifiers if _has_code(i.get("type"), "MR")), identifiers[0] if identifiers else None)


def _codings(concept: Node | None) -> Iterator[Node]:
    yield from (concept.items("coding") if concept else [])


def _has_code(concept: Node | None, code: str) -> bool:
    return any(c.field("code") == code for c in _codings(concept))


def _first_code(concept: Node | None) -> Node | None:
    return next((c.text("code") for c in _codings(concept) if c.text("code")), None)


def _concept_text(concept: Node | None) -> Node | None:
    """A CodeableConcept as words: its text, else its first coding's display."""
    if concept is None:
        return None
    return concept.text("text") or next((c.text("display") for c in _codings(concept) if c.text("display")), None)
