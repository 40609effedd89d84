"""The one clock (app/clock.py): UTC whatever the process's TZ, injected per app, and stored
times that come back as the same aware UTC instant on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app import clock, create_app
from app.clock import FixedClock, SystemClock

pytestmark = pytest.mark.timezone

HKT = ZoneInfo("Asia/Hong_Kong")


def test_the_system_clock_is_utc_whatever_the_zone():
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
    assert SystemClock().today() in (before.date(), datetime.now(UTC).date())


def test_a_fixed_clock_reports_the_utc_date_and_refuses_naive_times():
    hong_kong_morning = datetime(2026, 12, 5, 7, 30, tzinfo=HKT)
    fixed = FixedClock(hong_kong_morning)
    assert fixed.now() == datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert fixed.now().tzinfo is UTC
    assert fixed.today() == date(2026, 12, 4)  # not Hong Kong's 5th
    fixed.advance(minutes=30)
    assert fixed.today() == date(2026, 12, 5)
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 12, 4, 23, 30))


def test_using_and_the_helpers():
    fixed = FixedClock(datetime(2026, 12, 4, 23, 30, 15, tzinfo=UTC))
    with clock.using(fixed):
        assert clock.now() == fixed.now() and clock.today() == date(2026, 12, 4)
    assert clock.current() is clock.SYSTEM
    assert clock.iso_z(datetime(2026, 12, 5, 7, 30, 15, 999, tzinfo=HKT)) == \
        "2026-12-04T23:30:15Z"
    assert clock.end_of_day(date(2027, 12, 4)) == datetime(2027, 12, 4, 23, 59, 59,
                                                             tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.iso_z(datetime(2026, 12, 4))


def test_each_app_makes_its_own_clock_current_in_its_contexts(tmp_path):
    one = FixedClock(datetime(2026, 12, 4, 23, 30, tzinfo=UTC))
    two = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    app_one = create_app({"TESTING": True, "CLOCK": one, "SQLALCHEMY_DATABASE_URI": url,
                          "INSTANCE_DIR": tmp_path, "SECRET_KEY": "x",
                          "PUBLIC_URL": "https://labels.test"})
    app_two = create_app({"TESTING": True, "CLOCK": two, "SQLALCHEMY_DATABASE_URI": url,
                          "INSTANCE_DIR": tmp_path, "SECRET_KEY": "x",
                          "PUBLIC_URL": "https://labels.test"})
    with app_one.app_context():
        assert clock.now() == one.now()
        with app_two.app_context():
            assert clock.now() == two.now()
        assert clock.now() == one.now()
    assert clock.current() is clock.SYSTEM
    with app_one.test_request_context("/"):
        assert clock.today() == date(2026, 12, 4)
    assert clock.current() is clock.SYSTEM


def _org(session, **extra):
    from app.services import accounts

    return accounts.create_organisation(session, None, {
        "kind": "exporter", "name": "Clocked", "country": "HK", "subdivision": None,
        "identifier": None, "address": None, "accreditation_body": None,
        "accreditation_number": None, "accreditation_standard": None,
        "accreditation_scope": [], "accredited_from": None, "accredited_to": None, **extra})


def test_stored_times_come_back_as_the_same_aware_utc_instant(app):
    from app.extensions import db
    from app.persistence import Organisation
    from app.services import transaction

    app.extensions["clock"] = FixedClock(datetime(2026, 12, 4, 23, 30, 0, 123456, tzinfo=UTC))
    with app.app_context(), transaction() as session:
        defaulted = _org(session).id
        explicit = _org(session, name="Explicit")
        explicit.created_at = datetime(2026, 12, 5, 9, 0, tzinfo=HKT)  # 01:00 UTC
        explicit_id = explicit.id
    with app.app_context():
        db.session.expire_all()
        row = db.session.get(Organisation, defaulted)
        assert row.created_at == datetime(2026, 12, 4, 23, 30, 0, 123456, tzinfo=UTC)
        assert row.created_at.utcoffset() == timedelta(0)
        other = db.session.get(Organisation, explicit_id)
        assert other.created_at == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
        assert other.created_at.utcoffset() == timedelta(0)
        # comparisons in SQL are between instants, whatever zone the bound value is in
        minus_eight = timezone(timedelta(hours=-8))
        later = db.session.scalars(select(Organisation.id).where(
            Organisation.created_at > datetime(2026, 12, 4, 16, 0, tzinfo=minus_eight))).all()
        assert later == [explicit_id]  # 16:00 at UTC-8 is 00:00 UTC on the 5th


def test_the_api_writes_instants_in_utc_with_z_and_refuses_zoneless_ones():
    from marshmallow import Schema, ValidationError

    from app.schemas.common import Instant

    class Shape(Schema):
        at = Instant()

    dumped = Shape().dump({"at": datetime(2026, 12, 5, 7, 30, 0, 250000, tzinfo=HKT)})
    assert dumped == {"at": "2026-12-04T23:30:00.250000Z"}
    assert Shape().load({"at": "2026-12-05T07:30:00+08:00"})["at"] == \
        datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    with pytest.raises(ValidationError):
        Shape().load({"at": "2026-12-05T07:30:00"})
    with pytest.raises(ValueError):
        Shape().dump({"at": datetime(2026, 12, 5, 7, 30)})
