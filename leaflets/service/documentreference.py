"""FHIR R4 out: the DocumentReference a records system files, with the handout's PDF attached.

Each is checked against fhir.resources' R4B models (FHIR 4.3.0) before it is sent: the package has no
R4 (4.0.1) models, and DocumentReference, Attachment and Reference have the same elements in R4 and R4B
for everything written here.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from leaflets.service.renderer import Handout

LOINC = "http://loinc.org"
#: `?type=` of POST /handouts: the LOINC document type of the DocumentReference.
DOCUMENT_TYPES = {"instructions": ("69730-0", "Instructions"), "education": ("34895-3", "Education note")}


def record_subject(record_id: str) -> dict[str, Any]:
    """The patient of a request sent as JSON, as a FHIR Reference: by its record id."""
    return {"type": "Patient", "identifier": {"value": record_id}}


@dataclass(frozen=True)
class Filing:
    """What the DocumentReference says besides the PDF: whose, when, by whom, in which language."""

    subject: dict[str, Any]
    encounter: str | None
    clinic: str
    language: str
    document_type: str  # a key of DOCUMENT_TYPES
    variant_of: str | None  # `DocumentReference/ID` this handout transforms (another language of it)


def document_reference(handout: Handout, filing: Filing, now: datetime.datetime) -> dict[str, Any]:
    """A FHIR R4 DocumentReference with the PDF attached (Attachment.hash: base64 SHA-1, as R4 requires),
    checked against the R4B models; raises if it is not valid (a bug here, never the caller's)."""
    from fhir.resources.R4B.documentreference import DocumentReference  # late: only for FHIR replies

    code, display = DOCUMENT_TYPES[filing.document_type]
    written = now.astimezone(datetime.UTC).isoformat(timespec="seconds")
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
        "subject": filing.subject,
        "date": written,
        "author": [{"type": "Organization", "display": filing.clinic}],
        "description": handout.title,
        "language": filing.language,
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "language": filing.language,
                    "data": base64.b64encode(handout.data).decode("ascii"),
                    "size": len(handout.data),
                    "hash": base64.b64encode(hashlib.sha1(handout.data).digest()).decode("ascii"),
                    "title": handout.title,
                    "creation": written,
                }
            }
        ],
    }
    if filing.encounter:
        resource["context"] = {"encounter": [{"reference": filing.encounter}]}
    if filing.variant_of:
        resource["relatesTo"] = [{"code": "transforms", "target": {"reference": filing.variant_of}}]
    DocumentReference.model_validate(resource)
    return resource
