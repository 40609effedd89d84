"""Session login for pages and browsers (machines use API tokens)."""

from __future__ import annotations

from flask import current_app, session
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from app.auth import caller, log_in, requires, start_session
from app.extensions import limiter
from app.schemas.accounts import LoginSchema, SessionSchema
from app.services import accounts, audit, transaction

blp = Blueprint("auth", __name__, url_prefix="/api/v1/session",
                description="Session login (cookie + CSRF token)")


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@blp.route("", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(LoginSchema)
@blp.response(201, SessionSchema)
def login(body: dict) -> dict:
    """Log in; changes made with the cookie need the returned CSRF token. Wrong passwords
    lock the account and the address out for a growing time (429 with Retry-After)."""
    user = log_in(body["email"], body["password"])
    start_session(user)
    return {"user": user, "csrf_token": generate_csrf()}


@blp.route("", methods=["GET"])
@requires()
@blp.response(200, SessionSchema)
def current() -> dict:
    """Who is logged in (or whose token this is)."""
    return {"user": caller().user, "csrf_token": generate_csrf()}


@blp.route("", methods=["DELETE"])
@requires()
@blp.response(204)
def logout() -> None:
    """End the session: every cookie issued to you before, copies included, stops working."""
    with transaction() as db:
        accounts.end_sessions(db, caller().user)
        audit.append(db, caller().user, "auth.logout", target_type="user",
                     target_id=caller().user.id)
    session.clear()
