"""Deactivating and reactivating accounts, and updating a certification body's accreditation:
API and pages, with what each leaves in the audit trail (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.app.api.test_session_revocation import login
from tests.app.web.test_pages import csrf_of, sign_in

RENEWED = {"accreditation_body": "CNAS", "accreditation_number": "CNAS C-2031",
           "accreditation_standard": "ISO 14065:2020", "accreditation_scope": ["72", "73"],
           "accredited_from": "2027-01-01", "accredited_to": "2030-12-31",
           "reason": "renewed after reassessment"}


def audit_items(world, action: str) -> list[dict]:
    """Every audit entry of `action`, following the pages."""
    found, after = [], ""
    while True:
        page = world["admin"].get(f"/api/v1/audit?page_size=200{after}")
        assert page.status_code == 200, page.json
        found += [e for e in page.json["items"] if e["action"] == action]
        if not page.json.get("next"):
            return found
        after = f"&after={page.json['next']}"


def test_deactivation_ends_sign_in_sessions_and_tokens_and_reactivation_only_sign_in(
        world, client):
    admin, exporter = world["admin"], world["exporter_a"]
    login(client, "exporter_a@test.example")
    assert client.get("/api/v1/session").status_code == 200
    off = admin.put(f"/api/v1/users/{exporter.user_id}/active",
                    json={"active": False, "reason": "left the company"})
    assert off.status_code == 200 and off.json["active"] is False
    assert client.get("/api/v1/session").status_code == 401          # the cookie
    assert exporter.get("/api/v1/products").status_code == 401       # the token
    refused = client.post("/api/v1/session", json={"email": "exporter_a@test.example",
                                                   "password": "correct horse battery"})
    assert refused.status_code == 401
    again = admin.put(f"/api/v1/users/{exporter.user_id}/active",
                      json={"active": False, "reason": "twice"})
    assert again.status_code == 409 and again.json["current_state"] == "deactivated"
    on = admin.put(f"/api/v1/users/{exporter.user_id}/active",
                   json={"active": True, "reason": "rehired"})
    assert on.status_code == 200 and on.json["active"] is True
    assert client.post("/api/v1/session", json={
        "email": "exporter_a@test.example", "password": "correct horse battery"}
    ).status_code == 201
    assert exporter.get("/api/v1/products").status_code == 401       # old token stays dead
    off_entry, = audit_items(world, "user.deactivated")
    assert off_entry["reason"] == "left the company"
    assert off_entry["details"]["tokens_revoked"] == 1
    assert [e["reason"] for e in audit_items(world, "user.reactivated")] == ["rehired"]


def test_an_admin_cannot_lock_themselves_out(world):
    admin = world["admin"]
    refused = admin.put(f"/api/v1/users/{admin.user_id}/active",
                        json={"active": False, "reason": "oops"})
    assert refused.status_code == 409
    assert admin.get("/api/v1/users").status_code == 200
    assert audit_items(world, "user.deactivated") == []


def test_accreditation_is_replaced_with_old_and_new_in_the_audit_trail(world):
    admin, body_id = world["admin"], world["certifier_c"].org_id
    before = admin.get(f"/api/v1/organisations/{body_id}").json
    changed = admin.put(f"/api/v1/organisations/{body_id}/accreditation", json=RENEWED)
    assert changed.status_code == 200, changed.json
    assert changed.json["accreditation_number"] == "CNAS C-2031"
    assert changed.json["accreditation_scope"] == ["72", "73"]
    assert changed.json["accredited_to"] == "2030-12-31"
    entry, = audit_items(world, "organisation.accreditation_changed")
    assert entry["reason"] == "renewed after reassessment"
    assert entry["details"]["from"]["accreditation_number"] == before["accreditation_number"]
    assert entry["details"]["from"]["accredited_to"] == before["accredited_to"]
    assert entry["details"]["to"]["accredited_from"] == "2027-01-01"


def test_bad_accreditation_changes_nothing(world):
    admin, body_id = world["admin"], world["certifier_c"].org_id
    before = admin.get(f"/api/v1/organisations/{body_id}").json
    backwards = admin.put(f"/api/v1/organisations/{body_id}/accreditation",
                          json=dict(RENEWED, accredited_to="2026-12-31"))
    assert backwards.status_code == 422
    exporter_org = admin.put(f"/api/v1/organisations/{world['exporter_a'].org_id}"
                             "/accreditation", json=RENEWED)
    assert exporter_org.status_code == 422
    bad_scope = admin.put(f"/api/v1/organisations/{body_id}/accreditation",
                          json=dict(RENEWED, accreditation_scope=["7"]))
    assert bad_scope.status_code == 422
    assert admin.get(f"/api/v1/organisations/{body_id}").json == before
    assert audit_items(world, "organisation.accreditation_changed") == []


def test_the_admin_pages_deactivate_after_confirmation_and_update_accreditation(app, world):
    admin = sign_in(app, "admin")
    target = world["exporter_b"].user_id
    unconfirmed = admin.post(f"/app/admin/users/{target}/active", data={
        "csrf_token": admin.csrf, "active": "false", "reason": "left"}, follow_redirects=True)
    assert "tick the box to confirm" in unconfirmed.text
    assert world["exporter_b"].get("/api/v1/products").status_code == 200
    done = admin.post(f"/app/admin/users/{target}/active", data={
        "csrf_token": admin.csrf, "active": "false", "reason": "left", "confirm": "yes"},
        follow_redirects=True)
    assert "Account deactivated." in done.text and "Deactivated" in done.text
    assert world["exporter_b"].get("/api/v1/products").status_code == 401

    body_id = world["certifier_c"].org_id
    page = admin.get("/app/admin/organisations").text
    form = {"csrf_token": csrf_of(page), "accreditation_body": "CNAS",
            "accreditation_number": "CNAS C-2031", "accreditation_standard": "ISO 14065:2020",
            "accreditation_scope_text": "72， 73", "accredited_from": "2027-01-01",
            "accredited_to": "2030-12-31", "reason": "renewed"}
    saved = admin.post(f"/app/admin/organisations/{body_id}/accreditation", data=form,
                       follow_redirects=True)
    assert "Accreditation of Body C updated." in saved.text
    assert "CNAS C-2031" in saved.text and "72, 73" in saved.text
    missing = admin.post(f"/app/admin/organisations/{body_id}/accreditation",
                         data=dict(form, reason="", accreditation_number="X"),
                         follow_redirects=True)
    assert "Reason" in missing.text
    assert world["admin"].get(f"/api/v1/organisations/{body_id}"
                              ).json["accreditation_number"] == "CNAS C-2031"
