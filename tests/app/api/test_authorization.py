"""Authorization matrix: every endpoint of /api/v1 × every kind of caller, with the exact status.

Callers (the columns of MATRIX): anonymous; exporter A, who owns every resource a row names;
exporter B (another exporter); certifier C, whose body A's label request is addressed to;
certifier D (another body); admin. Expected answers: 401 without credentials, 403 for the
wrong role or a missing token scope, 404 for another organisation's resource (the same answer
as for an id that does not exist, so nothing leaks), 2xx where the call is allowed.

Each cell is one test with its own `world` and its own resources, so an allowed change cannot
affect another cell. Resources are built on first use: a row pays only for what it names.
`test_every_endpoint_has_a_row` fails when an endpoint is added without its row.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import clock
from lca_models.factors import CURRENT_RELEASE
from tests.app.conftest import Actor
from tests.app.flows import act, calculate, create_product, draft_request, steel_model, upload
from tests.app.test_cbam_api import example as cbam_example

API = "/api/v1"
ANON = "anonymous"
#: The columns of MATRIX, in order.
CALLERS = (ANON, "exporter_a", "exporter_b", "certifier_c", "certifier_d", "admin")
PASSWORD = "correct horse battery"  # of every user in `world`
GHOST_ID = "00000000-0000-4000-8000-000000000000"  # an id that exists nowhere
FACTOR = "electricity.cn-south-grid.co2.2022"
COMMENT_PATH = "stages[0].processes[0].inputs[0]"
STEEL = steel_model()  # read once: parsing the YAML costs more than a call
VALID_UNTIL = (clock.today() + timedelta(days=365)).isoformat()

Body = dict[str, Any] | None

# Request bodies. "{key}" is filled from Resources; a string that is exactly "{key}" takes the
# value itself (so "{model}" becomes the model dict).
MODEL: Body = {"model": "{model}"}
LOGIN: Body = {"email": "{email}", "password": PASSWORD}
NEW_ORG: Body = {"kind": "exporter", "name": "Exporter E", "country": "CN"}
NEW_USER: Body = {"email": "new@test.example", "name": "New", "password": PASSWORD,
                  "role": "exporter", "organisation_id": "{org_a}"}
ROLE_CHANGE: Body = {"role": "exporter", "reason": "access review"}
DEACTIVATION: Body = {"active": False, "reason": "left the company"}
ACCREDITATION: Body = {"accreditation_body": "CNAS", "accreditation_number": "CNAS C-1",
                       "accreditation_standard": "ISO 14065:2020",
                       "accreditation_scope": ["72"], "accredited_from": "2026-01-01",
                       "accredited_to": "2029-12-31", "reason": "renewed"}
READ_TOKEN: Body = {"name": "ci", "scopes": ["read"], "days": 1}
NEW_PRODUCT: Body = {"name": "Coil", "hs_code": "720851"}
NEW_REQUEST: Body = {"calculation_id": "{calc}", "certification_body_id": "{cb_c}",
                     "label_type": "footprint_disclosure", "home_scheme": "gba-home"}
QUESTION: Body = {"body": "Source of this amount?", "path": COMMENT_PATH}
ANSWER: Body = {"body": "Metered.", "parent_id": "{comment}"}
BULK_APPROVAL: Body = {"requests": [{"id": "{request}", "etag": "{etag}"}],
                       "valid_until": VALID_UNTIL}
REVOCATION: Body = {"reason": "misleading claim"}
SUSPENSION: Body = {"reason": "surveillance audit overdue"}
REINSTATEMENT: Body = {"reason": "audit passed"}
PACT_CLIENT: Body = {"name": "Buyer GmbH", "organisation_ids": ["{org_a}"]}
INSTALLATION: Body = {"input": "{cbam_input}"}
# The API reaches the current shipped release and the release folder's, not older shipped ones
IMPACT_RUN: Body = {"release": CURRENT_RELEASE}
MONTE_CARLO: Body = {"monte_carlo": 20, "seed": 7}


def step(action: str, **extra: str) -> Body:
    """A transition body."""
    return {"action": action, **extra}


@dataclass(frozen=True)
class Case:
    """One cell: `actor` calls `method url` (with `body`) and gets `status`."""

    method: str
    url: str
    actor: str
    status: int
    body: Body = None
    state: str = "submitted"  # the state of A's label request before the call
    if_match: bool = False  # send the current ETag (of `etag_key`) as If-Match
    lists: str | None = None  # a "{key}" whose id must appear in a 2xx answer iff `sees`
    sees: bool = False
    etag_key: str = "etag"  # the label request's ETag, or "installation_etag"

    @property
    def id(self) -> str:
        action = f" {self.body['action']}" if self.body and "action" in self.body else ""
        named = f"{self.url} {self.lists}"
        state = f" ({self.state})" if re.search(r"\{(request|comment|label)\}", named) else ""
        return f"{self.method} {self.url}{action}{state} as {self.actor} -> {self.status}"


@dataclass(frozen=True)
class Row:
    """One endpoint (in one resource state) × every caller; `statuses` follow CALLERS."""

    method: str
    path: str  # after /api/v1
    statuses: tuple[int, int, int, int, int, int]
    body: Body = None
    state: str = "submitted"
    if_match: bool = False
    lists: str | None = None
    seen_by: tuple[str, ...] = ()
    etag_key: str = "etag"

    def cases(self) -> Iterator[Case]:
        for actor, status in zip(CALLERS, self.statuses, strict=True):
            yield Case(self.method, API + self.path, actor, status, self.body, self.state,
                       self.if_match, self.lists, actor in self.seen_by, self.etag_key)


# fmt: off
MATRIX: list[Row] = [
    #                                                         anon exp_a exp_b cer_c cer_d admin
    # public
    Row("GET", "/health",                                    (200, 200, 200, 200, 200, 200)),
    Row("GET", "/factors",                                   (200, 200, 200, 200, 200, 200)),
    Row("GET", f"/factors/{FACTOR}",                         (200, 200, 200, 200, 200, 200)),
    Row("GET", "/pcrs",                                      (200, 200, 200, 200, 200, 200)),
    Row("GET", "/pcrs/eu-battery-cfb",                       (200, 200, 200, 200, 200, 200)),
    # calculation is charged to an account (issue 19)
    Row("POST", "/footprints/calculate",                     (401, 200, 200, 200, 200, 200),
        body=MODEL),
    # session (each caller logs in as itself; anonymous as exporter A)
    Row("POST", "/session",                                  (201, 201, 201, 201, 201, 201),
        body=LOGIN),
    Row("GET", "/session",                                   (401, 200, 200, 200, 200, 200)),
    Row("DELETE", "/session",                                (401, 204, 204, 204, 204, 204)),
    # organisations: your own, any certification body, or any (admin)
    Row("GET", "/organisations",                             (401, 403, 403, 403, 403, 200),
        lists="{org_a}", seen_by=("admin",)),
    Row("POST", "/organisations",                            (401, 403, 403, 403, 403, 201),
        body=NEW_ORG),
    Row("GET", "/organisations/{org_a}",                     (401, 200, 404, 404, 404, 200)),
    Row("GET", "/organisations/{cb_c}",                      (401, 200, 200, 200, 200, 200)),
    Row("GET", "/certification-bodies",                      (401, 200, 200, 200, 200, 200)),
    # a body's seal (multipart; sent without a file here, so the allowed callers get the
    # field's 422, and the others the refusal they get for any change to the body)
    Row("PUT", "/organisations/{cb_c}/seal",                 (401, 403, 403, 422, 403, 422)),
    Row("PUT", "/organisations/{org_a}/seal",                (401, 403, 403, 404, 404, 422)),
    Row("PUT", "/organisations/{cb_c}/accreditation",        (401, 403, 403, 403, 403, 200),
        body=ACCREDITATION),
    # users (admin)
    Row("GET", "/users",                                     (401, 403, 403, 403, 403, 200)),
    Row("POST", "/users",                                    (401, 403, 403, 403, 403, 201),
        body=NEW_USER),
    Row("PUT", "/users/{user_a}/role",                       (401, 403, 403, 403, 403, 200),
        body=ROLE_CHANGE),
    Row("PUT", "/users/{user_a}/active",                     (401, 403, 403, 403, 403, 200),
        body=DEACTIVATION),
    # tokens: your own (an admin may revoke anyone's)
    Row("GET", "/tokens",                                    (401, 200, 200, 200, 200, 200),
        lists="{token}", seen_by=("exporter_a",)),
    Row("POST", "/tokens",                                   (401, 201, 201, 201, 201, 201),
        body=READ_TOKEN),
    Row("DELETE", "/tokens/{token}",                         (401, 204, 404, 404, 404, 204)),
    # products, model versions, calculations: exporters (own organisation) and admins
    Row("GET", "/products",                                  (401, 200, 200, 403, 403, 200),
        lists="{product}", seen_by=("exporter_a", "admin")),
    Row("POST", "/products",                                 (401, 201, 201, 403, 403, 403),
        body=NEW_PRODUCT),
    Row("GET", "/products/{product}",                        (401, 200, 404, 403, 403, 200)),
    Row("GET", "/products/{product}/model-versions",         (401, 200, 404, 403, 403, 200),
        lists="{version}", seen_by=("exporter_a", "admin")),
    Row("POST", "/products/{product}/model-versions",        (401, 201, 404, 403, 403, 403),
        body=MODEL),
    Row("GET", "/model-versions/{version}",                  (401, 200, 404, 403, 403, 200)),
    Row("PUT", "/model-versions/{version}",                  (401, 200, 404, 403, 403, 403),
        body=MODEL),
    Row("POST", "/model-versions/{version}/calculations",    (401, 201, 404, 403, 403, 403),
        body={}),
    Row("GET", "/calculations/{calc}",                       (401, 200, 404, 403, 403, 200)),
    Row("POST", "/calculations/{calc}/recompute",            (401, 200, 404, 403, 403, 200)),
    # label requests: exporters their own; certifiers non-draft ones addressed to their body
    Row("GET", "/label-requests",                            (401, 200, 200, 200, 200, 200),
        lists="{request}", seen_by=("exporter_a", "certifier_c", "admin")),
    Row("GET", "/label-requests",                            (401, 200, 200, 200, 200, 200),
        state="draft", lists="{request}", seen_by=("exporter_a", "admin")),
    Row("POST", "/label-requests",                           (401, 201, 404, 403, 403, 403),
        body=NEW_REQUEST),
    Row("GET", "/label-requests/{request}",                  (401, 200, 404, 200, 404, 200)),
    Row("GET", "/label-requests/{request}",                  (401, 200, 404, 404, 404, 200),
        state="draft"),
    # transitions: the exporter's need 'write', the certifier's 'review'; admins take no part
    Row("POST", "/label-requests/{request}/transitions",     (401, 200, 404, 403, 403, 403),
        body=step("submit"), state="draft", if_match=True),
    Row("POST", "/label-requests/{request}/transitions",     (401, 200, 404, 403, 403, 403),
        body=step("withdraw"), if_match=True),
    Row("POST", "/label-requests/{request}/transitions",     (401, 403, 403, 200, 404, 403),
        body=step("start_review"), if_match=True),
    Row("POST", "/label-requests/{request}/transitions",     (401, 403, 403, 200, 404, 403),
        body=step("request_changes", reason="see comments"), state="in_review",
        if_match=True),
    Row("POST", "/label-requests/{request}/transitions",     (401, 403, 403, 200, 404, 403),
        body=step("approve", valid_until=VALID_UNTIL), state="in_review", if_match=True),
    Row("POST", "/label-requests/{request}/transitions",     (401, 403, 403, 200, 404, 403),
        body=step("reject", reason="boundary incomplete"), state="in_review", if_match=True),
    # bulk approval: certifiers with 'review' only; another body's request reads as none
    Row("POST", "/label-requests/approvals",                 (401, 403, 403, 200, 404, 403),
        body=BULK_APPROVAL, state="in_review"),
    Row("POST", "/label-requests/{request}/transitions",     (401, 200, 404, 403, 403, 403),
        body=step("resubmit", calculation_id="{calc}"), state="changes_requested",
        if_match=True),
    # comments: certifiers ask during review, exporters answer (422 without a parent)
    Row("GET", "/label-requests/{request}/comments",         (401, 200, 404, 200, 404, 200),
        state="commented", lists="{comment}",
        seen_by=("exporter_a", "certifier_c", "admin")),
    Row("POST", "/label-requests/{request}/comments",        (401, 422, 404, 201, 404, 403),
        body=QUESTION, state="in_review"),
    Row("POST", "/label-requests/{request}/comments",        (401, 201, 404, 201, 404, 403),
        body=ANSWER, state="commented"),
    Row("GET", "/label-requests/{request}/review",           (401, 200, 404, 200, 404, 200)),
    # labels: public credential and verification; revoked by the issuing body or an admin
    # (a label is public, so another body gets 403, not 404)
    Row("GET", "/labels",                                    (401, 200, 200, 200, 200, 200),
        state="approved", lists="{label}", seen_by=("exporter_a", "certifier_c", "admin")),
    Row("GET", "/labels/{label}/credential",                 (200, 200, 200, 200, 200, 200),
        state="approved"),
    Row("GET", "/labels/{label}/verification",               (200, 200, 200, 200, 200, 200),
        state="approved"),
    Row("GET", "/labels/{label}/receipt",                    (200, 200, 200, 200, 200, 200),
        state="approved"),
    Row("GET", "/labels/{label}/qr.svg",                     (200, 200, 200, 200, 200, 200),
        state="approved"),
    Row("GET", "/labels/{label}/recognition",                (200, 200, 200, 200, 200, 200),
        state="approved"),
    Row("GET", "/labels/{label}/artwork.svg",                (200, 200, 200, 200, 200, 200),
        state="approved"),
    Row("GET", "/labels/{label}/artwork.pdf",                (200, 200, 200, 200, 200, 200),
        state="approved"),
    Row("GET", "/labels/{label}/certificate.pdf",            (200, 200, 200, 200, 200, 200),
        state="approved"),
    Row("GET", "/label-requests/{request}/report.pdf",       (401, 200, 404, 200, 404, 200)),
    Row("GET", "/labels/{label}/pact-footprint",             (401, 200, 404, 200, 404, 200),
        state="approved"),
    Row("POST", "/labels/{label}/revocation",                (401, 403, 403, 200, 403, 200),
        body=REVOCATION, state="approved"),
    Row("POST", "/labels/{label}/suspension",                (401, 403, 403, 200, 403, 200),
        body=SUSPENSION, state="approved"),
    Row("POST", "/labels/{label}/reinstatement",             (401, 403, 403, 200, 403, 200),
        body=REINSTATEMENT, state="suspended"),
    Row("GET", "/status-lists/revocation",                   (200, 200, 200, 200, 200, 200)),
    Row("GET", "/status-lists/revocation/0",                 (200, 200, 200, 200, 200, 200)),
    Row("GET", "/status-lists/suspension/0",                 (200, 200, 200, 200, 200, 200)),
    # PACT data recipients (admin)
    Row("POST", "/pact-clients",                             (401, 403, 403, 403, 403, 201),
        body=PACT_CLIENT),
    # CBAM installations and reports: exporters (own organisation) and admins (read)
    Row("GET", "/cbam/installations",                        (401, 200, 200, 403, 403, 200),
        lists="{installation}", seen_by=("exporter_a", "admin")),
    Row("POST", "/cbam/installations",                       (401, 201, 201, 403, 403, 403),
        body=INSTALLATION),
    Row("GET", "/cbam/installations/{installation}",         (401, 200, 404, 403, 403, 200)),
    Row("PUT", "/cbam/installations/{installation}",         (401, 200, 404, 403, 403, 403),
        body=INSTALLATION, if_match=True, etag_key="installation_etag"),
    Row("GET", "/cbam/installations/{installation}/reports", (401, 200, 404, 403, 403, 200),
        lists="{cbam_report}", seen_by=("exporter_a", "admin")),
    Row("POST", "/cbam/installations/{installation}/reports",
        (401, 201, 404, 403, 403, 403)),
    Row("GET", "/cbam/reports/{cbam_report}",                (401, 200, 404, 403, 403, 200)),
    Row("GET", "/cbam/reports/{cbam_report}/download",       (401, 200, 404, 403, 403, 200)),
    # jobs: the caller's organisation's (admins: any); another organisation's is 404
    Row("GET", "/jobs/{job}",                                (401, 200, 404, 404, 404, 200)),
    Row("GET", "/jobs/{impact_run}",                         (401, 404, 404, 200, 404, 200)),
    # factor releases and impact runs: certifiers (their body's runs) and admins
    Row("GET", "/factor-releases",                           (401, 403, 403, 200, 200, 200)),
    Row("GET", f"/factor-releases/shipped/diff/{CURRENT_RELEASE}",
        (401, 403, 403, 200, 200, 200)),
    Row("POST", "/impact-runs",                              (401, 403, 403, 202, 202, 202),
        body=IMPACT_RUN),
    Row("GET", "/impact-runs/{impact_run}",                  (401, 403, 403, 200, 404, 200)),
    Row("GET", "/impact-runs/{impact_run}/report.csv",       (401, 403, 403, 200, 404, 200)),
    Row("GET", "/impact-runs/{impact_run}/report.xlsx",      (401, 403, 403, 200, 404, 200)),
    Row("GET", "/labels/{label}/impact-flags",               (401, 200, 404, 200, 404, 200),
        state="approved"),
    # audit trail (admin)
    Row("GET", "/audit",                                     (401, 403, 403, 403, 403, 200)),
    Row("GET", "/audit/verify",                              (401, 403, 403, 403, 403, 200)),
]
# fmt: on

CASES = [case for row in MATRIX for case in row.cases()]
REQUEST_STATES = ("draft", "submitted", "in_review", "changes_requested", "commented",
                  "approved", "suspended")


class Resources(Mapping[str, Any]):
    """Exporter A's resources (and world ids) by placeholder name, built on first use.

    The label request (of A, to body C, for `calc`) is brought to `state`; "commented" is
    in_review with one certifier comment, "approved" has issued `label`, "suspended" has
    issued it and certifier C suspended it. Naming `version`
    alone leaves it unfrozen; naming `request` in any state but draft freezes it.
    """

    def __init__(self, world: dict[str, Any], actor: str, state: str) -> None:
        assert state in REQUEST_STATES, state
        self.world, self.state = world, state
        exporter = world["exporter_a"]
        ids = world["ids"]
        self.values: dict[str, Any] = {
            "org_a": ids["exp_a"], "cb_c": ids["cb_c"], "user_a": exporter.user_id,
            "email": f"{actor if actor != ANON else 'exporter_a'}@test.example",
        }

    def __getitem__(self, key: str) -> Any:
        if key not in self.values:
            self.values[key] = getattr(self, f"_build_{key}")()
        return self.values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def prepare(self, case: Case) -> None:
        """Build everything `case` names, so that its call is the only thing measured."""
        fill([case.url, case.body, case.lists], self)
        if case.if_match:
            self[case.etag_key]

    def _build_model(self) -> dict[str, Any]:
        return copy.deepcopy(STEEL)

    def _build_product(self) -> str:
        return create_product(self.world["exporter_a"])["id"]

    def _build_version(self) -> str:
        return upload(self.world["exporter_a"], self["product"], self["model"])["id"]

    def _build_calc(self) -> str:
        return calculate(self.world["exporter_a"], self["version"])["id"]

    def _build_token(self) -> str:
        response = self.world["exporter_a"].post(f"{API}/tokens", json=READ_TOKEN)
        assert response.status_code == 201, response.json
        return response.json["id"]

    def _build_request(self) -> str:
        exporter, certifier = self.world["exporter_a"], self.world["certifier_c"]
        req, etag = draft_request(exporter, self["calc"], self["cb_c"])
        steps = [(exporter, "submit", {}), (certifier, "start_review", {})]
        steps += {"draft": [], "submitted": [], "in_review": [], "commented": [],
                  "changes_requested": [(certifier, "request_changes", {"reason": "see"})],
                  "approved": [(certifier, "approve", {"valid_until": VALID_UNTIL})],
                  "suspended": [(certifier, "approve", {"valid_until": VALID_UNTIL})],
                  }[self.state]
        depth = {"draft": 0, "submitted": 1}.get(self.state, len(steps))
        for actor, action, extra in steps[:depth]:
            response = act(actor, req["id"], action, etag, **extra)
            assert response.status_code == 200, response.json
            etag = response.headers["ETag"]
        self.values["etag"] = etag
        if self.state == "commented":
            response = certifier.post(f"{API}/label-requests/{req['id']}/comments",
                                      json=QUESTION)
            assert response.status_code == 201, response.json
            self.values["comment"] = response.json["id"]
        if self.state == "suspended":
            label = self._label_of(req["id"])
            response = certifier.post(f"{API}/labels/{label}/suspension", json=SUSPENSION)
            assert response.status_code == 200, response.json
        return req["id"]

    def _build_etag(self) -> str:
        self["request"]
        return self.values["etag"]

    def _build_label(self) -> str:
        assert self.state in ("approved", "suspended"), self.state
        return self._label_of(self["request"])

    def _label_of(self, request_id: str) -> str:
        """The label issued for `request_id` (cells sharing a `world` may have issued others)."""
        items = self.world["exporter_a"].get(f"{API}/labels?page_size=200").json["items"]
        labels = [item["id"] for item in items if item["request_id"] == request_id]
        assert len(labels) == 1, (request_id, items)
        return labels[0]

    def _build_cbam_input(self) -> dict[str, Any]:
        return cbam_example("cement-jiangmen")

    def _build_installation(self) -> str:
        response = self.world["exporter_a"].post(f"{API}/cbam/installations",
                                                 json={"input": self["cbam_input"]})
        assert response.status_code == 201, response.json
        self.values["installation_etag"] = response.headers["ETag"]
        return response.json["id"]

    def _build_installation_etag(self) -> str:
        self["installation"]
        return self.values["installation_etag"]

    def _build_cbam_report(self) -> str:
        response = self.world["exporter_a"].post(
            f"{API}/cbam/installations/{self['installation']}/reports")
        assert response.status_code == 201, response.json
        return response.json["id"]

    def _build_job(self) -> str:
        """A Monte Carlo calculation job of exporter A (tests run tasks eagerly)."""
        response = self.world["exporter_a"].post(
            f"{API}/model-versions/{self['version']}/calculations", json=MONTE_CARLO)
        assert response.status_code == 202, response.json
        return response.json["id"]

    def _build_impact_run(self) -> str:
        """An impact run of certifier C's body against a shipped release."""
        response = self.world["certifier_c"].post(f"{API}/impact-runs", json=IMPACT_RUN)
        assert response.status_code == 202, response.json
        return response.json["id"]

    def _build_comment(self) -> str:
        self["request"]
        if "comment" not in self.values:
            raise AssertionError("a row naming {comment} needs state='commented'")
        return self.values["comment"]


class Ghosts(Mapping[str, Any]):
    """The same values, but every id is one that exists nowhere."""

    IDS = frozenset({"org_a", "cb_c", "user_a", "product", "version", "calc", "token",
                     "request", "comment", "installation", "cbam_report", "job",
                     "impact_run"})

    def __init__(self, real: Resources) -> None:
        self.real = real

    def __getitem__(self, key: str) -> Any:
        return GHOST_ID if key in self.IDS else self.real[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.real)

    def __len__(self) -> int:
        return len(self.real)


def fill(template: Any, values: Mapping[str, Any]) -> Any:
    """Put values into "{key}" placeholders, recursively."""
    if isinstance(template, str):
        whole = re.fullmatch(r"\{(\w+)\}", template)
        return values[whole[1]] if whole else template.format_map(values)
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, values) for value in template]
    return template


def call(client: FlaskClient, world: dict[str, Any], actor: str, case: Case,
         values: Mapping[str, Any], token: str | None = None) -> TestResponse:
    """`case` as `actor` (with `token` instead of the actor's own, if given)."""
    url, body = fill(case.url, values), fill(case.body, values)
    headers = {"If-Match": values[case.etag_key]} if case.if_match else {}
    if actor != ANON:
        headers["Authorization"] = f"Bearer {token or world[actor].token}"
    return client.open(url, method=case.method, json=body, headers=headers)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_authorization_matrix(case: Case, world: dict[str, Any], client: FlaskClient) -> None:
    values = Resources(world, case.actor, case.state)
    values.prepare(case)

    response = call(client, world, case.actor, case, values)

    assert response.status_code == case.status, response.get_data(as_text=True)
    if case.lists and response.status_code < 300:
        listed = fill(case.lists, values) in response.get_data(as_text=True)
        assert listed == case.sees, f"{case.lists} {'missing from' if case.sees else 'in'} list"
    if case.status == 404:  # no existence leak: the same answer as for an id that is nowhere
        ghost = call(client, world, case.actor, case, Ghosts(values))
        assert ghost.status_code == 404
        assert response.json["detail"] == ghost.json["detail"]


def test_every_endpoint_has_a_row(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    anything = {key: "x" for key in re.findall(r"\{(\w+)\}", " ".join(r.path for r in MATRIX))}
    covered = set()
    for row in MATRIX:
        rule, _ = adapter.match(API + row.path.format_map(anything), method=row.method,
                                return_rule=True)
        covered.add((rule.rule, row.method))
    served = {(rule.rule, method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith(API + "/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(served - covered)
    assert not missing, f"endpoints without a row in MATRIX: {missing}"


# --- token scopes ----------------------------------------------------------------------------

def read_only(world: dict[str, Any], actor: str) -> Actor:
    """`actor` with a fresh token holding only the "read" scope."""
    response = world[actor].post(f"{API}/tokens", json=READ_TOKEN)
    assert response.status_code == 201, response.json
    assert response.json["scopes"] == ["read"]
    return replace(world[actor], token=response.json["token"])


#: Changes that need no more than the "read" scope, by design (a token still cannot create
#: a token with more scopes than its own: test_read_scope_token_cannot_mint_a_broader_token).
READ_SCOPE_CHANGES = {("POST", "/session"), ("DELETE", "/session"), ("POST", "/tokens"),
                      ("DELETE", "/tokens/{token}"), ("POST", "/footprints/calculate"),
                      ("POST", "/calculations/{calc}/recompute")}


def writes(actor: str) -> list[Case]:
    """The changes MATRIX lets `actor` make with a full token, now expected to answer 403."""
    return [replace(case, status=403) for row in MATRIX for case in row.cases()
            if case.actor == actor and case.method != "GET" and case.status < 300
            and (row.method, row.path) not in READ_SCOPE_CHANGES]


@pytest.mark.parametrize("actor", ["exporter_a", "certifier_c", "admin"])
def test_read_scope_token_cannot_write(actor: str, world: dict[str, Any],
                                       client: FlaskClient) -> None:
    reader = read_only(world, actor)
    assert reader.get(f"{API}/session").status_code == 200
    assert reader.get(f"{API}/label-requests").status_code == 200
    allowed = []
    for case in writes(actor):  # refused calls change nothing, so they can share `world`
        values = Resources(world, actor, case.state)
        values.prepare(case)
        response = call(client, world, actor, case, values, token=reader.token)
        if response.status_code != 403 or "scope" not in response.json["detail"]:
            allowed.append(f"{case.id}: {response.status_code}")
    assert allowed == [], "a read-only token was not refused"


@pytest.mark.parametrize("actor", ["exporter_a", "certifier_c", "admin"])
def test_read_scope_token_cannot_mint_a_broader_token(actor: str,
                                                      world: dict[str, Any]) -> None:
    from app.services.accounts import ROLE_SCOPES

    reader = read_only(world, actor)
    response = reader.post(f"{API}/tokens", json={"name": "escalate",
                                                  "scopes": list(ROLE_SCOPES[reader.role]),
                                                  "days": 1})
    assert response.status_code == 403, response.json


@pytest.mark.parametrize(("actor", "status"), [(ANON, 401), ("certifier_c", 403)])
def test_caller_is_checked_before_the_body(actor: str, status: int, world: dict[str, Any],
                                           client: FlaskClient) -> None:
    case = Case("POST", f"{API}/products", actor, status, body={"colour": "red"})
    response = call(client, world, actor, case, Resources(world, actor, "submitted"))
    assert response.status_code == status, response.json
