"""The page and the JSON verification answer repeat requests from kept bytes (app/web/
http_cache.py, `respond`): no template, no schema, and no query beyond reading the label's
state (SQLite: one statement; PostgreSQL with the change feed listening: none). What they
show must never be older than the stated bound: a status change committed by another worker
(the second app here) within the change feed's bound (`change_feed.STALE_AFTER_S`; at once
on SQLite), the end of a label's validity at the UTC day boundary, and the zone's UTC offset
named in the footer at a daylight-saving change, both with the injected clock."""

from __future__ import annotations

import dataclasses
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from flask import template_rendered
from sqlalchemy import event

from app.clock import FixedClock, end_of_day
from app.extensions import db
from app.services import change_feed, verification
from app.web import http_cache
from tests.app.api.test_labels import issue
from tests.app.api.test_suspension import reinstate, suspend
from tests.app.api.test_verification_cache import _heard, _settled, other_app  # noqa: F401

JSON = "/api/v1/labels/{}/verification"
PAGE = "/verify/{}"
LANGUAGES = ({}, {"Accept-Language": "zh-HK"}, {"Accept-Language": "en"})


def _representations(label_id: str) -> list[tuple[str, dict[str, str]]]:
    return [(JSON.format(label_id), {})] + [(PAGE.format(label_id), h) for h in LANGUAGES]


@contextmanager
def _counting(app):
    """Statements sent to the database and templates rendered while the block runs."""
    counts = {"statements": [], "templates": 0}

    def statement(conn, cursor, text, *args):
        counts["statements"].append(text)

    def rendered(sender, template, context, **extra):
        counts["templates"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    template_rendered.connect(rendered, app)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        template_rendered.disconnect(rendered, app)


def _postgresql(app) -> bool:
    return not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def test_a_repeat_is_served_from_kept_bytes_with_no_query_beyond_the_state(world, app,
                                                                            monkeypatch):
    from app.api import labels as labels_api

    label, _ = issue(world)
    client = app.test_client()
    token = _settled(app)
    first = {}
    for url, headers in _representations(label["id"]):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        first[url, tuple(headers.items())] = response
    dumped = []
    monkeypatch.setattr(labels_api, "_json", lambda result: dumped.append(result))
    assert token is None or _settled(app) == token  # nothing changed: the feed still vouches
    cache = http_cache.cache_for(app)
    hits = cache.derived_hits
    with _counting(app) as counts:
        for (url, headers), before in first.items():
            again = client.get(url, headers=dict(headers))
            assert again.status_code == 200
            assert again.data == before.data and again.headers["ETag"] == before.headers["ETag"]
            assert again.headers["Content-Type"] == before.headers["Content-Type"]
    assert counts["templates"] == 0 and dumped == []
    assert cache.derived_hits == hits + 4
    if _postgresql(app):
        assert counts["statements"] == []  # the change feed vouches: not even the state
    else:
        assert len(counts["statements"]) == 4  # the state's one statement a request
        assert all("FROM labels" in text for text in counts["statements"])
    # and what is kept is what a fresh render makes
    monkeypatch.undo()
    cache._derived.clear()
    for (url, headers), before in first.items():
        assert client.get(url, headers=dict(headers)).data == before.data


def test_the_kept_json_is_what_the_schema_makes(world, app):
    """The JSON body is made once per version, by the same schema the API documents."""
    from app.schemas.labels import VerificationSchema
    from app.services.issuer import issuer_from_config

    label, _ = issue(world)
    answer = app.test_client().get(JSON.format(label["id"]))
    with app.app_context():
        result = verification.verify_label(db.session, label["id"],
                                           issuer_from_config(app.config))
    expected = VerificationSchema().dump(result)
    assert answer.json == expected and answer.mimetype == "application/json"


def _poll(client, url, headers, text, bound):
    """Ask until the answer contains `text`; the seconds it took (fails past `bound`)."""
    start = time.monotonic()
    while True:
        body = client.get(url, headers=headers).get_data(as_text=True)
        if text in body:
            return time.monotonic() - start
        assert time.monotonic() - start < bound, f"{url} still without {text!r}"
        time.sleep(0.02)


def test_a_revocation_reaches_every_kept_response_within_the_bound(world, app,
                                                                   other_app):  # noqa: F811
    label, _ = issue(world)
    client = app.test_client()
    _settled(app)
    tags = {}
    for url, headers in _representations(label["id"]):
        tags[url, tuple(headers.items())] = client.get(url, headers=headers).headers["ETag"]
    certifier = dataclasses.replace(world["certifier_c"], client=other_app.test_client())
    assert certifier.post(f"/api/v1/labels/{label['id']}/revocation",
                          json={"reason": "withdrawn"}).status_code == 200
    bound = change_feed.STALE_AFTER_S if _postgresql(app) else 0.5
    took = [_poll(client, url, dict(headers), marker, bound)
            for (url, headers), marker in zip(tags, ['"revoked"', "已撤销", "已撤銷",
                                                     "Revoked on"], strict=True)]
    assert max(took) < bound
    for (url, headers), tag in tags.items():
        answer = client.get(url, headers={**dict(headers), "If-None-Match": tag})
        assert answer.status_code == 200 and answer.headers["ETag"] != tag


def test_a_suspension_and_a_reinstatement_reach_the_kept_page(world, app):
    label, _ = issue(world)
    client = app.test_client()
    token = _settled(app)
    english = {"Accept-Language": "en"}
    valid = client.get(PAGE.format(label["id"]), headers=english)
    assert "Suspended on" not in valid.get_data(as_text=True)
    suspend(world, label["id"])
    _heard(app, token)
    suspended = client.get(PAGE.format(label["id"]), headers=english)
    assert "Suspended on" in suspended.get_data(as_text=True)
    assert client.get(JSON.format(label["id"])).json["status"] == "suspended"
    token = _settled(app)
    reinstate(world, label["id"])
    _heard(app, token)
    back = client.get(PAGE.format(label["id"]), headers=english)
    assert "Suspended on" not in back.get_data(as_text=True)
    assert client.get(JSON.format(label["id"])).json["status"] == "valid"


@pytest.mark.timezone
def test_a_kept_page_is_not_served_past_the_last_valid_day(world, app):
    label, _ = issue(world)
    client = app.test_client()
    last_day = date.fromisoformat(label["valid_until"])
    app.extensions["clock"] = FixedClock(end_of_day(last_day))  # 23:59:59Z, still valid
    english = {"Accept-Language": "en"}
    for _ in range(2):  # the second is served from what the first kept
        page = client.get(PAGE.format(label["id"]), headers=english).get_data(as_text=True)
        assert "Expired on" not in page
        assert client.get(JSON.format(label["id"])).json["status"] == "valid"
    with _counting(app) as counts:
        client.get(PAGE.format(label["id"]), headers=english)
    assert counts["templates"] == 0
    app.extensions["clock"].advance(seconds=1)  # 00:00:00Z the day after: no notification
    page = client.get(PAGE.format(label["id"]), headers=english).get_data(as_text=True)
    assert "Expired on" in page
    assert client.get(JSON.format(label["id"])).json["status"] == "expired"


@pytest.mark.timezone
def test_a_daylight_saving_change_renders_the_footer_again(world, app):
    """Europe/London goes from UTC+00:00 to UTC+01:00 at 01:00Z on 2027-03-28: the same UTC
    day, so the same version of the answer, but the footer names the other offset."""
    label, _ = issue(world)
    client = app.test_client()
    url = PAGE.format(label["id"]) + "?tz=Europe/London"
    app.extensions["clock"] = FixedClock(datetime(2027, 3, 28, 0, 59, 59, tzinfo=UTC))
    before = client.get(url).get_data(as_text=True)
    assert "Europe/London (UTC+00:00)" in before
    assert client.get(url).get_data(as_text=True) == before  # kept
    app.extensions["clock"].advance(seconds=1)
    after = client.get(url).get_data(as_text=True)
    assert "Europe/London (UTC+01:00)" in after and "UTC+00:00" not in after
    # the zone chosen is kept in a cookie: the same URL in the kept zone, or without one
    assert "Europe/London (UTC+01:00)" in client.get(PAGE.format(label["id"])).get_data(
        as_text=True)
    assert "Asia/Hong_Kong (UTC+08:00)" in app.test_client().get(
        PAGE.format(label["id"])).get_data(as_text=True)


def test_the_kept_responses_are_bounded_in_bytes():
    cache = verification.VerificationCache(max_entries=10, max_derived_bytes=100)
    cache.keep(("a", "json"), b"v1", "A", 60)
    cache.keep(("b", "json"), b"v1", "B", 30)
    assert cache.derived(("a", "json"), b"v1") == "A"  # a is now the most recent
    cache.keep(("c", "json"), b"v1", "C", 30)  # 120 bytes: b, the least recent, goes
    assert cache.derived(("b", "json"), b"v1") is None
    assert cache.derived(("a", "json"), b"v1") == "A"
    assert cache.derived(("a", "json"), b"v2") is None  # another version: never served
    cache.keep(("d", "json"), b"v1", "D", 101)  # larger than the whole: not kept
    assert cache.derived(("d", "json"), b"v1") is None
    assert cache._derived_bytes <= 100


def test_a_cache_of_zero_keeps_no_response_either(world, app, monkeypatch):
    """VERIFICATION_CACHE_SIZE 0 means every request verifies and renders afresh."""
    label, _ = issue(world)
    monkeypatch.setitem(app.config, "VERIFICATION_CACHE_SIZE", 0)
    app.extensions.pop("carbonlabel.verification_cache", None)
    client = app.test_client()
    english = {"Accept-Language": "en"}
    first = client.get(PAGE.format(label["id"]), headers=english)
    with _counting(app) as counts:
        again = client.get(PAGE.format(label["id"]), headers=english)
    assert again.data == first.data
    assert counts["templates"] == 1
    assert http_cache.cache_for(app)._derived_bytes == 0


def test_a_query_beyond_the_pages_parameters_is_redirected_not_kept(world, app):
    """Every distinct query string would be its own kept page: anything but the page's own
    parameters, written as its links write them, goes to the canonical URL first."""
    label, _ = issue(world)
    client = app.test_client()
    page = PAGE.format(label["id"])
    for query, target in [("x=1", ""), ("lang=en&x=2", "?lang=en"), ("lang=%65n", "?lang=en"),
                          ("lang=en&lang=zh-Hans", "?lang=en"), ("lang=", ""),
                          ("tz=UTC&utm_source=qr", "?tz=UTC")]:
        response = client.get(f"{page}?{query}")
        assert response.status_code == 302, query
        assert response.headers["Location"] == page + target, query
    kept = len(http_cache.cache_for(app)._derived)
    for query in ("", "?lang=en", "?lang=zh-Hant&tz=UTC", "?tz=UTC&lang=zh-Hant"):
        assert client.get(page + query).status_code == 200, query
    assert len(http_cache.cache_for(app)._derived) == kept + 4
    # the page's own language links are canonical: no redirect when followed
    html = client.get(page + "?tz=Asia/Hong_Kong").text
    link = "?tz=Asia/Hong_Kong&amp;lang=en"
    assert link in html
    assert client.get(page + link.replace("&amp;", "&")).status_code == 200
    # the zone form, submitted as a browser encodes it, takes one redirect to the same page
    response = client.get(page + "?lang=en&tz=Asia%2FMacau")
    assert response.headers["Location"] == page + "?lang=en&tz=Asia/Macau"
    assert client.get(response.headers["Location"]).status_code == 200
