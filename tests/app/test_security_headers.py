"""Every response carries the security headers; the pages run no script; Swagger UI gets a
policy that allows exactly its own bundle and its one inline start-up script."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from app import create_app


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:])
            for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("path", ["/app/login", "/verify", "/api/v1/health",
                                  "/api/openapi.json", "/nowhere"])
def test_common_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert directives(response)["frame-ancestors"] == "'none'"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_allow_no_script_and_no_inline_style(client):
    for path in ("/app/login", "/verify"):
        response = client.get(path)
        policy = directives(response)
        assert policy["default-src"] == "'none'"
        assert "script-src" not in policy  # falls back to default-src 'none'
        assert policy["style-src"] == "'self'"
        body = response.get_data(as_text=True)
        assert "<script" not in body and "<style" not in body and "style=" not in body


def test_swagger_ui_policy_names_the_hash_of_its_inline_script(client):
    response = client.get("/api/docs")
    body = response.get_data(as_text=True)
    inline = re.findall(r"<script>(.*?)</script>", body, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    script_src = directives(response)["script-src"].split()
    assert script_src == ["'self'", f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert directives(response)["connect-src"] == "'self'"  # it fetches /api/openapi.json


def test_no_hsts_over_plain_http(database_url, tmp_path, brightway_dir):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "INSTANCE_DIR": tmp_path, "SECRET_KEY": "x",
                      "BRIGHTWAY_DIR": brightway_dir, "PUBLIC_URL": "http://127.0.0.1:8000",
                      "DEV_MODE": True})  # an http public URL is for development only
    response = app.test_client().get("/api/v1/health")
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_header_the_view_set_is_kept_and_not_repeated():
    """Added in one pass (app/security_headers.py): what a response already has wins, and
    every header appears once."""
    from flask import Flask, Response

    from app import security_headers

    bare = Flask("headers")
    bare.config["PUBLIC_URL"] = "https://labels.test"
    security_headers.init_app(bare)

    @bare.get("/own")
    def own() -> Response:
        return Response("x", headers={"x-frame-options": "SAMEORIGIN",
                                      "Content-Security-Policy": "default-src 'self'"})

    response = bare.test_client().get("/own")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'self'"]
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.getlist("Strict-Transport-Security") == [security_headers.HSTS]
