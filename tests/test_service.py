"""The handout service, run as a clinic runs it (`generate.py serve`) and called over HTTP on loopback.

One service (one warm worker) serves most tests; the drain-on-SIGTERM test starts its own. Moments inside a
request (a handout made but not yet sent) are arranged with the service's test-only hold (tests/serving.py),
never with a sleep. Every patient here is made up; a "canary" value stands for a patient's details wherever a
test looks for it in the answers, logs, audit and temporary files.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import signal
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest
from fhir.resources.R4B.documentreference import DocumentReference

from leaflets.cli import main
from leaflets.content import limits
from leaflets.content.fonts import font_set
from leaflets.pipeline.plan import build
from leaflets.service.bundle import from_bundle
from leaflets.service.intake import EXAMPLE, checked, record_cells
from leaflets.service.problems import RequestError
from tests.conftest import CONTENT, ROOT
from tests.pdfread import page_texts
from tests.serving import Server
from tests.test_benchmarks import script

pytestmark = pytest.mark.pdf  # a real service with warm workers that make handouts

CANARY = "Zebrafinch Quokkason"
JSON, FHIR = "application/json", "application/fhir+json"
BUNDLE: dict[str, Any] = json.loads((ROOT / "tests" / "fixtures" / "bundle.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published output folder with one leaflet in two editions (the catalogue's files)."""
    out = tmp_path_factory.mktemp("published")
    build(CONTENT, out, only=["scar-tissue", "scar-tissue-large-print"], languages=["en"], jobs=1)
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, published: Path) -> Iterator[Server]:
    """The service most tests share: one worker, and room for one request to wait for it."""
    running = Server(tmp_path_factory.mktemp("service"), published, "--queue", "1")
    try:
        running.wait_ready()
        yield running
    finally:
        running.kill()


def patient(**changes: Any) -> dict[str, Any]:
    """The made-up patient of the OpenAPI example, with `changes`."""
    return {**EXAMPLE, **changes}


def post_bundle(server: Server, bundle: dict[str, Any], leaflets: str | None = "scar-tissue") -> httpx.Response:
    """POST a Bundle as a records system would."""
    params = {"leaflets": leaflets} if leaflets else {}
    return server.client.post("/handouts", params=params, content=json.dumps(bundle), headers={"Content-Type": FHIR})


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "handout.pdf"
    path.write_bytes(data)
    return " ".join(page_texts(path))


def test_health_readiness_and_docs_without_a_token(server: Server) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server.url}/readyz").json() == {"status": "ready"}
    schema = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/leaflets", "/leaflets/{leaflet_id}", "/handouts", "/healthz", "/readyz"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    body = schema["paths"]["/handouts"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["example"] == EXAMPLE and "application/fhir+json" in body
    docs = httpx.get(f"{server.url}/docs").text
    assert "/static-offline-docs/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert httpx.get(f"{server.url}/static-offline-docs/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-of-enough-length-0123456789abcdef", "Basic eDp5"])
def test_every_call_needs_a_known_bearer_token(server: Server, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in (("GET", "/leaflets"), ("GET", "/leaflets/scar-tissue"), ("POST", "/handouts")):
        answer = httpx.request(method, server.url + path, headers=headers, json=patient())
        assert answer.status_code == 401, path
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"] == [
            {"parameter": "Authorization", "detail": "send Authorization: Bearer TOKEN, a token the service knows"}
        ]


def test_the_catalogue_lists_each_published_file_with_its_hash(server: Server, published: Path) -> None:
    listing = server.client.get("/leaflets").json()
    manifest = json.loads((published / "manifest.json").read_text())
    assert listing["content_version"] == manifest["content_version"] and listing["review_by"] == manifest["review_by"]
    [leaflet] = listing["leaflets"]
    assert (leaflet["id"], leaflet["languages"], leaflet["papers"]) == ("scar-tissue", ["en"], ["a4"])
    assert leaflet["editions"] == ["standard", "large-print"]
    assert leaflet["title"] == "Failed back surgery syndrome: When scar tissue causes pain"
    for file in leaflet["files"]:
        path = published / f"scar-tissue{'-large-print' if file['edition'] == 'large-print' else ''}-en-a4.pdf"
        assert file["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_published_leaflet_with_its_etag(server: Server, published: Path) -> None:
    answer = server.client.get("/leaflets/scar-tissue")
    assert answer.content == (published / "scar-tissue-en-a4.pdf").read_bytes()
    assert answer.headers["etag"] == f'"{hashlib.sha256(answer.content).hexdigest()}"'
    assert answer.headers["cache-control"] == "no-cache" and answer.headers["content-type"] == "application/pdf"
    again = server.client.get("/leaflets/scar-tissue", headers={"If-None-Match": answer.headers["etag"]})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", answer.headers["etag"])
    large = server.client.get("/leaflets/scar-tissue", params={"edition": "large-print", "language": "en"})
    assert large.content == (published / "scar-tissue-large-print-en-a4.pdf").read_bytes()
    missing = server.client.get("/leaflets/scar-tissue", params={"language": "fr"})
    assert missing.status_code == 404
    assert missing.json()["errors"] == [
        {"parameter": "language", "detail": "scar-tissue is not published in this language; it has: en"}
    ]
    unknown = server.client.get(f"/leaflets/{CANARY.replace(' ', '-')}")
    assert unknown.status_code == 404 and "Zebrafinch" not in unknown.text


def test_a_patient_as_json_gets_the_batchs_handout(server: Server, tmp_path: Path) -> None:
    answer = server.client.post("/handouts", json=patient())
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-disposition"] == 'inline; filename="handout.pdf"'
    listed = tmp_path / "one.csv"
    row = {**EXAMPLE, "leaflets": ";".join(EXAMPLE["leaflets"])}
    listed.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    assert main(["discharge", "--patients", str(listed), "--out", str(tmp_path / "batch"), "--jobs", "1"]) == 0
    assert answer.content == (tmp_path / "batch" / "EXS-0001.pdf").read_bytes()


def test_a_fhir_bundle_gets_a_valid_document_reference(server: Server, tmp_path: Path) -> None:
    answer = server.client.post(
        "/handouts",
        params={"leaflets": "scar-tissue,rehabilitation", "variant_of": "DocumentReference/exs-0001-en"},
        content=json.dumps(BUNDLE),
        headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"},
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/fhir+json"
    reference = answer.json()
    DocumentReference.model_validate(reference)
    assert reference["type"]["coding"] == [{"system": "http://loinc.org", "code": "69730-0", "display": "Instructions"}]
    assert reference["subject"]["reference"] == "Patient/exs-0001"
    assert reference["subject"]["identifier"] == {"system": "urn:oid:2.16.840.1.113883.19.5", "value": "EXS-0001"}
    assert reference["author"] == [{"type": "Organization", "display": "Exampleton Spine & Pain Clinic"}]
    assert reference["context"] == {"encounter": [{"reference": "Encounter/enc-2026-1120"}]}
    assert reference["relatesTo"] == [{"code": "transforms", "target": {"reference": "DocumentReference/exs-0001-en"}}]
    attachment = reference["content"][0]["attachment"]
    data = base64.b64decode(attachment["data"])
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(data).digest()).decode()
    assert (attachment["size"], attachment["language"], reference["language"]) == (len(data), "en", "en")
    assert_a_readable_handout(data, tmp_path)
    education = server.client.post(
        "/handouts",
        params={"leaflets": "scar-tissue", "type": "education"},
        content=json.dumps(BUNDLE),
        headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"},
    )
    assert education.json()["type"]["coding"][0]["code"] == "34895-3"


def assert_a_readable_handout(data: bytes, tmp_path: Path) -> None:
    """The patient's details on the page; PDF/A-2a and PDF/UA-1 in the XMP; every font embedded."""
    text = pdf_text(data, tmp_path)
    for phrase in [
        "Alex Testperson",
        "EXS-0001",
        "Lumbar laminectomy, 20 November 2026",
        "Dr Sam Example",
        "9 December 2026, 14:30",
        "Clinic 3 (ground floor)",
        "Walk a little more each day as we discussed.",
        "When scar tissue causes pain",
        "Rehab after back surgery",
    ]:
        assert phrase in text, phrase
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance"), meta.get("pdfuaid:part")) == ("2", "A", "1")
        fonts = [font for page in pdf.pages for font in page.Resources.Font.values()]
        assert fonts and all(
            {"/FontFile2", "/FontFile3"} & set(font.DescendantFonts[0].FontDescriptor.keys()) for font in fonts
        )
        assert "Testperson" not in str(pdf.docinfo) + str(meta)


BAD = [
    ("not JSON", b'{"patient_name": "Zebrafinch Quokkason",', {}, 400, [""]),
    (
        "a date not in the calendar",
        patient(procedure_date="2026-02-30", patient_name=CANARY),
        {},
        422,
        ["/procedure_date"],
    ),
    ("a time past midnight", patient(followup_time="25:00", patient_name=CANARY), {}, 422, ["/followup_time"]),
    ("an unknown leaflet", patient(leaflets=["scar-tissue", "zebrafinch-quokkason"]), {}, 422, ["/leaflets/1"]),
    ("an unknown field", {**patient(), CANARY: "x"}, {}, 422, [""]),
    ("a number for a name", patient(patient_name=42, note=CANARY), {}, 422, ["/patient_name"]),
    ("a name past the cell limit", patient(patient_name=CANARY * 10), {}, 422, ["/patient_name"]),
    ("a control character", patient(patient_name=f"{CANARY}\x07"), {}, 422, ["/patient_name"]),
    ("a character no font has", patient(patient_name=f"{CANARY} 王"), {}, 422, ["/patient_name"]),
    ("a key given twice", b'{"note": "Zebrafinch Quokkason", "note": "x"}', {}, 400, [""]),
    ("NaN", b'{"note": NaN, "patient_name": "Zebrafinch Quokkason"}', {}, 400, [""]),
    ("leaflets in the query for JSON", patient(patient_name=CANARY), {"leaflets": "scar-tissue"}, 400, [None]),
    ("a bad document type", patient(patient_name=CANARY), {"type": "zebrafinch"}, 400, [None]),
]


@pytest.mark.parametrize(("why", "body", "params", "status", "pointers"), BAD, ids=[case[0] for case in BAD])
def test_a_bad_request_points_at_the_field_and_never_echoes_it(
    server: Server, why: str, body: Any, params: dict[str, str], status: int, pointers: list[str | None]
) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = server.client.post(
        "/handouts", content=content, params=params, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [error.get("pointer") for error in answer.json()["errors"]] == pointers
    assert "Zebrafinch" not in answer.text and "zebrafinch" not in answer.text and "王" not in answer.text


def test_a_bad_bundle_points_into_the_bundle(server: Server) -> None:
    entries = [dict(e, resource=dict(e["resource"])) for e in BUNDLE["entry"]]
    entries[0]["resource"]["name"] = [{"text": CANARY}]
    entries[0]["resource"]["communication"] = [{"language": {"coding": [{"code": "fr"}]}, "preferred": True}]
    entries[4]["resource"]["start"] = f"{CANARY} at two"
    bundle = {**BUNDLE, "entry": [*entries, entries[0]]}
    fhir = {"Content-Type": "application/fhir+json"}
    answer = server.client.post(
        "/handouts", params={"leaflets": "scar-tissue"}, content=json.dumps(bundle), headers=fhir
    )
    assert answer.status_code == 422
    assert [e["pointer"] for e in answer.json()["errors"]] == ["/entry/5/resource", "/entry/4/resource/start"]
    bundle["entry"] = entries
    answer = server.client.post(
        "/handouts", params={"leaflets": "scar-tissue"}, content=json.dumps(bundle), headers=fhir
    )
    assert [e["pointer"] for e in answer.json()["errors"]] == ["/entry/4/resource/start"]
    entries[4]["resource"]["start"] = BUNDLE["entry"][4]["resource"]["start"]
    answer = server.client.post(
        "/handouts", params={"leaflets": "scar-tissue"}, content=json.dumps(bundle), headers=fhir
    )
    assert answer.json()["errors"] == [
        {"pointer": "/entry/0/resource/communication/0/language/coding/0/code",
         "detail": "is not a language of the leaflets; choose from: en, es"}
    ]  # fmt: skip
    assert "Zebrafinch" not in answer.text
    unnamed = post_bundle(server, BUNDLE, leaflets=None)
    assert unnamed.json()["errors"] == [
        {"parameter": "leaflets", "detail": "is required with a Bundle: the leaflet names, separated by commas"}
    ]


def test_a_body_past_the_limit_is_refused_unread(server: Server) -> None:
    body = b'{"note": "' + b"x" * limits.REQUEST_BODY.value + b'"}'
    answer = server.client.post("/handouts", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["errors"][0]["pointer"] == ""
    wrong = server.client.post("/handouts", content=b"record_id=1", headers={"Content-Type": "text/plain"})
    assert wrong.status_code == 415 and wrong.json()["errors"][0]["parameter"] == "Content-Type"


def test_a_name_in_every_script_the_fonts_cover(server: Server, tmp_path: Path) -> None:
    name = "Zoë Łukasiewicz-Nguyễn Ελένη Παπαδοπούλου Иван Петров"
    assert not font_set(None).missing(name)  # Latin (with Vietnamese), Greek, Cyrillic: Source Sans Pro's scripts
    answer = server.client.post("/handouts", json=patient(patient_name=name, language="es"))
    assert answer.status_code == 200
    text = pdf_text(answer.content, tmp_path)
    assert name in text and "Su información al recibir el alta" in text


def test_no_patient_value_in_logs_audit_or_temporary_files(server: Server) -> None:
    record = "EXS-CANARY-7"
    assert server.client.post("/handouts", json=patient(record_id=record, patient_name=CANARY)).status_code == 200
    again = patient(record_id=record.lower(), patient_name=CANARY, followup_date="soon")  # the same record
    assert server.client.post("/handouts", json=again).status_code == 422
    logs = server.stdout() + server.stderr() + server.audit()
    assert CANARY not in logs and "Zebrafinch" not in logs and "canary" not in logs.lower()
    keyed = hmac.new(server.secret.encode(), record.lower().encode(), hashlib.sha256).hexdigest()  # docs/service.md
    lines = [json.loads(line) for line in server.audit().splitlines()]
    mine = [line for line in lines if line.get("record") == keyed]
    assert [(line["status"], line["caller"], line["route"]) for line in mine[-2:]] == [
        (200, "tests", "/handouts"),
        (422, "tests", "/handouts"),
    ]
    assert mine[-2]["leaflets"] == ["scar-tissue", "rehabilitation"] and mine[-2]["content_version"] == "1.0"
    assert len(mine[-2]["sha256"]) == 64
    # In the temporary folder: the server's own files and WeasyPrint's copies of the shipped fonts, nothing else.
    fonts = {hashlib.sha256(path.read_bytes()).hexdigest() for path in font_set(None).files()}
    files = [path for path in server.temp.rglob("*") if path.is_file() and path.name != ".leaflets-owner"]
    assert files, "WeasyPrint's font folders should be there while the service runs"
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in fonts, path.relative_to(server.temp)


def test_a_full_queue_is_told_to_come_back(server: Server) -> None:
    server.arm()
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(server.client.post, "/handouts", json=patient())
        server.held()
        others = [pool.submit(server.client.post, "/handouts", json=patient()) for _ in range(2)]
        refused = _first_done(others)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
        server.release()
        assert first.result().status_code == 200
        assert sorted(f.result().status_code for f in others) == [200, 503]


def _first_done(futures: list[Future[httpx.Response]]) -> httpx.Response:
    done = threading.Event()
    for future in futures:
        future.add_done_callback(lambda _: done.set())
    assert done.wait(120)
    return next(f.result() for f in futures if f.done())


def test_a_killed_worker_fails_its_request_and_is_replaced(server: Server) -> None:
    server.arm()
    with ThreadPoolExecutor(1) as pool:
        request = pool.submit(server.client.post, "/handouts", json=patient())
        os.kill(server.held(), signal.SIGKILL)
        answer = request.result()
    server.disarm()
    assert answer.status_code == 500
    assert answer.json()["errors"] == [{"detail": "the worker stopped unexpectedly (was it killed, or out of memory?)"}]
    assert server.client.post("/handouts", json=patient()).status_code == 200  # waits for the new worker
    assert "A worker stopped; starting another." in server.stdout()


def test_sigterm_answers_the_request_in_flight_then_exits(tmp_path: Path, published: Path) -> None:
    server = Server(tmp_path, published)
    try:
        server.wait_ready()
        server.arm()
        with ThreadPoolExecutor(1) as pool:
            request = pool.submit(server.client.post, "/handouts", json=patient())
            server.held()
            server.process.send_signal(signal.SIGTERM)
            port = int(server.url.rsplit(":", 1)[1])
            for _ in server._until("it stops listening"):  # shutting down, with the request still open
                if not _accepts(port):
                    break
            server.release()
            answer = request.result()
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
        assert server.process.wait(timeout=120) == 0
        assert server.stdout().splitlines()[-1] == "Service stopped."
        assert not list(server.temp.glob("leaflets-service-*")), "the scratch folder was left behind"
    finally:
        server.kill()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return True
    except OSError:
        return False


def test_without_a_token_the_service_does_not_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEAFLETS_SERVICE_TOKENS", raising=False)
    assert main(["serve", "--port", "0"]) == 2
    assert capsys.readouterr().err.startswith("Error: no token: give --token-file FILE or set LEAFLETS_SERVICE_TOKENS")
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("epic:short-Zebrafinch\n")
    assert main(["serve", "--port", "0", "--token-file", str(tokens)]) == 2
    rule = "must be at least 32 characters of letters, digits and - . _ ~ + /"
    assert capsys.readouterr().err == f"Error: {tokens}: line 1: the token of epic {rule}\n"


def test_bundle_mapping_rules() -> None:
    """The documented choices: the MR identifier, the official name, the Procedure's performer, the Location's name."""
    bundle = json.loads(json.dumps(BUNDLE))
    patient_resource = bundle["entry"][0]["resource"]
    patient_resource["identifier"].insert(0, {"system": "urn:example:insurance", "value": "INS-9"})
    patient_resource["name"].insert(0, {"use": "nickname", "text": "Al"})
    other = {"resourceType": "Practitioner", "id": "other", "name": [{"text": "Dr Other"}]}
    location = {"resourceType": "Location", "id": "clinic-3", "name": "Clinic 3, level 0"}
    bundle["entry"][1:1] = [{"resource": other}]
    bundle["entry"].append({"resource": location})
    mapped = from_bundle(bundle)
    assert mapped.cells == {
        "record_id": "EXS-0001",
        "patient_name": "Alex Testperson",
        "language": "en",
        "procedure": "Lumbar laminectomy",
        "procedure_date": "2026-11-20",
        "clinician": "Dr Sam Example",
        "followup_date": "2026-12-09",
        "followup_time": "14:30",
        "followup_place": "Clinic 3, level 0",
        "note": "Walk a little more each day as we discussed.",
    }
    assert mapped.sources["followup_time"] == "/entry/5/resource/start"
    del bundle["entry"][4]  # no Procedure: the Encounter's type and period
    encounter = bundle["entry"][3]["resource"]
    encounter |= {"type": [{"coding": [{"display": "Spinal surgery"}]}], "period": {"start": "2026-11-19T08:00:00Z"}}
    assert from_bundle(bundle).cells["procedure"] == "Spinal surgery"
    del encounter["period"]
    with pytest.raises(RequestError) as error:
        from_bundle(bundle)
    assert [p.pointer for p in error.value.problems] == ["/entry/3/resource"]


def test_the_service_benchmark_sends_patients_the_service_takes(tmp_path: Path) -> None:
    """benchmarks/service.py's setup, untimed: its JSON bodies are valid handout requests."""
    bench = script("service")
    bodies = bench.fictional_patients(tmp_path / "patients.csv", 12)
    leaflets = ["failed-fusion", "failed-decompression", "scar-tissue", "rehabilitation"]
    assert len(bodies) == 12
    for body in bodies:
        cells, sources = record_cells(body, leaflets)
        assert checked(cells, sources, leaflets, ["en"]).record_id == body["record_id"]
