"""Issuance -> verification -> expiry on a fixed clock, across the UTC day boundary.

A label's validity is the issuance instant to 23:59:59Z of its `valid_until` date (app.clock).
These tests run in the main suite and again under TZ=Asia/Hong_Kong, America/Los_Angeles and
UTC (scripts/test.sh): none of the answers may depend on the server's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.clock import FixedClock
from app.trust import offline
from tests.app.api.test_labels import approve
from tests.app.flows import submitted_request

pytestmark = pytest.mark.timezone


@pytest.fixture
def clock(app) -> FixedClock:
    """The app's clock, standing at 23:30 UTC on 4 December 2026 (07:30 on the 5th in Hong
    Kong, 15:30 on the 4th in Los Angeles) until a test moves it."""
    fixed = FixedClock(datetime(2026, 12, 4, 23, 30, tzinfo=UTC))
    app.extensions["clock"] = fixed
    return fixed


def _issue(world, valid_until: str) -> tuple[str, dict]:
    request_id, etag = submitted_request(world)
    approve(world, request_id, etag, valid_until=valid_until)
    label = next(lb for lb in world["exporter_a"].get("/api/v1/labels").json["items"]
                 if lb["request_id"] == request_id)
    credential = world["exporter_a"].get(f"/api/v1/labels/{label['id']}/credential").json
    return label, credential


def _status(client, label_id: str) -> str:
    return client.get(f"/api/v1/labels/{label_id}/verification").json["status"]


def test_a_label_is_valid_from_the_instant_of_issue(clock, world, client):
    label, credential = _issue(world, "2027-12-04")
    assert credential["validFrom"] == "2026-12-04T23:30:00Z"
    assert credential["proof"]["created"] == "2026-12-04T23:30:00Z"
    assert credential["validUntil"] == "2027-12-04T23:59:59Z"
    assert label["valid_from"] == "2026-12-04"  # the UTC date of issue, not Hong Kong's 5th
    assert datetime.fromisoformat(label["issued_at"]) == clock.now()
    assert label["id"].startswith("GBA-2026-")
    did_document = client.get("/.well-known/did.json").json
    assert offline.verify_offline(credential, did_document, clock.now()).ok
    details = client.get(f"/api/v1/labels/{label['id']}/verification").json["details"]
    assert details["valid_from_at"] == "2026-12-04T23:30:00Z"
    assert details["valid_until_at"] == "2027-12-04T23:59:59Z"
    # one second before issue it was not yet valid
    before = datetime(2026, 12, 4, 23, 29, 59, tzinfo=UTC)
    assert offline.verify_offline(credential, did_document, before).checks["validity"] is False


def test_issued_just_after_midnight_in_hong_kong_verifies_at_once(clock, world, client):
    """00:30 on 5 December in Hong Kong is 16:30 UTC on the 4th: the label is valid then,
    offline with the default (the app's) clock, and through the API."""
    clock.set(datetime(2026, 12, 4, 16, 30, tzinfo=UTC))
    label, credential = _issue(world, "2027-12-04")
    assert credential["validFrom"] == "2026-12-04T16:30:00Z"
    did_document = client.get("/.well-known/did.json").json
    with client.application.app_context():  # the app's clock is current in its contexts
        report = offline.verify_offline(credential, did_document)
    assert report.ok, report.reasons
    assert _status(client, label["id"]) == "valid"


def test_expiry_is_exactly_the_end_of_the_utc_day(clock, world, client):
    label, credential = _issue(world, "2027-12-04")
    did_document = client.get("/.well-known/did.json").json
    last_second = datetime(2027, 12, 4, 23, 59, 59, 999999, tzinfo=UTC)
    clock.set(last_second)
    assert _status(client, label["id"]) == "valid"
    assert offline.verify_offline(credential, did_document, last_second).ok
    clock.advance(microseconds=1)  # 2027-12-05T00:00:00Z: 08:00 in Hong Kong, 16:00 the 4th in LA
    assert _status(client, label["id"]) == "expired"
    assert offline.verify_offline(credential, did_document, clock.now()).checks["validity"] \
        is False


def test_a_valid_until_of_the_utc_day_of_issue_is_refused(clock, world):
    """At 23:30 UTC on the 4th it is the 5th in Hong Kong; the 4th is still today (UTC), so a
    label valid only until today is refused, and the 5th is accepted."""
    request_id, etag = submitted_request(world)
    from tests.app.flows import act

    certifier = world["certifier_c"]
    etag = act(certifier, request_id, "start_review", etag).headers["ETag"]
    refused = act(certifier, request_id, "approve", etag, valid_until="2026-12-04")
    assert refused.status_code == 422, refused.json
    accepted = act(certifier, request_id, "approve", etag, valid_until="2026-12-05")
    assert accepted.status_code == 200, accepted.json
