"""What every signed-in page shares: who may see it, reading forms, and errors as pages.

Pages call the same services as the JSON API; only the edges differ. A refused change comes
back as a message on the page the form was on (post/redirect/get), never as problem+json,
and a visitor who is not signed in is sent to the sign-in page and back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import RequestEntityTooLarge

from app.domain import Forbidden, NotFound, ServiceError, Unauthenticated
from app.errors import error_detail
from app.extensions import db
from app.messages import localize
from app.services import keyset
from app.web import error_pages, field_names
from app.web.vocabulary import role_name
from lca_models.errors import (
    InputLimitError,
    LcaModelError,
    ModelValidationError,
)

#: form fields that are plumbing, not data
_PLUMBING = frozenset({"csrf_token", "etag", "next", "lang"})


PAGE_SIZE = 50


def paged(listing: Callable[[str | None, int], keyset.Page]
          ) -> tuple[list[Any], dict[str, str | None]]:
    """One page of a list from `?after=`, read by the service's list function
    (`listing(after, size)`, keyset: app/services/keyset.py), and the URLs of the next page
    (None on the last) and of the first (None when on it): pages show a page at a time,
    never every row."""
    after = request.args.get("after") or None
    found = listing(after, PAGE_SIZE)
    values: dict[str, Any] = {**(request.view_args or {}), **{
        k: v for k, v in request.args.to_dict().items() if k != "after"}}
    endpoint = request.endpoint or ""  # a routed request always has one
    return found.items, {
        "next": url_for(endpoint, **values, after=found.next) if found.next else None,
        "first": url_for(endpoint, **values) if after else None}


def load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as exc:
        from lca_models.inventory_schema import flatten_errors

        raise FormError(flatten_errors(exc.messages)) from None


class FormError(ServiceError):
    """A form field failed its schema; `errors` maps field -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def signed_in(*roles: str) -> Callable:
    """Like app.auth.requires, for pages: strangers go to sign-in, other roles get a 403 page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = g.get("caller")
            if who is None:
                return redirect(url_for("session_pages.login", next=request.full_path))
            if roles and who.user.role not in roles:
                raise Forbidden(_("This page is for %(roles)s.",
                                  roles=" / ".join(str(role_name(r)) for r in roles)))
            return view(*args, **kwargs)

        return wrapper

    return decorate


def user():
    return g.caller.user


def form(schema: Schema) -> dict[str, Any]:
    """Load the posted form with the API's own schema; blank optional fields count as absent."""
    data: dict[str, Any] = {}
    for key in request.form:
        if key in _PLUMBING or key not in schema.load_fields:
            continue  # other fields of the same form are read by the view itself
        values = [v for v in request.form.getlist(key) if v.strip()]
        if not values:
            continue
        many = isinstance(schema.load_fields[key], fields.List)
        data[key] = values if many else values[0].strip()
    return load(schema, data)


def iso_day(text: str | None) -> date | None:
    """A day from a query string (`2027-03-31`); None when absent or not a date."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def back(fallback: str) -> str:
    """Where to return after a form: the page it was posted from, if it is ours."""
    target = request.form.get("next") or request.referrer or fallback
    parts = urlsplit(target)
    if parts.netloc and parts.netloc != request.host:
        return fallback
    return target


def safe_next(target: str | None, fallback: str) -> str:
    if not target or urlsplit(target).netloc or not target.startswith("/"):
        return fallback
    return target


def messages(exc: Exception) -> list[str]:
    if isinstance(exc, InputLimitError):  # an upload over a limit: say which, plainly
        return [_("The file is over a processing limit (%(limit)s = %(maximum)s): %(detail)s",
                  limit=exc.limit, maximum=exc.maximum, detail=error_detail(exc))]
    if isinstance(exc, FormError):
        return [f"{field_names.shown(field)}: {localize(msg)}"
                for field, msgs in exc.errors.items() for msg in msgs]
    if isinstance(exc, ModelValidationError):  # on a page the model is the document
        return [f"{path.removeprefix('model.')}: {localize(msg)}"
                for path, msgs in exc.errors.items() for msg in msgs]
    field = getattr(exc, "field", None)
    detail = error_detail(exc)
    return [f"{field_names.shown(field)}: {detail}" if field else detail]


def refused(exc: Exception, status: int | None = None) -> Any:
    """A refusal as the pages show one: a form's refused change becomes a message on the
    page it was posted from; a refused page, the error page (`status`, else from the
    refusal's kind)."""
    if isinstance(exc, Unauthenticated):
        return redirect(url_for("session_pages.login", next=request.full_path))
    if request.method == "POST":
        for text in messages(exc):
            flash(text, "error")
        return redirect(back(url_for("session_pages.home")))
    if status is None:
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) \
            else 422
    return render_template("pages/error.html", status=status,
                           problems=messages(exc)), status


def register_errors(blp: Blueprint) -> None:
    """Refused changes become a message on the form's page; a refused page, an error page."""

    def too_large(exc: RequestEntityTooLarge):
        """The form itself cannot be read (so no redirect back to it): the error page."""
        return error_pages.render(413)

    blp.register_error_handler(ServiceError, refused)
    blp.register_error_handler(LcaModelError, refused)
    blp.register_error_handler(RequestEntityTooLarge, too_large)


def pact_reason(label: Any) -> str | None:
    """Why an issued label's PACT footprint cannot be offered (None when it can): the page
    shows the reason instead of a download link that would only answer 422."""
    from flask import current_app

    from app.services import pact_host
    from app.services.issuer import issuer_from_config

    if label is None:
        return None
    return pact_host.pact_unavailable_reason(db.session, label,
                                             issuer_from_config(current_app.config))
