"""The per-process verification cache: reused only for an unchanged label on the same day.

Two app objects on one database stand for two gunicorn workers (each has its own cache): what
one of them changes, the other must see on its very next verification, never a cached "valid".
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.services import verification
from app.services.issuer import issuer_from_config
from tests.app.api.test_labels import issue

SHARED = ("TESTING", "SQLALCHEMY_DATABASE_URI", "INSTANCE_DIR", "SECRET_KEY", "BRIGHTWAY_DIR",
          "KEYS_DIR", "PUBLIC_URL")


@pytest.fixture
def other_app(app) -> Iterator[Flask]:
    """A second app (own cache, own connection pool) on the same database and keys."""
    other = create_app({name: app.config[name] for name in SHARED})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _verify(flask_app: Flask, label_id: str) -> dict:
    response = flask_app.test_client().get(f"/api/v1/labels/{label_id}/verification")
    assert response.status_code == 200, response.json
    return response.json


def test_a_repeated_verification_is_served_from_the_cache(world, app):
    label, _ = issue(world)
    cache = verification.cache_for(app)
    first = _verify(app, label["id"])
    hits = cache.hits
    second = _verify(app, label["id"])
    assert cache.hits == hits + 1
    assert first == second and second["status"] == "valid"
    with app.app_context():
        fresh = verification.verify_label(db.session, label["id"],
                                          issuer_from_config(app.config))
    assert fresh.status == "valid" and fresh.checks == second["checks"]
    assert fresh.reasons == second["reasons"] and fresh.log == second["log"]


def test_a_revocation_by_another_worker_is_seen_at_once(world, app, other_app):
    label, _ = issue(world)
    assert _verify(app, label["id"])["status"] == "valid"  # now cached in `app`
    certifier = dataclasses.replace(world["certifier_c"], client=other_app.test_client())
    revoked = certifier.post(f"/api/v1/labels/{label['id']}/revocation",
                             json={"reason": "withdrawn by the other worker"})
    assert revoked.status_code == 200
    result = _verify(app, label["id"])
    assert result["status"] == "revoked"
    assert result["checks"]["status_list"] is True
    assert "withdrawn by the other worker" in result["reasons"][0]


def test_a_supersession_by_another_worker_is_seen_at_once(world, app, other_app):
    from tests.app.api.test_labels import approve
    from tests.app.flows import act, calculate, steel_model, upload

    old, _ = issue(world)
    assert _verify(app, old["id"])["status"] == "valid"
    exporter = dataclasses.replace(world["exporter_a"], client=other_app.test_client())
    version = upload(exporter, old["product_id"], steel_model())
    calc = calculate(exporter, version["id"])
    created = exporter.post("/api/v1/label-requests", json={
        "calculation_id": calc["id"], "certification_body_id": world["ids"]["cb_c"],
        "label_type": "footprint_disclosure", "home_scheme": "gba-home"})
    etag = act(exporter, created.json["id"], "submit", created.headers["ETag"]).headers["ETag"]
    approve({**world, "certifier_c": dataclasses.replace(
        world["certifier_c"], client=other_app.test_client())}, created.json["id"], etag)
    result = _verify(app, old["id"])
    assert result["status"] == "superseded"
    assert result["details"]["superseded_by"]


def test_a_credential_altered_in_the_database_fails_even_when_cached(world, app, other_app):
    label, credential = issue(world)
    assert _verify(app, label["id"])["status"] == "valid"
    credential["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"] *= 0.5
    with other_app.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE labels SET credential = :c WHERE id = :id"),
                     {"c": json.dumps(credential), "id": label["id"]})
    result = _verify(app, label["id"])
    assert result["status"] == "invalid"
    assert result["checks"]["signature"] is False


def test_expiry_is_seen_on_the_day_after_even_when_cached(world, app, monkeypatch):
    label, _ = issue(world)
    assert _verify(app, label["id"])["status"] == "valid"
    day_after = date.fromisoformat(label["valid_until"]) + timedelta(days=1)

    class Tomorrow(date):
        @classmethod
        def today(cls) -> date:
            return day_after

    monkeypatch.setattr(verification, "date", Tomorrow)
    assert _verify(app, label["id"])["status"] == "expired"


def test_the_cache_is_bounded():
    cache = verification.VerificationCache(max_entries=2)
    for name in "abc":
        cache.put((name, b"k"), verification.Verification(label_id=name, status="valid"))
    assert cache.get(("a", b"k")) is None
    assert cache.get(("c", b"k")).label_id == "c"
    assert cache.get(("c", b"other state")) is None


def test_an_altered_status_list_fails_even_when_its_check_is_remembered(world, app, other_app):
    label, _ = issue(world)
    second, _ = issue(world)
    assert _verify(app, label["id"])["checks"]["status_list"] is True  # list check remembered
    listed = app.test_client().get("/api/v1/status-lists/revocation").json
    listed["validFrom"] = "2020-01-01T00:00:00Z"  # any edit breaks the list's signature
    with other_app.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE status_lists SET credential = :c WHERE purpose = 'revocation'"),
                     {"c": json.dumps(listed)})
    for label_id in (label["id"], second["id"]):  # cached, and never verified before
        result = _verify(app, label_id)
        assert result["checks"]["status_list"] is False
        assert result["status"] == "invalid"
