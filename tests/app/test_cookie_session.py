"""The session interface builds no signing serializer for a request without a session
cookie (app/cookie_session.py), and reads and writes one exactly as Flask does otherwise."""

from __future__ import annotations

from flask import session

from app.cookie_session import CookieSessions


def _app():
    from flask import Flask

    app = Flask("sessions")
    app.secret_key = "test-secret"
    app.session_interface = CookieSessions()

    @app.get("/set")
    def set_() -> str:
        session["who"] = "reader"
        return "set"

    @app.get("/get")
    def get() -> str:
        return session.get("who", "nobody")

    return app


def test_no_cookie_builds_no_serializer(monkeypatch):
    app = _app()
    built = []
    real = CookieSessions.get_signing_serializer

    def spy(self, flask_app):
        built.append(1)
        return real(self, flask_app)

    monkeypatch.setattr(CookieSessions, "get_signing_serializer", spy)
    client = app.test_client()
    assert client.get("/get").get_data(as_text=True) == "nobody"
    assert built == []
    assert client.get("/set").status_code == 200  # writing a cookie signs it
    assert built == [1]
    assert client.get("/get").get_data(as_text=True) == "reader"  # reading it checks it
    assert built == [1, 1]


def test_a_forged_cookie_is_an_empty_session():
    app = _app()
    client = app.test_client()
    client.set_cookie("session", "eyJ3aG8iOiJhZG1pbiJ9.forged.signature")
    assert client.get("/get").get_data(as_text=True) == "nobody"


def test_without_a_secret_key_there_is_no_session_as_in_flask():
    app = _app()
    app.secret_key = None
    assert app.session_interface.open_session(app, app.test_request_context("/").request) is None


def test_the_service_uses_it(app):
    assert isinstance(app.session_interface, CookieSessions)
