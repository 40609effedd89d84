"""The per-process verification cache: reused only for an unchanged label on the same day.

Two app objects on one database stand for two gunicorn workers (each has its own cache): what
one of them changes, the other must see on its next verification, never a cached "valid". On
SQLite that is the very next request (each one re-reads the label's state). On PostgreSQL
each app's change feed is first let settle, so the cached answer is served without a query,
and after the change the test waits (a few seconds at most) for the feed to hear the commit,
which is what a worker does too.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import text

from app import create_app
from app.clock import FixedClock, end_of_day
from app.extensions import db
from app.services import verification
from app.services.issuer import issuer_from_config
from app.web import http_cache
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


def _settled(flask_app: Flask) -> int | None:
    """The app's change-feed token once it listens and has heard everything committed so far
    (unmoved for 0.3 s); None without a feed (SQLite)."""
    feed = http_cache.cache_for(flask_app).feed
    if feed is None:
        return None
    token, deadline = feed.wait_for_token(15), time.monotonic() + 15
    assert token is not None, "the change feed did not start listening"
    while (moved := feed.wait_for_token(0.3, unlike=token)) is not None:
        token = moved
        assert time.monotonic() < deadline, "the change feed did not settle"
    return token


def _cached(flask_app: Flask, label_id: str) -> tuple[dict, int | None]:
    """Verify with the cache armed: on PostgreSQL the repeat is served without a query."""
    token = _settled(flask_app)
    cache = http_cache.cache_for(flask_app)
    first = _verify(flask_app, label_id)
    unread = cache.unread
    assert _verify(flask_app, label_id) == first
    if token is not None:
        assert cache.unread == unread + 1
    return first, token


def _heard(flask_app: Flask, token: int | None) -> None:
    """After a change committed elsewhere: the app's feed (if any) hears it."""
    if token is not None:
        assert http_cache.cache_for(flask_app).feed.wait_for_change(token, 5.0)


def test_a_repeated_verification_is_served_from_the_cache(world, app):
    label, _ = issue(world)
    cache = http_cache.cache_for(app)
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
    cached, token = _cached(app, label["id"])
    assert cached["status"] == "valid"
    certifier = dataclasses.replace(world["certifier_c"], client=other_app.test_client())
    revoked = certifier.post(f"/api/v1/labels/{label['id']}/revocation",
                             json={"reason": "withdrawn by the other worker"})
    assert revoked.status_code == 200
    _heard(app, token)
    result = _verify(app, label["id"])
    assert result["status"] == "revoked"
    assert result["checks"]["status_list"] is True
    assert "withdrawn by the other worker" in result["reasons"][0]


def test_a_supersession_by_another_worker_is_seen_at_once(world, app, other_app):
    from tests.app.api.test_labels import approve
    from tests.app.flows import act, calculate, steel_model, upload

    old, _ = issue(world)
    exporter = dataclasses.replace(world["exporter_a"], client=other_app.test_client())
    version = upload(exporter, old["product_id"], steel_model())
    calc = calculate(exporter, version["id"])
    created = exporter.post("/api/v1/label-requests", json={
        "calculation_id": calc["id"], "certification_body_id": world["ids"]["cb_c"],
        "label_type": "footprint_disclosure", "home_scheme": "gba-home"})
    etag = act(exporter, created.json["id"], "submit", created.headers["ETag"]).headers["ETag"]
    cached, token = _cached(app, old["id"])
    assert cached["status"] == "valid"
    approve({**world, "certifier_c": dataclasses.replace(
        world["certifier_c"], client=other_app.test_client())}, created.json["id"], etag)
    _heard(app, token)
    result = _verify(app, old["id"])
    assert result["status"] == "superseded"
    assert result["details"]["superseded_by"]


def test_a_credential_altered_in_the_database_fails_even_when_cached(world, app, other_app):
    label, credential = issue(world)
    cached, token = _cached(app, label["id"])
    assert cached["status"] == "valid"
    credential["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"] *= 0.5
    with other_app.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE labels SET credential = :c WHERE id = :id"),
                     {"c": json.dumps(credential), "id": label["id"]})
    _heard(app, token)
    result = _verify(app, label["id"])
    assert result["status"] == "invalid"
    assert result["checks"]["signature"] is False


@pytest.mark.timezone
def test_expiry_is_seen_on_the_day_after_even_when_cached(world, app):
    label, _ = issue(world)
    assert _cached(app, label["id"])[0]["status"] == "valid"
    last_day = date.fromisoformat(label["valid_until"])
    app.extensions["clock"] = FixedClock(end_of_day(last_day))  # 23:59:59Z
    assert _verify(app, label["id"])["status"] == "valid"
    app.extensions["clock"].advance(seconds=1)  # 00:00:00Z the day after
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
    cached, token = _cached(app, label["id"])
    assert cached["checks"]["status_list"] is True  # list check remembered
    listed = app.test_client().get("/api/v1/status-lists/revocation").json
    listed["validFrom"] = "2020-01-01T00:00:00Z"  # any edit breaks the list's signature
    with other_app.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE status_lists SET credential = :c WHERE purpose = 'revocation'"),
                     {"c": json.dumps(listed)})
    _heard(app, token)
    for label_id in (label["id"], second["id"]):  # cached, and never verified before
        result = _verify(app, label_id)
        assert result["checks"]["status_list"] is False
        assert result["status"] == "invalid"


def _feed(flask_app: Flask):
    feed = http_cache.cache_for(flask_app).feed
    if flask_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert feed is None  # no NOTIFY: every cached verification re-reads its state
        pytest.skip("the change feed is PostgreSQL's")
    assert feed is not None
    return feed


def test_a_rolled_back_change_is_not_heard(world, app, other_app):
    label, _ = issue(world)
    feed = _feed(app)
    token = _settled(app)
    with other_app.app_context(), db.engine.connect() as conn:
        conn.execute(text("UPDATE labels SET revocation_reason = 'never' WHERE id = :id"),
                     {"id": label["id"]})
        conn.rollback()
    assert not feed.wait_for_change(token, 1.0)
    with other_app.app_context(), db.engine.begin() as conn:  # the same change, committed
        conn.execute(text("UPDATE labels SET revocation_reason = 'now' WHERE id = :id"),
                     {"id": label["id"]})
    assert feed.wait_for_change(token, 5.0)


def test_a_lost_listener_falls_back_to_reading_and_comes_back(world, app, other_app):
    from app.services.change_feed import APPLICATION_NAME

    label, _ = issue(world)
    feed = _feed(app)
    _cached(app, label["id"])
    cache = http_cache.cache_for(app)
    with other_app.app_context(), db.engine.begin() as conn:
        killed = conn.execute(text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :name AND datname = current_database()"),
            {"name": APPLICATION_NAME}).scalar_one()
    assert killed >= 1
    deadline = time.monotonic() + 5
    while feed.token() is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert feed.token() is None  # not trusted while reconnecting
    unread = cache.unread
    assert _verify(app, label["id"])["status"] == "valid"
    assert cache.unread == unread  # the state was read again
    _cached(app, label["id"])  # reconnected: repeats are served without a query again


def test_a_silent_listener_is_not_trusted(world, app, monkeypatch):
    from app.services import change_feed

    _feed(app)
    assert _settled(app) is not None
    monkeypatch.setattr(change_feed, "STALE_AFTER_S", -1.0)  # its last round trip is too old
    assert http_cache.cache_for(app).feed.token() is None


def test_disposing_the_engine_stops_the_listener(app):
    feed = _feed(app)
    _settled(app)
    thread = feed._thread
    with app.app_context():
        db.engine.dispose()
    thread.join(timeout=5)
    assert not thread.is_alive()
