"""Approving several requests from the review queue (SQLite and PostgreSQL): a checkbox for
each request the certifier may approve now, a confirmation page listing them with their
ETags, and one transaction through certification.approve_many: a label each, or none."""

from __future__ import annotations

import html
import re

from sqlalchemy import text

from tests.app.flows import act, calculate, create_product, draft_request, steel_model, upload
from tests.app.web.test_pages import count, sign_in

CONFIRM = "/app/queue/approve"


def requested(world, name: str, review: bool = True) -> tuple[str, str]:
    """A request of exporter A to body C for a product called `name`, submitted and (with
    `review`) taken into review by certifier C; returns (id, etag)."""
    exporter = world["exporter_a"]
    product = create_product(exporter, name=name)
    version = upload(exporter, product["id"], steel_model())
    calc = calculate(exporter, version["id"])
    req, etag = draft_request(exporter, calc["id"], world["ids"]["cb_c"])
    response = act(exporter, req["id"], "submit", etag)
    assert response.status_code == 200, response.json
    if review:
        response = act(world["certifier_c"], req["id"], "start_review",
                       response.headers["ETag"])
        assert response.status_code == 200, response.json
    return req["id"], response.headers["ETag"]


def selection(*ids: str) -> str:
    return CONFIRM + "?" + "&".join(f"request_id={i}" for i in ids)


def posted_form(page: str) -> dict[str, list[str]]:
    """The confirmation page's approval form, as a browser would post it."""
    form = re.search(r'<form method="post" action="/app/queue/approve">(.*?)</form>', page,
                     re.S)
    assert form, "the page offers the approval"
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"',
                                  form.group(1)):
        data.setdefault(name, []).append(html.unescape(value))
    return data


def labels_by_request(app) -> list[str]:
    from app.extensions import db

    with app.app_context():
        return sorted(db.session.execute(text("SELECT request_id FROM labels")).scalars())


def state_of(world, request_id: str) -> str:
    return world["exporter_a"].get(f"/api/v1/label-requests/{request_id}").json["state"]


def test_the_queue_offers_a_checkbox_only_for_requests_the_certifier_may_approve(app, world):
    first, _ = requested(world, "Rebar one")
    second, _ = requested(world, "Rebar two")
    waiting, _ = requested(world, "Rebar waiting", review=False)  # submitted, not in review
    page = sign_in(app, "certifier_c").get("/app/queue").text
    boxes = re.findall(r'<input type="checkbox" id="pick-([^"]+)" name="request_id" '
                       r'value="([^"]+)"><label for="pick-\1" class="visually-hidden">'
                       r'([^<]+)</label>',
                       page)
    assert sorted((i, v, label) for i, v, label in boxes) == sorted([
        (first, first, "Select Rebar one for approval"),
        (second, second, "Select Rebar two for approval")])
    assert waiting in page and f'value="{waiting}"' not in page  # listed, not offered
    assert f'<form method="get" action="{CONFIRM}">' in page
    assert "Approve selected…" in page
    admin = sign_in(app, "admin").get("/app/queue").text  # sees the queue, approves nothing
    assert first in admin and 'type="checkbox"' not in admin
    assert "Approve selected…" not in admin


def test_confirming_lists_them_and_approving_issues_one_label_each(app, world):
    ids = [requested(world, f"Rebar {n}")[0] for n in (1, 2, 3)]
    certifier = sign_in(app, "certifier_c")
    page = certifier.get(selection(*ids) + "&valid_until=2029-06-30")
    assert page.status_code == 200
    assert "<h1>Approve and issue these labels?</h1>" in page.text
    assert "All or nothing" in page.text
    total = world["exporter_a"].get(f"/api/v1/label-requests/{ids[0]}").json
    calc = world["exporter_a"].get(f"/api/v1/calculations/{total['calculation_id']}").json
    assert f"{calc['kg_co2e_per_declared_unit']:.4g}" in page.text
    for n in (1, 2, 3):
        assert f"Rebar {n}</a>" in page.text
    assert page.text.count("<td>721420</td>") == 3
    assert "published rules of its own scheme" in page.text
    data = posted_form(page.text)
    assert data["request_id"] == ids
    for request_id in ids:  # each with the ETag the API gives now
        current = world["certifier_c"].get(f"/api/v1/label-requests/{request_id}")
        assert data[f"etag-{request_id}"] == [current.headers["ETag"]]
    assert data["valid_until"] == ["2029-06-30"]
    assert count(app, "labels") == 0  # looking changed nothing
    done = certifier.post(CONFIRM, data={**data, "reason": "Audit 2026-11"})
    assert done.status_code == 302 and done.headers["Location"] == "/app/queue"
    queue = certifier.get("/app/queue").text
    assert "Approved 3 requests; 3 labels are issued." in queue
    assert labels_by_request(app) == sorted(ids)  # exactly one label each
    assert [state_of(world, i) for i in ids] == ["approved"] * 3
    decided = world["certifier_c"].get(f"/api/v1/label-requests/{ids[1]}").json
    assert decided["decision_reason"] == "Audit 2026-11"
    assert 'type="checkbox"' not in queue  # nothing left to approve


def test_one_request_changed_since_the_page_refuses_them_all(app, world):
    ids = [requested(world, f"Rebar {n}")[0] for n in (1, 2, 3)]
    certifier = sign_in(app, "certifier_c", lang="zh-Hans")
    page = certifier.get(selection(*ids)).text
    assert "批准并签发这些标签？" in page
    data = posted_form(page)
    # certifier C's colleague asks for changes on the second while this page is open
    stale = act(world["certifier_c"], ids[1], "request_changes", data[f"etag-{ids[1]}"][0],
                reason="one more question")
    assert stale.status_code == 200
    refused = certifier.post(CONFIRM, data=data)
    assert refused.status_code == 302  # back to the confirmation, with a message
    assert refused.headers["Location"].startswith(CONFIRM)
    again = certifier.get(refused.headers["Location"]).text
    message = re.search(r'<p class="flash error" role="alert">([^<]+)</p>', again)
    assert message, again
    said = html.unescape(message.group(1))
    assert said.startswith("未批准任何申请。Rebar 2：申请在您读取后已被更改"), said
    assert "requests[" not in said
    assert labels_by_request(app) == []
    assert [state_of(world, i) for i in ids] == ["in_review", "changes_requested",
                                                 "in_review"]
    # the page now shows the change and offers no approval for the three
    assert "当前状态下不能批准" in again
    assert f'<form method="post" action="{CONFIRM}">' not in again


def test_an_exporter_or_another_bodys_certifier_cannot_use_it(app, world):
    ids = [requested(world, f"Rebar {n}")[0] for n in (1, 2)]
    data = posted_form(sign_in(app, "certifier_c").get(selection(*ids)).text)
    exporter = sign_in(app, "exporter_a")
    assert exporter.get(selection(*ids)).status_code == 403  # as the single approval's page
    other = sign_in(app, "certifier_d")
    missing = other.get(selection(*ids))
    assert missing.status_code == 404  # C's requests do not exist for D
    for client in (exporter, other):
        refused = client.post(CONFIRM, data={**data, "csrf_token": client.csrf},
                              headers={"Referer": "/app/"})
        assert refused.status_code == 302
    assert "This page is for certifiers." in exporter.get("/app/products").text
    assert ("Nothing was approved. Request 1 of the selection: no such label request"
            in other.get("/app/queue").text)
    assert labels_by_request(app) == []
    assert [state_of(world, i) for i in ids] == ["in_review", "in_review"]


def test_an_empty_or_too_large_selection_is_refused(app, world):
    certifier = sign_in(app, "certifier_c")
    empty = certifier.get(CONFIRM)
    assert empty.status_code == 302 and empty.headers["Location"] == "/app/queue"
    assert "Select at least one request to approve." in certifier.get("/app/queue").text
    posted = certifier.post(CONFIRM, data={"valid_until": "2029-06-30",
                                           "csrf_token": certifier.csrf})
    assert posted.status_code == 302 and posted.headers["Location"] == "/app/queue"
    assert "Select at least one request to approve." in certifier.get("/app/queue").text
    too_many = certifier.get(selection(*(f"r{n}" for n in range(501))))
    assert too_many.status_code == 302
    assert ("At most 500 requests can be approved in one go; select fewer."
            in certifier.get("/app/queue").text)
    assert count(app, "labels") == 0


def test_a_concurrent_write_is_a_message_not_a_json_answer(app, world, monkeypatch):
    """Under batched sequencing another writer between reading and writing ends in
    StaleDataError, which the API answers as problem+json: the page says it in words."""
    from sqlalchemy.orm.exc import StaleDataError

    from app.services import certification

    request_id, _ = requested(world, "Rebar 1")
    certifier = sign_in(app, "certifier_c")
    data = posted_form(certifier.get(selection(request_id)).text)

    def raced(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'label_requests' expected to update "
                             "1 row(s); 0 were matched.")

    monkeypatch.setattr(certification, "approve_many", raced)
    refused = certifier.post(CONFIRM, data=data)
    assert refused.status_code == 302
    again = certifier.get(refused.headers["Location"]).text
    assert "someone else changed this resource first; reload it and try again" in again
    assert labels_by_request(app) == [] and state_of(world, request_id) == "in_review"
