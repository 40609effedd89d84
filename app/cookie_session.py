"""Flask's signed-cookie session, without building a signing serializer for a request that
carries no session cookie.

Flask builds a fresh `URLSafeTimedSerializer` (keys, salt, signer) at the start of every
request, before it looks whether there is a cookie to read. Most requests have none: the
public verification page and JSON, the health check, the status lists, the API with a
bearer token. For them the serializer is never used, and building it was a measurable part
of the fixed cost every request pays (benchmarks/bench_verification_paths.py). A request
with a cookie, and every response that writes one, goes through Flask's code unchanged."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # what Flask answers for no cookie, minus the work
        return super().open_session(app, request)
