"""Session login for pages and browsers (machines use API tokens)."""

from __future__ import annotations

from flask import session
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from app.auth import caller, requires
from app.schemas.accounts import LoginSchema, SessionSchema
from app.services import accounts, audit, transaction

blp = Blueprint("auth", __name__, url_prefix="/api/v1/session",
                description="Session login (cookie + CSRF token)")


@blp.route("", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(201, SessionSchema)
def login(body: dict) -> dict:
    """Log in; changes made with the cookie need the returned CSRF token."""
    with transaction() as db:
        user = accounts.authenticate(db, body["email"], body["password"])
    session.clear()
    session["user_id"] = user.id
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
    """End the session."""
    with transaction() as db:
        audit.append(db, caller().user, "auth.logout", target_type="user",
                     target_id=caller().user.id)
    session.clear()
