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

    @app.get("/varied")
    def varied():
        return session.get("who", "nobody"), 200, {"Vary": "Accept-Language, cookie"}

    @app.get("/untouched")
    def untouched() -> str:
        return "no session read"

    @app.get("/clear")
    def clear() -> str:
        session.clear()
        return "cleared"

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


def test_vary_names_the_cookie_once_when_the_session_was_read():
    """Caches must not share an answer that read the session between visitors; an answer
    that never read it may be shared."""
    client = _app().test_client()
    assert client.get("/get").headers["Vary"] == "Cookie"
    assert client.get("/varied").headers.getlist("Vary") == ["Accept-Language, cookie"]
    assert "Vary" not in client.get("/untouched").headers


def test_a_cleared_session_deletes_its_cookie():
    client = _app().test_client()
    client.get("/set")
    cleared = client.get("/clear")
    assert "session=;" in cleared.headers["Set-Cookie"] and cleared.headers["Vary"] == "Cookie"
    assert client.get("/get").get_data(as_text=True) == "nobody"


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
