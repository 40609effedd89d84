"""Key rotation, the verification page, QR codes, the verify command, concurrent issuance."""

from __future__ import annotations

import copy
import json
import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.trust import merkle, offline
from lca_models.canonical import canonical_json
from tests.app.api.test_labels import issue


def test_labels_signed_before_a_rotation_still_verify(world, client, app):
    old_label, old_credential = issue(world)
    from app.services import keys, transaction

    with app.app_context(), transaction() as session:
        keys.generate(session, app.config["KEYS_DIR"], rotate=True)
    did = client.get("/.well-known/did.json").json
    assert len(did["verificationMethod"]) == 2
    assert offline.verify_offline(old_credential, did).ok
    assert client.get(f"/api/v1/labels/{old_label['id']}/verification").json["status"] in (
        "valid",)
    _, new_credential = issue(world)
    assert new_credential["proof"]["verificationMethod"] != old_credential["proof"][
        "verificationMethod"]
    assert offline.verify_offline(new_credential, did).ok


def test_private_keys_stay_out_of_the_database_and_responses(world, client, app):
    issue(world)
    key_file = next((app.config["KEYS_DIR"]).glob("*.pem"))
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    pem_body = key_file.read_text().splitlines()[1]
    did = client.get("/.well-known/did.json").text + client.get("/.well-known/jwks.json").text
    assert pem_body not in did and '"d"' not in did


def test_verification_page_in_each_language_without_javascript(world, client):
    label, _ = issue(world)
    page = client.get(f"/verify/{label['id']}?lang=zh-Hans")
    assert page.status_code == 200
    assert "有效" in page.text and "<script" not in page.text
    assert "Valid" in client.get(f"/verify/{label['id']}?lang=en").text
    assert "Body C" in page.text
    form = client.get(f"/verify?id={label['id'].lower()}")
    assert form.status_code == 302 and form.headers["Location"].endswith(label["id"].lower())
    typo = client.get("/verify/GBA-2026-AAAA-AAAA-Z?lang=zh-Hans")
    assert typo.status_code in (404, 422)
    assert "编号" in typo.text


def test_qr_encodes_the_verification_url(world, client):
    label, _ = issue(world)
    svg = client.get(f"/api/v1/labels/{label['id']}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    import segno

    expected = segno.make(f"https://labels.test/verify/{label['id']}", error="m")
    assert expected.svg_inline(scale=4, border=4).split("<path")[1][:400] in svg.text


def test_verify_command_offline_and_tampered(world, client, tmp_path, runner):
    _, credential = issue(world)
    cred = tmp_path / "credential.json"
    cred.write_text(json.dumps(credential))
    did = tmp_path / "did.json"
    did.write_text(client.get("/.well-known/did.json").text)
    good = runner.invoke(main, ["verify", str(cred), "--did-document", str(did)])
    assert good.exit_code == 0 and "VERIFIED" in good.output
    credential["validUntil"] = "2099-01-01T00:00:00Z"
    cred.write_text(json.dumps(credential))
    bad = runner.invoke(main, ["verify", str(cred), "--did-document", str(did)])
    assert bad.exit_code == 1 and "NOT VERIFIED" in bad.output
    missing = runner.invoke(main, ["verify", str(cred)])
    assert missing.exit_code == 2 and "DID document" in missing.stderr


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path


def _differs(new, old) -> bool:
    try:
        return canonical_json(new) != canonical_json(old)
    except Exception:  # not representable in JCS at all: certainly not the signed value
        return True


@pytest.fixture
def issued(world, client):
    _, credential = issue(world)
    return credential, client.get("/.well-known/did.json").json


@settings(max_examples=150, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_change_to_an_issued_credential_fails_verification(issued, data):
    credential, did = issued
    # Every leaf but the credential's own @context entries beyond the first: by the spec's
    # design the proof covers the proof's @context, which the document only has to start with.
    paths = [p for p in sorted(_leaves(credential), key=str)
             if not (p[0] == "@context" and p[1] >= 1)]
    path = data.draw(st.sampled_from(paths))
    mutated = copy.deepcopy(credential)
    target = mutated
    for step in path[:-1]:
        target = target[step]
    old = target[path[-1]]
    # A different JSON value: 1 and 1.0 are the same number in JSON (and in JCS).
    new = data.draw(st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False),
                              st.booleans(), st.none()).filter(lambda v: _differs(v, old)))
    target[path[-1]] = new
    assert not offline.verify_offline(mutated, did).checks["signature"]


def test_concurrent_issuance_gives_unique_ids_and_a_consistent_log(world, app):
    """Eight threads approve eight requests at once (PostgreSQL, real connections), while
    four more append to the audit chain on their own (issuance takes the chain's lock early,
    with the log's)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrency is tested on PostgreSQL")
    from tests.app.api.test_labels import approve as _approve  # noqa: F401
    from tests.app.flows import act, submitted_request

    certifier = world["certifier_c"]
    ready = []
    for _ in range(8):
        request_id, etag = submitted_request(world)
        ready.append((request_id, act(certifier, request_id, "start_review", etag)
                      .headers["ETag"]))
    codes: list[int] = []

    def approve_one(request_id: str, etag: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/label-requests/{request_id}/transitions",
                               json={"action": "approve", "valid_until": "2030-06-30"},
                               headers={"Authorization": f"Bearer {certifier.token}",
                                        "If-Match": etag})
        codes.append(response.status_code)

    def other_audit_writer(number: int) -> None:
        from app.extensions import db
        from app.persistence import User
        from app.services import accounts, transaction

        with app.app_context():
            barrier.wait()
            with transaction() as session:
                accounts.create_token(session, session.get(User, world["admin"].user_id),
                                      name=f"concurrent {number}", scopes=["read"], days=1)
            db.session.remove()

    barrier = threading.Barrier(len(ready) + 4)
    threads = [threading.Thread(target=approve_one, args=item) for item in ready]
    threads += [threading.Thread(target=other_audit_writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert codes == [200] * len(ready)
    from app.extensions import db
    from app.services import audit

    with app.app_context():
        assert audit.verify(db.session).ok
        db.session.remove()
    client = app.test_client()
    labels = world["admin"].get("/api/v1/labels?page_size=50").json["items"]
    assert len({lb["id"] for lb in labels}) == len(ready)
    assert len({lb["credential_sha256"] for lb in labels}) == len(ready)
    head = client.get("/log/sth").json
    assert head["tree_size"] == len(ready)  # one issuance event each, no supersession
    entries = client.get(f"/log/entries?start=0&end={head['tree_size']}").json
    root = bytes.fromhex(head["root_hash"])
    for entry in random.sample(entries, 4):
        proof = client.get(f"/log/proof/inclusion?leaf_index={entry['leaf_index']}").json
        assert merkle.verify_inclusion(merkle.leaf_hash(entry["entry"].encode()),
                                       entry["leaf_index"], head["tree_size"],
                                       [bytes.fromhex(h) for h in proof["audit_path"]], root)


def test_approval_without_an_active_key_is_refused_and_writes_nothing(world, app):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.persistence import AuditEntry, Label, LogEntry, SigningKey
    from app.persistence.types import utcnow
    from tests.app.flows import act, submitted_request

    with app.app_context():
        for key in db.session.scalars(select(SigningKey)):
            key.retired_at = utcnow()
        db.session.commit()
    certifier = world["certifier_c"]
    request_id, etag = submitted_request(world)
    etag = act(certifier, request_id, "start_review", etag).headers["ETag"]
    with app.app_context():
        audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    refused = act(certifier, request_id, "approve", etag, valid_until="2030-06-30")
    assert refused.status_code == 409 and "signing key" in refused.json["detail"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Label)) == 0
        assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert world["certifier_c"].get(f"/api/v1/label-requests/{request_id}").json[
        "state"] == "in_review"
