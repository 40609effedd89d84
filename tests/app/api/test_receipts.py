"""Verification receipts: served for every label, checked offline part by part by the CLI,
and every tampered part fails with the check it breaks named."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cli import main
from app.trust import checkpoint, receipt, signing
from app.trust.checkpoint import Checkpoint
from app.trust.keys import did_document
from app.trust.receipt import ReceiptError, verify_receipt
from tests.app.api.test_labels import issue

CHECKS = {"issuer", "signature", "validity", "log_entry", "checkpoint", "inclusion",
          "not_revoked", "not_suspended"}


@pytest.fixture
def served(world, client) -> dict:
    for _ in range(2):
        label, _credential = issue(world)  # the second label sits at index 1 of 2+ leaves
    response = client.get(f"/api/v1/labels/{label['id']}/receipt")
    assert response.status_code == 200, response.json
    assert "attachment" in response.headers["Content-Disposition"]
    return response.json


@pytest.mark.timezone  # the validity window, just after issuance
def test_a_served_receipt_verifies_offline_check_by_check(served, client):
    assert served["type"] == "CarbonLabelVerificationReceipt"
    proof = served["inclusion_proof"]
    assert proof.startswith("c2sp.org/tlog-proof@v1\nindex 1\n")
    assert proof.endswith(client.get("/log/checkpoint").get_data(as_text=True))
    assert served["did_document"] == client.get("/.well-known/did.json").json
    assert served["status_list_credential"] == client.get(
        "/api/v1/status-lists/revocation").json
    assert served["suspension_list_credential"] == client.get(
        "/api/v1/status-lists/suspension/0").json
    report = verify_receipt(served)
    assert report.ok, report.reasons
    assert set(report.checks) == CHECKS


def stranger_resign(document: dict) -> dict:
    stranger = Ed25519PrivateKey.generate()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return signing.sign(unsigned, stranger, document["proof"]["verificationMethod"],
                        created=document["proof"]["created"])


def _entry(r: dict, change) -> None:
    fields = json.loads(r["log_entry"]["entry"])
    change(fields)
    r["log_entry"]["entry"] = json.dumps(fields, separators=(",", ":"), sort_keys=True)


def _proof_hash(r: dict) -> None:
    lines = r["inclusion_proof"].split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    r["inclusion_proof"] = "\n".join(lines)


def _checkpoint_root(r: dict) -> None:
    parsed = checkpoint.parse_proof(r["inclusion_proof"])
    lines = parsed.checkpoint.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    r["inclusion_proof"] = checkpoint.format_proof(parsed.index, parsed.hashes,
                                                   "\n".join(lines))


def _forged_checkpoint(r: dict) -> None:
    """A checkpoint signed by a stranger's key under the right origin."""
    parsed = checkpoint.parse_proof(r["inclusion_proof"])
    found = checkpoint.unverified(parsed.checkpoint)
    forged = checkpoint.sign(Checkpoint(found.origin, found.size, found.root_hash),
                             Ed25519PrivateKey.generate())
    r["inclusion_proof"] = checkpoint.format_proof(parsed.index, parsed.hashes, forged)


def _revoked_list(r: dict) -> None:
    from app.trust import status_list

    index = r["credential"]["credentialStatus"][0]["statusListIndex"]
    r["status_list_credential"]["credentialSubject"]["encodedList"] = status_list.encode(
        [int(index)])


MUTATIONS = {
    "footprint": (lambda r: r["credential"]["credentialSubject"]["footprint"].update(
        kgCO2ePerDeclaredUnit=1.0), {"signature", "log_entry"}),
    "credential re-signed by a stranger": (
        lambda r: r.update(credential=stranger_resign(r["credential"])),
        {"signature", "log_entry"}),
    "entry names another hash": (lambda r: _entry(r, lambda f: f.update(
        credential_sha256="0" * 64)), {"log_entry", "inclusion"}),
    "entry kind": (lambda r: _entry(r, lambda f: f.update(kind="revocation")),
                   {"log_entry", "inclusion"}),
    "entry index": (lambda r: r["log_entry"].update(index=0), {"log_entry", "inclusion"}),
    "proof hash": (_proof_hash, {"inclusion"}),
    "proof index": (lambda r: r.update(inclusion_proof=r["inclusion_proof"].replace(
        "index 1\n", "index 0\n")), {"inclusion"}),
    "checkpoint root": (_checkpoint_root, {"checkpoint", "inclusion"}),
    "checkpoint by a stranger": (_forged_checkpoint, {"checkpoint", "inclusion"}),
    "status bit set, list unsigned": (_revoked_list, {"not_revoked"}),
    "status list re-signed by a stranger": (lambda r: r.update(
        status_list_credential=stranger_resign(r["status_list_credential"])),
        {"not_revoked"}),
    "suspension list re-signed by a stranger": (lambda r: r.update(
        suspension_list_credential=stranger_resign(r["suspension_list_credential"])),
        {"not_suspended"}),
    "suspension list left out": (lambda r: r.pop("suspension_list_credential"),
                                 {"not_suspended"}),
    "revocation list given as the suspension list": (lambda r: r.update(
        suspension_list_credential=r["status_list_credential"]), {"not_suspended"}),
    "DID document with a stranger's key": (lambda r: r.update(did_document=did_document(
        r["did_document"]["id"], [(r["did_document"]["assertionMethod"][0].split("#")[1],
                                   Ed25519PrivateKey.generate().public_key(), "current")])),
        {"signature", "checkpoint", "inclusion", "not_revoked", "not_suspended"}),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_tampered_part_fails_with_its_check_named(served, name):
    mutate, failing = MUTATIONS[name]
    tampered = copy.deepcopy(served)
    mutate(tampered)
    report = verify_receipt(tampered)
    assert not report.ok
    assert {check for check, ok in report.checks.items() if not ok} == failing, report.reasons


@pytest.mark.timezone  # the validity window, just after issuance
def test_an_expired_receipt_fails_its_validity_check(served):
    report = verify_receipt(served, now=datetime(2099, 1, 1, tzinfo=UTC))
    assert {c for c, ok in report.checks.items() if not ok} == {"validity"}


def test_a_revoked_label_has_a_receipt_that_says_so(world, client):
    label, _ = issue(world)
    world["certifier_c"].post(f"/api/v1/labels/{label['id']}/revocation",
                              json={"reason": "data error"})
    report = verify_receipt(client.get(f"/api/v1/labels/{label['id']}/receipt").json)
    assert {c for c, ok in report.checks.items() if not ok} == {"not_revoked"}
    assert any("REVOKED" in reason for reason in report.reasons)


def test_receipt_files_are_parsed_strictly(served):
    text = json.dumps(served)
    assert receipt.load(text.encode())["label_id"] == served["label_id"]
    duplicated = text.replace('"version": 1', '"version": 1, "version": 2')
    with pytest.raises(ReceiptError, match="duplicate member name 'version'"):
        receipt.load(duplicated.encode())
    with pytest.raises(ReceiptError, match="lacks status_list_credential"):
        receipt.load(json.dumps({**served, "status_list_credential": None}).encode())
    with pytest.raises(ReceiptError, match="at most"):
        receipt.load(b" " * (receipt.MAX_RECEIPT_BYTES + 1))


@pytest.mark.timezone  # the validity window, just after issuance
def test_cli_verifies_a_receipt_and_names_a_failure(served, runner, tmp_path):
    good = tmp_path / "good.receipt.json"
    good.write_text(json.dumps(served))
    state = ["--state-dir", str(tmp_path / "state")]
    result = runner.invoke(main, ["verify", str(good), *state])
    assert result.exit_code == 0, result.output
    for check in CHECKS:
        assert f"{check:<16} ok" in result.output
    assert result.output.rstrip().endswith("VERIFIED")
    bad = copy.deepcopy(served)
    _proof_hash(bad)
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    result = runner.invoke(main, ["verify", str(tmp_path / "bad.json"), *state])
    assert result.exit_code == 1
    assert "inclusion        FAILED" in result.output and "NOT VERIFIED" in result.output


def test_receipt_endpoint_is_public_rate_limited_and_documented(world, client, app):
    label, _ = issue(world)
    assert "/api/v1/labels/{label_id}/receipt" in client.get("/api/openapi.json").json["paths"]
    app.config["RATELIMIT_PUBLIC"] = "2 per minute"
    codes = [client.get(f"/api/v1/labels/{label['id']}/receipt").status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_verify_page_and_answer_offer_the_receipt(world, client):
    label, _ = issue(world)
    answer = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert client.get(answer["receipt"]).json["label_id"] == label["id"]
    page = client.get(f"/verify/{label['id']}").get_data(as_text=True)
    assert f'href="/api/v1/labels/{label["id"]}/receipt"' in page
