"""Signing in and out of the pages, and the front door that sends each role to its work."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf

from app.auth import log_in, start_session
from app.domain import TooManyRequests, Unauthenticated
from app.extensions import limiter
from app.services import accounts, audit, transaction
from app.web.common import register_errors, safe_next, signed_in, user

blp = Blueprint("session_pages", __name__, url_prefix="/app")
register_errors(blp)

_HOME = {"exporter": "exporter_pages.products", "certifier": "certifier_pages.queue",
         "admin": "certifier_pages.queue"}


@blp.route("/", methods=["GET"])
@signed_in()
def home():
    return redirect(url_for(_HOME[user().role]))


@blp.route("/login", methods=["GET"])
def login():
    return render_template("pages/login.html", next=request.args.get("next", ""), email="")


@blp.route("/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
def do_login():
    email = request.form.get("email", "").strip()
    try:  # no login CSRF: the form must come from our own sign-in page
        validate_csrf(request.form.get("csrf_token"))
    except Exception:
        flash(_("The page expired; please sign in again."), "error")
        return render_template("pages/login.html", next=request.form.get("next", ""),
                               email=email), 400
    target = safe_next(request.form.get("next"), url_for("session_pages.home"))
    try:
        found = log_in(email, request.form.get("password", ""))
    except TooManyRequests as exc:
        flash(_("Too many failed sign-ins; try again in %(seconds)s seconds.",
                seconds=exc.retry_after), "error")
        page = render_template("pages/login.html", next=target, email=email)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    except Unauthenticated:
        flash(_("Wrong email or password."), "error")
        return render_template("pages/login.html", next=target, email=email), 401
    start_session(found)
    return redirect(target)


@blp.route("/logout", methods=["POST"])
@signed_in()
def logout():
    with transaction() as db:
        accounts.end_sessions(db, g.caller.user)
        audit.append(db, g.caller.user, "auth.logout", target_type="user",
                     target_id=g.caller.user.id)
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("session_pages.login"))
