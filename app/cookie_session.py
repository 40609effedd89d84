"""Flask's signed-cookie session, without building a signing serializer for a request that
carries no session cookie, nor saving one that holds nothing.

Flask builds a fresh `URLSafeTimedSerializer` (keys, salt, signer) at the start of every
request, before it looks whether there is a cookie to read. Most requests have none: the
public verification page and JSON, the health check, the status lists, the API with a
bearer token. For them the serializer is never used, and building it was a measurable part
of the fixed cost every request pays (benchmarks/bench_verification_paths.py). A request
with a cookie, and every response that writes one, goes through Flask's code unchanged.

Saving an empty, unchanged session (again most requests) writes nothing, yet Flask reads
seven cookie settings from the config and parses the response's Vary header to add
`Cookie` to it, which the verification page's own Vary already names."""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # what Flask answers for no cookie, minus the work
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if session or session.modified:  # a cookie to write or to delete
            return super().save_session(app, session, response)
        if session.accessed and not varies_on_cookie(response):
            response.vary.add("Cookie")  # as Flask does: the answer read the (absent) cookie
        return None


def varies_on_cookie(response: Response) -> bool:
    vary = response.headers.get("Vary")
    return vary is not None and any(p.strip().lower() == "cookie" for p in vary.split(","))
