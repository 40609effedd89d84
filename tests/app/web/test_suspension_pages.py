"""Suspending and lifting a suspension on the certifier's pages go through a confirmation,
and the public verification page leads a suspended label with its state, date and reason,
in each of the three languages."""

from __future__ import annotations

import pytest

from app import clock, display_time
from tests.app.api.test_recognition import DECLARED, issue_with
from tests.app.web.test_pages import count, csrf_of, sign_in

SUSPENDED = {"en": ("Suspended", "not in force while the suspension lasts"),
             "zh-Hans": ("已暂停", "暂停期间不生效"),
             "zh-Hant": ("已暫停", "暫停期間不生效")}


def test_suspending_and_lifting_ask_first(app, world):
    label_id, _ = issue_with(world, DECLARED)
    page_client = sign_in(app, "certifier_c")
    request_id = world["exporter_a"].get("/api/v1/labels?page_size=200").json["items"][0][
        "request_id"]
    review = page_client.get(f"/app/requests/{request_id}").text
    assert f"/app/labels/{label_id}/suspend" in review  # the link opens the confirmation
    confirm = page_client.get(f"/app/labels/{label_id}/suspend")
    assert confirm.status_code == 200
    assert "<h1>Suspend the label?</h1>" in confirm.text
    assert "While suspended, the label is not in force" in confirm.text
    assert count(app, "labels WHERE suspended_at IS NOT NULL") == 0  # looking changed nothing
    done = page_client.post(f"/app/labels/{label_id}/suspend", data={
        "reason": "Surveillance audit overdue", "csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 302
    assert count(app, "labels WHERE suspended_at IS NOT NULL") == 1
    after = page_client.get(done.headers["Location"], follow_redirects=True).text
    assert f"Label {label_id} is suspended." in after
    assert f"/app/labels/{label_id}/reinstate" in after
    assert f"/app/labels/{label_id}/suspend" not in after

    again = page_client.get(f"/app/labels/{label_id}/suspend").text
    assert "Only a label in force can be suspended." in again and "<textarea" not in again
    lift = page_client.get(f"/app/labels/{label_id}/reinstate")
    assert "<h1>Lift the suspension?</h1>" in lift.text
    assert "Surveillance audit overdue" in lift.text
    lifted = page_client.post(f"/app/labels/{label_id}/reinstate", data={
        "reason": "Audit passed", "csrf_token": csrf_of(lift.text)})
    assert lifted.status_code == 302
    assert count(app, "labels WHERE suspended_at IS NOT NULL") == 0
    page = page_client.get(lifted.headers["Location"], follow_redirects=True).text
    assert f"The suspension of label {label_id} is lifted." in page


def test_another_body_cannot_suspend_from_the_page(app, world):
    label_id, _ = issue_with(world, DECLARED)
    other = sign_in(app, "certifier_d")
    confirm = sign_in(app, "certifier_c").get(f"/app/labels/{label_id}/suspend").text
    refused = other.post(f"/app/labels/{label_id}/suspend", data={
        "reason": "x", "csrf_token": csrf_of(other.get("/app/queue").text)})
    shown = other.get(refused.headers["Location"], follow_redirects=True).text \
        if refused.status_code == 302 else refused.text
    assert "only the issuing certification body or an admin can suspend" in shown
    assert "<textarea" in confirm
    assert count(app, "labels WHERE suspended_at IS NOT NULL") == 0


@pytest.mark.timezone
@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_a_suspended_label_leads_with_its_state_date_and_reason(world, client, lang):
    label_id, _ = issue_with(world, DECLARED)
    reason = "Surveillance audit overdue"
    response = world["certifier_c"].post(f"/api/v1/labels/{label_id}/suspension",
                                         json={"reason": reason})
    assert response.status_code == 200, response.json
    html = client.get(f"/verify/{label_id}?lang={lang}").text
    first = html.index('<p class="status suspended">')
    lead = html[first:html.index("<dl>")]
    state, meaning = SUSPENDED[lang]
    assert state in lead and meaning in lead and reason in lead
    # The page's day is Hong Kong's (the service's default zone for a visitor without a
    # choice), which after 16:00 UTC is already tomorrow's UTC date.
    day = display_time.local_day(clock.now(), display_time.zone("Asia/Hong_Kong"))
    assert day in lead, "the suspension date is shown before the details"
    body = html.split("<body>", 1)[1]
    assert "✔" not in body
