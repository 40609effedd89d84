"""The served checkpoint checks out with nothing but the published verifier key and the
served text, by code written here from the C2SP specs (not the project's note module); the
JSON view says only what the note says; heads from before checkpoints are re-signed."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.app.api.test_labels import issue
from tests.app.trust.test_merkle import ref_mth


def independent_verify(vkey: str, served: str) -> tuple[str, int, bytes]:
    """signed-note + tlog-checkpoint, from the specs' prose: (origin, size, root)."""
    name, key_hash, material = vkey.split("+", 2)
    raw = base64.b64decode(material)
    assert raw[0] == 0x01 and len(raw) == 33
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_hash
    text, _, signatures = served.rpartition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        dash, signer, blob = line.split(" ")
        decoded = base64.b64decode(blob)
        if dash == "\u2014" and signer == name and decoded[:4].hex() == key_hash:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(decoded[4:], text.encode())
            break
    else:
        raise AssertionError("no signature by the published key")
    origin, size, root = text.splitlines()
    return origin, int(size), base64.b64decode(root)


def test_served_checkpoint_verifies_with_only_the_published_key(world, client):
    for _ in range(3):
        issue(world)
    keys = client.get("/.well-known/carbonlabel-log-key")
    assert keys.mimetype == "text/plain"
    vkey = keys.get_data(as_text=True).splitlines()[0]
    served = client.get("/log/checkpoint")
    assert served.mimetype == "text/plain"
    origin, size, root = independent_verify(vkey, served.get_data(as_text=True))
    assert origin == "labels.test/log" and vkey.startswith("labels.test/log+")
    entries = client.get(f"/log/entries?start=0&end={size}").json
    assert size == len(entries) == 3
    assert root == ref_mth(tuple(e["entry"].encode() for e in entries))
    for earlier in (1, 2):  # earlier heads are served and signed too
        at = client.get(f"/log/checkpoint/{earlier}").get_data(as_text=True)
        assert independent_verify(vkey, at)[1:] == (
            earlier, ref_mth(tuple(e["entry"].encode() for e in entries[:earlier])))


def test_json_view_is_parsed_from_the_signed_note(world, client):
    issue(world)
    head = client.get("/log/sth").json
    assert head["checkpoint"] == client.get("/log/checkpoint").get_data(as_text=True)
    text = head["checkpoint"].split("\n\n")[0].split("\n")
    assert [head["origin"], str(head["tree_size"]), head["root_hash_base64"]] == text
    assert bytes.fromhex(head["root_hash"]) == base64.b64decode(text[2])
    assert "timestamp" not in head  # not signed, so not said
    discovery = client.get("/.well-known/carbonlabel-log.json").json
    assert discovery["origin"] == "labels.test/log" and discovery["issuer"] == "did:web:labels.test"
    assert discovery["verifier_keys"][0]["status"] == "current"
    did = client.get("/.well-known/did.json").json
    assert discovery["verifier_keys"][0]["verification_method"] in did["assertionMethod"]


def test_rotation_keeps_old_checkpoints_verifiable(world, client, app):
    issue(world)
    old_checkpoint = client.get("/log/checkpoint/1").get_data(as_text=True)
    from app.extensions import db
    from app.services import keys

    with app.app_context():
        keys.generate(db.session, app.config["KEYS_DIR"], rotate=True)
        db.session.commit()
    issue(world)
    published = client.get("/.well-known/carbonlabel-log-key").get_data(as_text=True)
    current, retired = published.splitlines()
    assert independent_verify(retired, old_checkpoint)[1] == 1
    latest = client.get("/log/checkpoint").get_data(as_text=True)
    assert independent_verify(current, latest)[1] >= 2


def test_heads_from_before_checkpoints_are_re_signed(world, client, app):
    label, _ = issue(world)
    from app.extensions import db
    from app.persistence import TreeHead
    from app.services import keys
    from app.services import transparency_log as tlog

    with app.app_context():
        db.session.query(TreeHead).update({TreeHead.checkpoint: None})
        db.session.commit()
    assert client.get("/log/checkpoint").status_code == 404
    assert "db upgrade" in client.get("/log/sth").json["detail"]
    verdict = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert verdict["checks"]["transparency_log"] is False
    with app.app_context():
        key = keys.active_key(db.session)
        private = keys.load_private(app.config["KEYS_DIR"], key)
        assert tlog.sign_checkpoints(db.session, "labels.test/log", key, private) == 1
        db.session.commit()
    vkey = client.get("/.well-known/carbonlabel-log-key").get_data(as_text=True).split()[0]
    assert independent_verify(vkey, client.get("/log/checkpoint").get_data(as_text=True))[1] == 1
    verdict = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert verdict["checks"]["transparency_log"] is True


def test_an_altered_stored_checkpoint_fails_verification(world, client, app):
    label, _ = issue(world)
    from app.extensions import db
    from app.persistence import TreeHead

    with app.app_context():
        head = db.session.get(TreeHead, 1)
        head.checkpoint = head.checkpoint.replace("labels.test/log\n1\n", "labels.test/log\n2\n")
        db.session.commit()
    verdict = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert verdict["checks"]["transparency_log"] is False
    assert verdict["status"] == "invalid"
