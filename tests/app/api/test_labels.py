"""Issued labels end to end: issuance on approval, public verification, offline and online
CLI-style verification, revocation, supersession, the log's proofs, and tampering."""

from __future__ import annotations

import copy
import json

import pytest

from app.trust import offline, online
from tests.app.flows import act, calculate, steel_model, submitted_request, upload
from tests.app.trust.test_merkle import ref_mth, ref_path, ref_proof


def approve(world, request_id: str, etag: str, valid_until: str = "2029-12-31") -> dict:
    certifier = world["certifier_c"]
    etag = act(certifier, request_id, "start_review", etag).headers["ETag"]
    response = act(certifier, request_id, "approve", etag, valid_until=valid_until)
    assert response.status_code == 200, response.json
    return response.json


def issue(world) -> tuple[dict, dict]:
    """A label for exporter A's rebar; returns (label, credential)."""
    request_id, etag = submitted_request(world)
    approve(world, request_id, etag)
    labels = world["exporter_a"].get("/api/v1/labels").json["items"]
    label = next(lb for lb in labels if lb["request_id"] == request_id)
    credential = world["exporter_a"].client.get(f"/api/v1/labels/{label['id']}/credential").json
    return label, credential


def test_approval_issues_a_verifiable_label(world, client):
    label, credential = issue(world)
    assert label["id"].startswith("GBA-")
    assert credential["issuer"] == "did:web:labels.test"
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    subject = credential["credentialSubject"]
    assert subject["labelId"] == label["id"]
    assert subject["footprint"]["kgCO2ePerDeclaredUnit"] > 0
    assert set(subject["footprint"]["iso14067"]) >= {"fossil", "biogenic_removals", "dluc"}
    assert subject["certifier"]["name"] == "Body C"
    assert len(subject["calculation"]["inputsSha256"]) == 64

    verification = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert verification["status"] == "valid", verification
    assert verification["checks"] == {"signature": True, "status_list": True,
                                      "suspension_list": True, "transparency_log": True}
    # lower case and without hyphens is the same label
    typed = label["id"].lower().replace("-", "")
    assert client.get(f"/api/v1/labels/{typed}/verification").json["status"] == "valid"


def test_mistyped_id_is_caught_before_lookup(world, client):
    label, _ = issue(world)
    body = label["id"][:-3] + ("X" if label["id"][-3] != "X" else "Y") + label["id"][-2:]
    response = client.get(f"/api/v1/labels/{body}/verification")
    assert response.status_code == 422
    assert "mistyped" in response.json["detail"] or "check" in response.json["detail"]


@pytest.mark.timezone
def test_offline_verification_with_the_did_document(world, client):
    _, credential = issue(world)
    did_document = client.get("/.well-known/did.json").json
    report = offline.verify_offline(credential, did_document)
    assert report.ok, report.reasons
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"] *= 0.5
    assert not offline.verify_offline(tampered, did_document).ok
    jwks = client.get("/.well-known/jwks.json").json
    assert jwks["keys"][0]["crv"] == "Ed25519"


@pytest.mark.timezone
def test_online_verification_checks_everything_locally(world, client):
    _label, credential = issue(world)

    def fetch(url: str):
        path = url.removeprefix("https://labels.test")
        response = client.get(path)
        assert response.status_code == 200, (url, response.json)
        return response.json

    report = online.verify_online(credential, fetch)
    assert report.ok, report.reasons
    assert set(report.checks) == {"issuer", "signature", "validity", "not_revoked",
                                  "not_suspended", "transparency_log"}


def test_revocation_flips_the_status_list_and_is_logged(world, client):
    label, _credential = issue(world)
    exporter = world["exporter_a"]
    assert exporter.post(f"/api/v1/labels/{label['id']}/revocation",
                         json={"reason": "x"}).status_code == 403
    other = world["certifier_d"].post(f"/api/v1/labels/{label['id']}/revocation",
                                      json={"reason": "x"})
    assert other.status_code == 403
    revoked = world["certifier_c"].post(f"/api/v1/labels/{label['id']}/revocation",
                                        json={"reason": "data error found"})
    assert revoked.status_code == 200
    verification = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert verification["status"] == "revoked"
    assert verification["checks"]["status_list"] is True
    assert "data error found" in verification["reasons"][0]
    kinds = [e["kind"] for e in client.get("/log/entries?start=0&end=10").json]
    assert kinds == ["issuance", "revocation"]
    again = world["certifier_c"].post(f"/api/v1/labels/{label['id']}/revocation",
                                      json={"reason": "twice"})
    assert again.status_code == 409


def test_a_new_certified_version_supersedes_the_old_label(world, client):
    old, _ = issue(world)
    exporter = world["exporter_a"]
    product_id = exporter.get("/api/v1/labels?page_size=10").json["items"][0]["product_id"]
    version = upload(exporter, product_id, steel_model())
    calc = calculate(exporter, version["id"])
    response = exporter.post("/api/v1/label-requests", json={
        "calculation_id": calc["id"], "certification_body_id": world["ids"]["cb_c"],
        "label_type": "footprint_disclosure", "home_scheme": "gba-home"})
    etag = act(exporter, response.json["id"], "submit", response.headers["ETag"]).headers["ETag"]
    approve(world, response.json["id"], etag)
    labels = {lb["id"]: lb for lb in exporter.get("/api/v1/labels").json["items"]}
    new = next(lb for lb in labels.values() if lb["id"] != old["id"])
    assert new["supersedes_id"] == old["id"]
    assert labels[old["id"]]["superseded_by_id"] == new["id"]
    assert client.get(f"/api/v1/labels/{old['id']}/verification").json["status"] == "superseded"
    assert client.get(f"/api/v1/labels/{new['id']}/verification").json["status"] == "valid"
    new_credential = client.get(f"/api/v1/labels/{new['id']}/credential").json
    assert new_credential["credentialSubject"]["supersedes"] == old["id"]


@pytest.mark.timezone
def test_expired_label(world, client, app):
    label, _ = issue(world)
    from app.extensions import db
    from app.persistence import Label

    with app.app_context():
        row = db.session.get(Label, label["id"])
        row.valid_until = row.valid_from.replace(year=row.valid_from.year - 1)
        db.session.commit()
    assert client.get(f"/api/v1/labels/{label['id']}/verification").json["status"] == "expired"


def test_log_proofs_check_against_an_independent_reference(world, client):
    issue(world)
    issue(world)  # a second product's label: now three or more leaves with supersession
    head = client.get("/log/sth").json
    size = head["tree_size"]
    entries = client.get(f"/log/entries?start=0&end={size}").json
    leaves = tuple(e["entry"].encode() for e in entries)
    assert bytes.fromhex(head["root_hash"]) == ref_mth(leaves)
    for index in range(size):
        proof = client.get(f"/log/proof/inclusion?leaf_index={index}&tree_size={size}").json
        assert [bytes.fromhex(h) for h in proof["audit_path"]] == ref_path(index, leaves)
    for old in range(1, size + 1):
        proof = client.get(f"/log/proof/consistency?first={old}&second={size}").json
        assert [bytes.fromhex(h) for h in proof["consistency"]] == ref_proof(old, leaves)
    first = client.get("/log/sth/1").json
    assert bytes.fromhex(first["root_hash"]) == ref_mth(leaves[:1])


def test_every_log_entry_names_its_label_and_hash(world, client):
    label, credential = issue(world)
    entry = json.loads(client.get("/log/entries?start=0&end=1").json[0]["entry"])
    assert entry["label_id"] == label["id"] and entry["kind"] == "issuance"
    from lca_models.canonical import sha256_hex

    assert entry["credential_sha256"] == sha256_hex(credential)


@pytest.mark.parametrize("path", ["/log/proof/inclusion?leaf_index=5",
                                  "/log/proof/consistency?first=3&second=2",
                                  "/log/entries?start=0&end=5000"])
def test_bad_log_queries(world, client, path):
    issue(world)
    response = client.get(path)
    assert response.status_code == 422


def test_public_endpoints_are_rate_limited(world, client, app):
    label, _ = issue(world)
    app.config["RATELIMIT_PUBLIC"] = "3 per minute"
    codes = [client.get(f"/api/v1/labels/{label['id']}/verification").status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429
