"""The public page and the JSON verification share one cached path with HTTP caching:
ETag, a short public max-age, 304 on a matching If-None-Match; a revocation by another
worker changes the answer (and its ETag) on the next request after the change feed hears it
(at once on SQLite)."""

from __future__ import annotations

import dataclasses

from app.web.http_cache import VERIFY_MAX_AGE
from tests.app.api.test_labels import issue
from tests.app.api.test_verification_cache import _heard, _settled, other_app  # noqa: F401

JSON = "/api/v1/labels/{}/verification"
PAGE = "/verify/{}"


def test_repeat_requests_get_304_with_the_same_etag(world, client):
    label, _ = issue(world)
    for url in (JSON.format(label["id"]), PAGE.format(label["id"])):
        first = client.get(url)
        assert first.status_code == 200
        tag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == f"public, max-age={VERIFY_MAX_AGE}"
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == tag
        other = client.get(url, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200 and other.headers["ETag"] == tag
    assert client.get(PAGE.format(label["id"])).headers["Vary"] == "Accept-Language, Cookie"


def test_the_page_in_another_language_has_another_etag(world, client):
    label, _ = issue(world)
    english = client.get(PAGE.format(label["id"]), headers={"Accept-Language": "en"})
    chinese = client.get(PAGE.format(label["id"]), headers={"Accept-Language": "zh-CN"})
    assert english.headers["ETag"] != chinese.headers["ETag"]
    assert client.get(PAGE.format(label["id"]), headers={
        "Accept-Language": "zh-CN", "If-None-Match": english.headers["ETag"]}).status_code == 200


def test_a_revocation_by_another_worker_changes_both_answers(world, app, other_app):  # noqa: F811
    label, _ = issue(world)
    client = app.test_client()
    token = _settled(app)
    tags = {url: client.get(url.format(label["id"])).headers["ETag"] for url in (JSON, PAGE)}
    certifier = dataclasses.replace(world["certifier_c"], client=other_app.test_client())
    assert certifier.post(f"/api/v1/labels/{label['id']}/revocation",
                          json={"reason": "withdrawn"}).status_code == 200
    _heard(app, token)  # PostgreSQL: the feed hears the commit (bounded wait); SQLite: no-op
    for url, tag in tags.items():
        response = client.get(url.format(label["id"]), headers={"If-None-Match": tag})
        assert response.status_code == 200, url
        assert response.headers["ETag"] != tag
    assert client.get(JSON.format(label["id"])).json["status"] == "revoked"
    assert "Revoked on" in client.get(PAGE.format(label["id"]),
                                      headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_page_and_the_json_answer_through_one_function_and_one_cache(world, client, app,
                                                                          monkeypatch):
    """Both call `http_cache.respond` (the one service call, `verification.verify_versioned`,
    with the app's one cache), and the second answer is the cache's: the same label asked
    as JSON and then as a page is computed once."""
    from app.services import verification
    from app.web import http_cache

    label, _ = issue(world)
    asked, computed = [], []
    real_respond, real_evaluate = http_cache.respond, verification._evaluate

    def spy_respond(label_id, *args, **kwargs):
        asked.append(label_id)
        return real_respond(label_id, *args, **kwargs)

    def spy_evaluate(*args, **kwargs):
        computed.append(args[2].label_id)
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(http_cache, "respond", spy_respond)
    monkeypatch.setattr(verification, "_evaluate", spy_evaluate)
    http_cache.cache_for(app)._entries.clear()
    assert client.get(JSON.format(label["id"])).status_code == 200
    assert client.get(PAGE.format(label["id"])).status_code == 200
    assert asked == [label["id"], label["id"]]
    assert computed == [label["id"]]  # the page's answer came from the JSON's cache entry
