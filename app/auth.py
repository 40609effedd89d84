"""Who is calling: a bearer API token (machines) or a session cookie (pages, CSRF-checked:
the token comes as the X-CSRF-Token header from scripts or a `csrf_token` field from forms).

`load_caller` runs before every request; endpoints declare what they need with `requires`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, validate_csrf

from app.domain import Forbidden, Unauthenticated
from app.extensions import db, limiter
from app.openapi import SECURED
from app.persistence import User
from app.ratelimit import WindowMemoryStorage
from app.services import accounts, login_throttle, transaction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOCAL_THROTTLE = WindowMemoryStorage()  # no timer threads (app/ratelimit.py)


@dataclass(frozen=True)
class Caller:
    user: User
    scopes: tuple[str, ...]
    via: str  # "token" or "session"


def load_caller() -> None:
    g.caller = None
    if request.blueprint == "pact":  # PACT clients authenticate with their own tokens
        return
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        holder, scopes = accounts.user_for_token(db.session, header[7:].strip())
        g.caller = Caller(holder, tuple(scopes), "token")
        return
    user_id = session.get("user_id")
    if not user_id:
        return
    user = db.session.get(User, user_id)
    if user is None or not user.active or session.get("epoch") != user.session_epoch:
        session.clear()  # logged out, password or role changed since: the cookie is spent
        return
    if request.method not in SAFE_METHODS:
        # read outside the try: an over-size body is a 413, not a failed CSRF check
        posted = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
        try:
            validate_csrf(posted)
        except CSRFError as exc:  # flask-wtf raises ValidationError subclasses too
            raise Forbidden(f"CSRF check failed: {exc.description}") from None
        except Exception as exc:  # wtforms ValidationError
            raise Forbidden(f"CSRF check failed: {exc}") from None
    g.caller = Caller(user, accounts.ROLE_SCOPES[user.role], "session")


def log_in(email: str, password: str) -> User:
    """Check a password under the log-in throttle (per account and per client address);
    a locked account or address is refused before any hashing."""
    # with rate limits switched off the lock-out still holds, per worker
    storage = limiter.storage if limiter.enabled else _LOCAL_THROTTLE
    address = get_remote_address()
    login_throttle.check(storage, email, address)
    try:
        with transaction() as db_session:
            user = accounts.authenticate(db_session, email, password)
    except Unauthenticated:
        policy = login_throttle.ThrottlePolicy.from_config(current_app.config)
        login_throttle.failed(storage, policy, email, address)
        raise
    login_throttle.succeeded(storage, email)
    return user


def start_session(user: User) -> None:
    """A fresh cookie for `user`, marked with the user's current session generation."""
    session.clear()
    session["user_id"] = user.id
    session["epoch"] = user.session_epoch


def caller() -> Caller:
    if g.get("caller") is None:
        raise Unauthenticated("log in or send an API token (Authorization: Bearer ...)")
    return g.caller


def requires(*roles: str, scope: str = "read") -> Callable:
    """Allow only these roles (any role when none given) holding `scope`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = caller()
            if roles and who.user.role not in roles:
                raise Forbidden(f"this is for {' or '.join(roles)} accounts")
            accounts.require_scope(list(who.scopes), scope)
            return view(*args, **kwargs)

        docs = dict(getattr(view, "_apidoc", {}))  # a copy: @wraps shares the view's dict
        docs["manual_doc"] = {**docs.get("manual_doc", {}), "security": SECURED}
        wrapper._apidoc = docs  # type: ignore[attr-defined]  # read by flask-smorest
        return wrapper

    return decorate
