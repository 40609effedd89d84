"""Approving and revoking go through a confirmation page with a summary and warnings
(unanswered comments, a label failing its own scheme); opening it changes nothing."""

from __future__ import annotations

import html
import re

from tests.app.api.test_recognition import DECLARED, issue_with
from tests.app.flows import act, submitted_request
from tests.app.web.test_pages import count, csrf_of, sign_in


def test_approval_asks_first_and_warns_about_unanswered_comments(app, world):
    request_id, etag = submitted_request(world)
    certifier = world["certifier_c"]
    etag = act(certifier, request_id, "start_review", etag).headers["ETag"]
    asked = certifier.post(f"/api/v1/label-requests/{request_id}/comments",
                           json={"body": "Where is the meter reading from?"})
    assert asked.status_code == 201, asked.json
    page_client = sign_in(app, "certifier_c")
    review = page_client.get(f"/app/requests/{request_id}").text
    # the review page's approve button only opens the confirmation (a GET form)
    form = re.search(r'<form method="get" action="([^"]+/approve)">', review)
    assert form, "approve goes through the confirmation page"
    confirm = page_client.get(f"{form.group(1)}?valid_until=2027-03-31")
    assert confirm.status_code == 200
    text = confirm.text
    assert "<h1>Approve and issue the label?</h1>" in text
    assert "Comments without an answer from the exporter: 1." in text
    assert "published rules of its own scheme" in text
    assert 'value="2027-03-31"' in text
    assert count(app, "labels") == 0  # looking changed nothing
    approved = page_client.post(f"/app/requests/{request_id}/actions", data={
        "action": "approve",
        "etag": html.unescape(re.search(r'name="etag" value="([^"]+)"', text).group(1)),
        "valid_until": "2027-03-31", "csrf_token": csrf_of(text)})
    assert approved.status_code == 302
    after = page_client.get(approved.headers["Location"], follow_redirects=True).text
    assert "Approved; the label is issued." in after
    assert count(app, "labels") == 1


def test_the_confirmation_in_traditional_chinese_names_a_failed_home_scheme(app, world):
    request_id, etag = submitted_request(world)  # names no PCR: gba-home requires one
    act(world["certifier_c"], request_id, "start_review", etag)
    page_client = sign_in(app, "certifier_c", lang="zh-Hant")
    text = page_client.get(f"/app/requests/{request_id}/approve").text
    assert "批准並簽發標籤？" in text
    assert "✘ 不符合其所屬方案" in text and "未註明產品類別規則" in text
    assert "尚未回覆的意見" not in text  # no comments, no warning about them


def test_revoking_asks_first_with_what_it_does(app, world):
    label_id, _ = issue_with(world, DECLARED)
    page_client = sign_in(app, "certifier_c")
    confirm = page_client.get(f"/app/labels/{label_id}/revoke")
    assert confirm.status_code == 200
    assert "<h1>Revoke the label?</h1>" in confirm.text and label_id in confirm.text
    assert "cannot be undone" in confirm.text
    assert count(app, "labels WHERE revoked_at IS NOT NULL") == 0
    done = page_client.post(f"/app/labels/{label_id}/revoke", data={
        "reason": "Wrong supplier data", "csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 302
    assert count(app, "labels WHERE revoked_at IS NOT NULL") == 1
    again = page_client.get(f"/app/labels/{label_id}/revoke").text
    assert "This label is already revoked." in again and "<textarea" not in again
