"""Errors a person meets in a browser become a page in their language, not JSON.

app/errors.py keeps the one mapping of errors to statuses and answers the API with
problem+json; it asks `wants_page()` first and lets `render()` answer a page request. A 500
page says nothing about the cause (that goes to the log); a 429 says when to try again.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask_babel import gettext as _
from markupsafe import escape

from app.display_time import local
from app.web import timezones

PAGE_PREFIXES = ("/app/", "/app", "/verify", "/01/")
MACHINE_PREFIXES = ("/api/", "/.well-known/", "/static/")


def wants_page() -> bool:
    """The pages' own paths always; elsewhere (not the API) a browser asking for HTML."""
    path = request.path
    if path.startswith(MACHINE_PREFIXES):
        return False
    if path.startswith(PAGE_PREFIXES):
        return True
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def _retry_after() -> int:
    from app.errors import rate_limit_reset

    return rate_limit_reset()


def _explanation(status: int) -> list[str]:
    if status == 404:
        return [_("There is no page at this address. Check the address, or start again from "
                  "the links below.")]
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        size = _size(limit) if limit else "?"
        return [_("The upload is larger than the limit of %(size)s. Nothing was saved.",
                  size=size)]
    if status == 429:
        seconds = _retry_after()
        again = local(_now_plus(seconds), timezones.current(), seconds=True)
        return [_("Too many attempts in a short time. Please wait %(seconds)s seconds, then "
                  "try again (from %(time)s).", seconds=seconds, time=again)]
    if status >= 500:
        return [_("The error has been recorded. Please try again later; if it keeps "
                  "happening, contact the service operator.")]
    return [_("This request cannot be handled (HTTP %(status)s).", status=status)]


def _size(limit: int) -> str:
    if limit >= 1_000_000:
        return f"{limit / 1_000_000:g} MB"
    return f"{limit / 1000:g} kB" if limit >= 1000 else f"{limit} B"


def _now_plus(seconds: int):
    from datetime import timedelta

    from app import clock

    return clock.now() + timedelta(seconds=seconds)


def render(status: int) -> Response:
    """The error page; if even that fails (a broken database under a 500), plain HTML."""
    from flask import render_template

    problems = _explanation(status)
    headers = {"Retry-After": str(_retry_after())} if status == 429 else {}
    try:
        body = render_template("pages/error.html", status=status, problems=problems)
    except Exception:  # the page must not fail while reporting a failure
        current_app.logger.exception("the error page could not be rendered")
        body = (f"<!doctype html><title>{status}</title><h1>{status}</h1>"
                f"<p>{escape(problems[0])}</p>")
    return Response(body, status=status, mimetype="text/html", headers=headers)
