"""People see times in their zone, named on the page; the API and credentials stay UTC.

The clock stands at 23:30 UTC on 4 December 2026: 07:30 on the 5th in Hong Kong (the
default display zone), 15:30 on the 4th in Los Angeles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app import display_time
from app.clock import FixedClock
from tests.app.api.test_labels import approve
from tests.app.flows import submitted_request
from tests.app.web.test_pages import sign_in

pytestmark = pytest.mark.timezone

ISSUED = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)


@pytest.fixture
def clock(app) -> FixedClock:
    fixed = FixedClock(ISSUED)
    app.extensions["clock"] = fixed
    return fixed


@pytest.fixture
def label_id(clock, world) -> str:
    request_id, etag = submitted_request(world)
    approve(world, request_id, etag, valid_until="2027-12-04")
    return next(lb["id"] for lb in world["exporter_a"].get("/api/v1/labels").json["items"]
                if lb["request_id"] == request_id)


def test_the_verification_page_shows_the_readers_zone_and_names_it(client, label_id):
    page = client.get(f"/verify/{label_id}").text
    # issued 23:30Z: 07:30 on the 5th in Hong Kong; valid through 23:59:59Z of 2027-12-04
    assert "2026-12-05 07:30 HKT" in page and "2027-12-05 07:59 HKT" in page
    assert "Asia/Hong_Kong (UTC+08:00)" in page
    chosen = client.get(f"/verify/{label_id}?tz=America/Los_Angeles")
    assert "2026-12-04 15:30 PST" in chosen.text and "2027-12-04 15:59 PST" in chosen.text
    assert "America/Los_Angeles (UTC-08:00)" in chosen.text
    assert "tz=America/Los_Angeles" in chosen.headers["Set-Cookie"]
    # the cookie keeps the choice; an unknown or path-like zone is ignored
    assert "2026-12-04 15:30 PST" in client.get(f"/verify/{label_id}").text
    client.set_cookie("tz", "../../etc/passwd")
    assert "2026-12-05 07:30 HKT" in client.get(f"/verify/{label_id}?tz=Mars/Olympus").text


def test_the_api_and_the_credential_stay_utc(client, label_id):
    client.set_cookie("tz", "America/Los_Angeles")
    answer = client.get(f"/api/v1/labels/{label_id}/verification").json
    assert answer["details"]["valid_from_at"] == "2026-12-04T23:30:00Z"
    assert answer["details"]["valid_until_at"] == "2027-12-04T23:59:59Z"
    credential = client.get(f"/api/v1/labels/{label_id}/credential").json
    assert credential["validFrom"] == "2026-12-04T23:30:00Z"


def test_the_artwork_writes_the_validity_end_in_the_chosen_zone(client, label_id):
    default = client.get(f"/api/v1/labels/{label_id}/artwork.svg").text
    assert "Valid until 2027-12-05 07:59 HKT" in default
    utc = client.get(f"/api/v1/labels/{label_id}/artwork.svg?tz=UTC").text
    assert "Valid until 2027-12-04 23:59 UTC" in utc


def test_signed_in_pages_show_times_in_the_configured_zone(app, world, clock):
    app.config["DISPLAY_TIMEZONE"] = "Europe/Brussels"
    submitted_request(world)  # updated at 23:30Z = 00:30 on the 5th in Brussels
    page = sign_in(app, "exporter_a").get("/app/requests").text
    assert "2026-12-05 00:30 CET" in page
    assert "Europe/Brussels (UTC+01:00)" in page


def test_display_helpers():
    hk = display_time.zone("Asia/Hong_Kong")
    assert display_time.local("2026-12-04T23:30:15Z", hk, seconds=True) == \
        "2026-12-05 07:30:15 HKT"
    assert display_time.local_day(ISSUED, hk) == "2026-12-05"
    assert display_time.valid_until(date(2027, 12, 4), display_time.zone("UTC")) == \
        "2027-12-04 23:59 UTC"
    # a zone without a letter abbreviation is named by its offset
    assert display_time.abbreviation(ISSUED, display_time.zone("Asia/Dubai")) == "UTC+04"
    assert display_time.abbreviation(ISSUED, display_time.zone("Asia/Kolkata")) == "IST"
    assert display_time.utc_offset(display_time.zone("Asia/Kathmandu"), ISSUED) == \
        "UTC+05:45"
    for bad in ("../../etc/passwd", "Mars/Olympus", "", None):
        assert not display_time.is_zone(bad)
    with pytest.raises(ValueError):
        display_time.zone("Mars/Olympus")
    with pytest.raises(ValueError):
        display_time.local(datetime(2026, 12, 4, 23, 30), hk)
