"""The pinned issuer: keys and labels store their did:web, the app refuses to start as another
DID (or, outside development mode, as an http or IP-address did:web), `carbonlabel issuer
move` moves it on purpose and keeps the old DID document published."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app import create_app
from app.cli import main
from app.extensions import db
from app.persistence import AuditEntry, Label, SigningKey
from app.services import issuer_pin, pact_host, transaction
from app.services.issuer import issuer_from_config
from app.trust import did_web, offline
from tests.app.api.test_labels import issue

SHARED = ("TESTING", "SQLALCHEMY_DATABASE_URI", "INSTANCE_DIR", "SECRET_KEY", "BRIGHTWAY_DIR",
          "KEYS_DIR")


def _start(app, **config):
    other = create_app({**{name: app.config[name] for name in SHARED},
                        "VERIFICATION_LISTEN": False, **config})
    return other


def _dispose(other) -> None:
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_keys_and_labels_store_the_issuer_did(world, app):
    label, credential = issue(world)
    with app.app_context():
        assert db.session.get(Label, label["id"]).issuer_did == credential["issuer"] == (
            "did:web:labels.test")
        assert {k.issuer_did for k in db.session.scalars(select(SigningKey))} == {
            "did:web:labels.test"}


def test_starting_as_another_issuer_is_refused_with_an_explanation(world, app):
    issue(world)
    with pytest.raises(issuer_pin.IssuerPinError) as refused:
        _start(app, PUBLIC_URL="https://carbon.example")
    message = str(refused.value)
    assert "did:web:labels.test" in message and "did:web:carbon.example" in message
    assert "1 label(s)" in message and "carbonlabel issuer move https://carbon.example" in message
    _dispose(_start(app, PUBLIC_URL="https://labels.test/"))  # the same DID starts


def test_a_fresh_instance_starts_under_any_https_domain(app):
    _dispose(_start(app, PUBLIC_URL="https://carbon.example"))


@pytest.mark.parametrize("url", ["http://labels.example", "https://10.0.0.7",
                                 "http://127.0.0.1:8000"])
def test_http_or_ip_public_urls_need_development_mode(app, url):
    with pytest.raises(did_web.DidWebError, match="CARBONLABEL_DEV=1"):
        _start(app, PUBLIC_URL=url)
    _dispose(_start(app, PUBLIC_URL=url, DEV_MODE=True))


def test_the_cli_refuses_too(world, runner, monkeypatch, database_url):
    issue(world)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CARBONLABEL_PUBLIC_URL", "https://carbon.example")
    result = runner.invoke(main, ["users", "list"])
    assert result.exit_code == 2
    assert "issuer move" in result.stderr and "Traceback" not in result.output


def test_issuer_move_keeps_earlier_labels_verifiable(world, app, client, runner, monkeypatch,
                                                    database_url):
    old_label, old_credential = issue(world)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CARBONLABEL_PUBLIC_URL", "https://labels.test")
    moved = runner.invoke(main, ["issuer", "move", "https://carbon.example", "--yes"])
    assert moved.exit_code == 0, moved.output + moved.stderr
    assert "did:web:labels.test -> did:web:carbon.example" in moved.output
    shown = runner.invoke(main, ["issuer", "show"])  # the environment still has the old URL
    assert shown.exit_code == 0, shown.stderr
    assert "pinned     did:web:carbon.example   MISMATCH" in shown.output
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "issuer.moved"))
        assert entry.details["from_did"] == "did:web:labels.test"
        assert entry.details["to_did"] == "did:web:carbon.example"
        keys = {k.id: k for k in db.session.scalars(select(SigningKey))}
        assert sorted(k.issuer_did for k in keys.values()) == [
            "did:web:carbon.example", "did:web:labels.test"]
    # the old public URL is now refused, the new one starts
    with pytest.raises(issuer_pin.IssuerPinError):
        _start(app, PUBLIC_URL="https://labels.test")
    new = _start(app, PUBLIC_URL="https://carbon.example")
    try:
        web = new.test_client()
        old_doc = web.get("/.well-known/did.json", base_url="https://labels.test").json
        new_doc = web.get("/.well-known/did.json", base_url="https://carbon.example").json
        assert old_doc["id"] == "did:web:labels.test"
        assert new_doc["id"] == "did:web:carbon.example"
        assert {m["id"].split("#")[1] for m in old_doc["verificationMethod"]} == {
            k for k, v in keys.items() if v.issuer_did == "did:web:labels.test"}
        assert len(new_doc["verificationMethod"]) == 1
        assert offline.verify_offline(old_credential, old_doc).ok
        assert not offline.verify_offline(old_credential, new_doc).ok
        answer = web.get(f"/api/v1/labels/{old_label['id']}/verification").json
        assert answer["status"] == "valid", answer
        with new.app_context():
            label = db.session.get(Label, old_label["id"])
            footprint = pact_host.footprint_for_label(db.session, label,
                                                      issuer_from_config(new.config))
        text = json.dumps(footprint)
        assert '"issuer": "did:web:labels.test"' in text
        assert "did:web:carbon.example" not in text
    finally:
        _dispose(new)


def test_moving_to_the_same_issuer_is_refused(world, app):
    issue(world)
    with app.app_context(), pytest.raises(issuer_pin.IssuerPinError, match="already"), \
            transaction() as session:
        issuer_pin.move(session, app.config["KEYS_DIR"], "https://labels.test", False)


def test_path_based_public_url_serves_the_document_where_did_web_looks(app):
    other = _start(app, PUBLIC_URL="https://example.org/labels/gba")
    try:
        with other.app_context(), transaction() as session:
            from app.services import keys

            keys.generate(session, other.config["KEYS_DIR"],
                          did=issuer_from_config(other.config).did)
        web = other.test_client()
        did = "did:web:example.org:labels:gba"
        # behind a proxy that strips the prefix, and reached with the full path
        assert web.get("/did.json").json["id"] == did
        direct = web.get("/labels/gba/did.json", base_url="https://example.org")
        assert direct.status_code == 200 and direct.json["id"] == did
        assert did_web.parse(did).document_url() == "https://example.org/labels/gba/did.json"
        # /.well-known/did.json would be did:web:example.org's place, not ours
        assert web.get("/.well-known/did.json").status_code == 404
    finally:
        _dispose(other)
