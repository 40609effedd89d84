"""Sessions end on the server: a cookie copied before log-out, a password change or a role
change stops working; a token manages only tokens no more powerful than itself."""

from __future__ import annotations

from app.services import accounts, transaction

PASSWORD = "correct horse battery"
PRODUCT = {"name": "Rebar", "hs_code": "7214"}


def login(client, email="exporter_a@test.example") -> str:
    response = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return response.json["csrf_token"]


def copy_of(app, client):
    """A second browser holding the same session cookie (a stolen or copied cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_cookie_copied_before_logout_no_longer_works(world, app, client):
    csrf = login(client)
    thief = copy_of(app, client)
    made = thief.post("/api/v1/products", json=PRODUCT, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201  # the copy works while the session lives
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    refused = thief.post("/api/v1/products", json=PRODUCT, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 401
    assert thief.get("/api/v1/session").status_code == 401
    listed = world["exporter_a"].get("/api/v1/products").json
    assert [p["name"] for p in listed["items"]] == ["Rebar"]  # only the first was made


def test_page_logout_ends_copies_too(world, app, client):
    login(client)
    thief = copy_of(app, client)
    assert thief.get("/app/products").status_code == 200
    page = client.get("/app/products").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post("/app/logout", data={"csrf_token": csrf}).status_code == 302
    again = thief.get("/app/products")
    assert again.status_code == 302 and "/app/login" in again.headers["Location"]


def test_a_new_login_after_logout_works(world, client):
    csrf = login(client)
    client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    login(client)
    assert client.get("/api/v1/session").status_code == 200


def test_password_change_ends_sessions_and_tokens(world, app, client):
    login(client)
    assert client.get("/api/v1/session").status_code == 200
    with app.app_context(), transaction() as session:
        accounts.set_password(session, None, world["exporter_a"].user_id,
                              "another long passphrase")
    assert client.get("/api/v1/session").status_code == 401
    assert world["exporter_a"].get("/api/v1/products").status_code == 401
    new = client.post("/api/v1/session", json={"email": "exporter_a@test.example",
                                               "password": "another long passphrase"})
    assert new.status_code == 201


def test_role_change_ends_sessions_and_tokens(world, client):
    login(client, "certifier_c@test.example")
    assert client.get("/api/v1/session").status_code == 200
    changed = world["admin"].put(f"/api/v1/users/{world['certifier_c'].user_id}/role",
                                 json={"role": "admin", "reason": "promoted"})
    assert changed.status_code == 200, changed.json
    assert client.get("/api/v1/session").status_code == 401
    assert world["certifier_c"].get("/api/v1/label-requests").status_code == 401
    audit = world["admin"].get("/api/v1/audit?action=user.role_changed").json
    entries = audit["items"] if isinstance(audit, dict) else audit
    assert any(e["details"].get("tokens_revoked") == 1 for e in entries)


def test_a_read_only_token_cannot_see_or_revoke_write_tokens(world):
    exporter = world["exporter_a"]
    reader = exporter.post("/api/v1/tokens", json={"name": "ro", "scopes": ["read"],
                                                   "days": 1}).json
    writer = exporter.post("/api/v1/tokens", json={"name": "rw", "scopes": ["read", "write"],
                                                   "days": 1}).json
    ro = {"Authorization": f"Bearer {reader['token']}"}
    client = exporter.client
    seen = {t["name"] for t in client.get("/api/v1/tokens", headers=ro).json}
    assert seen == {"ro"}  # the write tokens ("t", "rw") are not its business
    refused = client.delete(f"/api/v1/tokens/{writer['id']}", headers=ro)
    assert refused.status_code == 403
    created = client.post("/api/v1/tokens", headers=ro,
                          json={"name": "x", "scopes": ["read", "write"], "days": 1})
    assert created.status_code == 403
    rw = {"Authorization": f"Bearer {writer['token']}"}
    assert client.get("/api/v1/products", headers=rw).status_code == 200  # still alive
    assert client.delete(f"/api/v1/tokens/{reader['id']}", headers=ro).status_code == 204
    assert exporter.delete(f"/api/v1/tokens/{writer['id']}").status_code == 204
    assert client.get("/api/v1/products", headers=rw).status_code == 401
