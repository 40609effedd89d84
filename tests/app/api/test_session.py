"""Session login for browsers: cookie plus CSRF token on every change."""

from __future__ import annotations

PASSWORD = "correct horse battery"


def login(client, email="exporter_a@test.example"):
    response = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return response.json["csrf_token"]


def test_login_then_read_and_write_with_csrf(world, client):
    csrf = login(client)
    assert client.get("/api/v1/session").json["user"]["email"] == "exporter_a@test.example"
    without = client.post("/api/v1/products", json={"name": "x", "hs_code": "7214"})
    assert without.status_code == 403 and "CSRF" in without.json["detail"]
    with_token = client.post("/api/v1/products", json={"name": "x", "hs_code": "7214"},
                             headers={"X-CSRF-Token": csrf})
    assert with_token.status_code == 201


def test_wrong_password_and_unknown_user_look_the_same(world, client):
    wrong = client.post("/api/v1/session", json={"email": "exporter_a@test.example",
                                                 "password": "not the password"})
    unknown = client.post("/api/v1/session", json={"email": "nobody@test.example",
                                                   "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["detail"] == unknown.json["detail"]


def test_logout_ends_the_session(world, client):
    csrf = login(client)
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/session").status_code == 401


def test_revoked_token_stops_working(world):
    exporter = world["exporter_a"]
    created = exporter.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read"],
                                                    "days": 1})
    assert created.status_code == 201
    secret, token_id = created.json["token"], created.json["id"]
    listed = exporter.get("/api/v1/tokens").json
    assert all("token" not in t for t in listed)
    reader = exporter.client.get("/api/v1/products",
                                 headers={"Authorization": f"Bearer {secret}"})
    assert reader.status_code == 200
    writer = exporter.client.post("/api/v1/products", json={"name": "x"},
                                  headers={"Authorization": f"Bearer {secret}"})
    assert writer.status_code == 403
    assert exporter.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    again = exporter.client.get("/api/v1/products", headers={"Authorization": f"Bearer {secret}"})
    assert again.status_code == 401


def test_token_scopes_must_fit_the_role(world):
    response = world["exporter_a"].post("/api/v1/tokens", json={"name": "x",
                                                                "scopes": ["review"]})
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "scopes"


def test_openapi_and_docs_page(client):
    spec = client.get("/api/openapi.json").json
    assert "/api/v1/label-requests/{request_id}/transitions" in spec["paths"]
    assert "bearer" in spec["components"]["securitySchemes"]
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert client.get("/api/swagger-ui/swagger-ui-bundle.js").status_code == 200
