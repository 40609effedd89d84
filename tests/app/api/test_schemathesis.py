"""Schemathesis over the served OpenAPI document: every operation, as every kind of caller
(anonymous, exporter, certifier and admin API tokens, and a PACT client's token on the PACT
endpoints), with schema-valid and schema-violating input. Fails on any 5xx and on any
documented response whose body does not match its documented schema.

Bounded and reproducible: a fixed number of examples per operation and caller, derandomized
(the same inputs every run), no example database. SQLite gets the full run; PostgreSQL a
smaller one (the handlers are the same; the point there is the database's own errors). The
PACT endpoints are also checked against the PACT v3 specification's own OpenAPI document.
"""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from app import create_app
from app.services import accounts, keys, pact_host, transaction
from app.services.issuer import issuer_from_config
from tests.app.conftest import empty_tables

EXAMPLES = {"sqlite": 3, "postgresql": 2}  # per operation, caller and generation mode
CHECKS = [not_a_server_error, response_schema_conformance]
BASE_URL = "https://labels.test"  # PACT endpoints answer over https only


@pytest.fixture(scope="module")
def fuzz_app(database_url, tmp_path_factory, brightway_dir):
    instance: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "INSTANCE_DIR": instance, "SECRET_KEY": "fuzz",
                      "BRIGHTWAY_DIR": brightway_dir, "KEYS_DIR": instance / "keys",
                      "PUBLIC_URL": BASE_URL, "MAX_REQUEST_MONTE_CARLO": 50})
    yield app
    empty_tables(app)


@pytest.fixture(scope="module")
def callers(fuzz_app) -> dict[str, dict[str, str]]:
    """Authorization headers per kind of caller."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    with fuzz_app.app_context(), transaction() as session:
        blank = {"subdivision": None, "identifier": None, "address": None,
                 "accreditation_body": None, "accreditation_number": None,
                 "accreditation_standard": None, "accreditation_scope": [],
                 "accredited_from": None, "accredited_to": None, "country": "CN"}
        exporter = accounts.create_organisation(session, None, {
            **blank, "kind": "exporter", "name": "Fuzz exporter"})
        body = accounts.create_organisation(session, None, {
            **blank, "kind": "certification_body", "name": "Fuzz body",
            "accreditation_body": "TEST", "accreditation_number": "F-1",
            "accreditation_standard": "ISO 14065:2020", "accreditation_scope": ["72"],
            "accredited_from": date(2020, 1, 1), "accredited_to": date(2099, 1, 1)})
        operator = accounts.create_organisation(session, None, {
            **blank, "kind": "operator", "name": "Fuzz operator"})
        for role, org in (("exporter", exporter), ("certifier", body), ("admin", operator)):
            user = accounts.create_user(session, None, email=f"{role}@fuzz.example", name=role,
                                        password="correct horse battery", role=role,
                                        organisation_id=org.id)
            _, secret = accounts.create_token(session, user, name="fuzz", days=1,
                                              scopes=list(accounts.ROLE_SCOPES[role]))
            headers[role] = {"Authorization": f"Bearer {secret}"}
        client, secret = pact_host.register_client(session, None, name="Fuzz buyer",
                                                   organisation_ids=[exporter.id])
        client_id = client.client_id
        keys.generate(session, fuzz_app.config["KEYS_DIR"],
                      did=issuer_from_config(fuzz_app.config).did)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = fuzz_app.test_client().post("/auth/token", base_url=BASE_URL,
                                         data={"grant_type": "client_credentials"},
                                         headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 200, answer.json
    headers["pact"] = {"Authorization": f"Bearer {answer.json['access_token']}"}
    headers["pact-basic"] = {"Authorization": f"Basic {basic}"}
    return headers


def callers_for(path: str) -> list[str]:
    if path == "/auth/token":
        return ["anonymous", "pact-basic"]
    if path.startswith("/3/"):
        return ["anonymous", "exporter", "pact"]
    return ["anonymous", "exporter", "certifier", "admin"]


def fuzz(strategy, auth: dict[str, str], examples: int, **call: object) -> None:
    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        response = case.call(headers=auth, base_url=BASE_URL, **call)
        case.validate_response(response, checks=CHECKS, headers=auth)

    run()


def test_every_operation_as_every_caller(fuzz_app, callers, database_url):
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50  # the whole API, not an empty document
    for operation in operations:
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))
        for caller in callers_for(operation.path):
            try:
                fuzz(strategy, callers[caller], EXAMPLES[kind] * 2)
            except (AssertionError, BaseExceptionGroup) as exc:  # collect every failure
                failures[f"{operation.method.upper()} {operation.path} as {caller}"] = str(exc)
    assert not failures, "\n\n".join(f"{k}:\n{v[:1500]}" for k, v in failures.items())


PACT_SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "standards" / "pact-v3" / (
    "openapi.yaml")


def pact_specification() -> dict:
    """The PACT v3 OpenAPI document, with its two slips mended so a tool can load it: a
    relative `tokenUrl`, and error responses defined among the schemas."""
    raw = yaml.safe_load(PACT_SPEC.read_text("utf-8"))
    flows = raw["components"]["securitySchemes"]["BearerAuth"]["flows"]
    flows["clientCredentials"]["tokenUrl"] = BASE_URL + "/auth/token"
    moved = {k: v for k, v in raw["components"]["schemas"].items() if k.endswith("Response")}
    raw["components"]["responses"] = moved
    for item in raw["paths"].values():
        for operation in item.values():
            for response in operation.get("responses", {}).values():
                name = response.get("$ref", "").rsplit("/", 1)[-1]
                if name in moved:
                    response["$ref"] = f"#/components/responses/{name}"
    return raw


def test_pact_endpoints_against_the_pact_specification(fuzz_app, callers, database_url):
    if not PACT_SPEC.exists():
        pytest.skip(f"the PACT v3 OpenAPI document is not beside the repository ({PACT_SPEC})")
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    schema = schemathesis.openapi.from_dict(pact_specification())
    failures: dict[str, str] = {}
    loaded = [result for result in schema.get_all_operations() if hasattr(result, "ok")]
    # /3/events does not load (its CloudEvents body schema); the events are
    # tested case by case in test_pact.py
    assert {(r.ok().method, r.ok().path) for r in loaded} >= {
        ("get", "/3/footprints"), ("get", "/3/footprints/{id}")}
    for operation in (result.ok() for result in loaded):
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))
        for caller in ("anonymous", "pact"):
            try:
                fuzz(strategy, callers[caller], EXAMPLES[kind] * 4, app=fuzz_app)
            except (AssertionError, BaseExceptionGroup) as exc:
                failures[f"{operation.method.upper()} {operation.path} as {caller}"] = str(exc)
    assert not failures, "\n\n".join(f"{k}:\n{v[:1500]}" for k, v in failures.items())


def test_the_document_marks_public_operations_public(fuzz_app):
    spec = fuzz_app.test_client().get("/api/openapi.json").json
    assert "security" not in spec  # no blanket requirement
    paths = spec["paths"]
    assert "security" not in paths["/api/v1/health"]["get"]
    assert "security" not in paths["/api/v1/session"]["post"]
    assert "security" not in paths["/log/sth"]["get"] if "/log/sth" in paths else True
    assert paths["/api/v1/products"]["post"]["security"] == [{"bearer": []}, {"session": []}]
    assert paths["/api/v1/footprints/calculate"]["post"]["security"] == [
        {"bearer": []}, {"session": []}]
    assert paths["/3/footprints"]["get"]["security"] == [{"pactBearer": []}]
    assert paths["/auth/token"]["post"]["security"] == [{"pactBasic": []}]


def test_the_document_describes_error_bodies_as_answered(fuzz_app, callers):
    client = fuzz_app.test_client()
    spec = client.get("/api/openapi.json").json
    default = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(default) == ["application/problem+json"]
    problem = client.get("/api/v1/products")  # anonymous: a real 401 problem
    assert problem.content_type == "application/problem+json"
    assert set(problem.json) <= set(spec["components"]["schemas"]["Problem"]["properties"])
    pact = client.get("/3/footprints", base_url=BASE_URL)
    pact_schema = spec["paths"]["/3/footprints"]["get"]["responses"]["default"]["content"][
        "application/json"]["schema"]
    assert pact.json["code"] in pact_schema["properties"]["code"]["enum"]
    oauth = client.post("/auth/token", base_url=BASE_URL, data={"grant_type": "password"})
    oauth_schema = spec["paths"]["/auth/token"]["post"]["responses"]["400"]["content"][
        "application/json"]["schema"]
    assert oauth.status_code == 400
    assert oauth.json["error"] in oauth_schema["properties"]["error"]["enum"]
