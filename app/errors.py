"""One table from domain errors to HTTP: RFC 9457 problem+json bodies naming the field.

The `detail` and each error's `message` are in the language the request's Accept-Language
asks for (zh-Hans, zh-Hant or en; English when it names none of ours, as before), rendered
from the engine's and services' message templates by app/messages.py; `title` and `type`
stay English identifiers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from app.domain import (
    Busy,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceError,
    TooManyRequests,
    Unauthenticated,
)
from app.messages import localize
from lca_models.errors import (
    FactorFileError,
    InputLimitError,
    InputTooLarge,
    LcaModelError,
    MalformedInput,
    ModelValidationError,
    PactExchangeError,
    PactFootprintNotFound,
    PactInvalidFootprint,
    SingularSystemError,
    UnknownFactorError,
    format_row_error,
)
from lca_models.messages import N_, message_of
from lca_models.pact import PactMappingError

#: exception class -> (status, problem type slug, title)
PROBLEMS: dict[type[Exception], tuple[int, str, str]] = {
    InputTooLarge: (413, "input-too-large", "The input is over a size limit"),
    InputLimitError: (422, "input-limit", "The input is over a limit"),
    MalformedInput: (422, "malformed-input", "The input is not well-formed"),
    ModelValidationError: (422, "invalid-model", "The inventory model is invalid"),
    FactorFileError: (422, "invalid-factor-file", "The factor file was rejected"),
    UnknownFactorError: (404, "unknown-factor", "No such emission factor"),
    SingularSystemError: (422, "singular-system", "The process network cannot be solved"),
    LcaModelError: (422, "calculation-error", "The calculation failed"),
    # a label that PACT cannot carry without invented data (docs/pact-mapping.md)
    PactMappingError: (422, "not-expressible-in-pact",
                       "This label cannot be expressed as a PACT v3 ProductFootprint"),
    # we as a PACT data recipient: the partner's host is the upstream
    PactInvalidFootprint: (502, "invalid-partner-footprint",
                           "The partner sent a footprint that does not conform to PACT v3"),
    PactFootprintNotFound: (404, "unknown-partner-footprint",
                            "No such footprint at the partner's PACT host"),
    PactExchangeError: (502, "pact-partner-error",
                        "The partner's PACT host refused or failed the request"),
}


SERVICE_PROBLEMS: dict[type[ServiceError], tuple[int, str, str]] = {
    NotFound: (404, "not-found", "Not found"),
    Unauthenticated: (401, "unauthenticated", "Authentication required"),
    Forbidden: (403, "forbidden", "Not allowed"),
    Conflict: (409, "conflict", "The resource is in a state that does not allow this"),
    PreconditionRequired: (428, "precondition-required", "If-Match header required"),
    PreconditionFailed: (412, "precondition-failed", "The resource has changed"),
    InvalidInput: (422, "invalid-input", "The request cannot be accepted"),
    TooManyRequests: (429, "too-many-requests", "Too many requests"),
    Busy: (503, "busy", "The service is busy; nothing was changed"),
}


def problem(status: int, slug: str, title: str, detail: str | None = None,
            **extra: Any) -> Response:
    body = {"type": f"/problems/{slug}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


@contextmanager
def asked_language() -> Iterator[None]:
    """Texts in the language the request's Accept-Language names (English when none of
    ours: an API client that asks for nothing gets what it always got)."""
    from flask import request
    from flask_babel import force_locale

    from app.web.i18n import CATALOGUES, normalise

    tag = next((found for value, _q in request.accept_languages
                if (found := normalise(value))), "en")
    with force_locale(CATALOGUES[tag]):
        yield


def error_detail(exc: Exception) -> str:
    """`str(exc)` in the current language: the same sentence, built from the messages."""
    if isinstance(exc, ModelValidationError):
        return "; ".join(f"{path}: {localize(msg)}" for path, msgs in exc.errors.items()
                         for msg in msgs)
    if isinstance(exc, InputLimitError):
        where, message = localize(exc.where), localize(exc.message)
        return f"{where}: {message}" if where else message
    if isinstance(exc, FactorFileError):
        return f"{exc.source}: " + "; ".join(localize(format_row_error(r, c, m))
                                              for r, c, m in exc.errors)
    return localize(message_of(exc))


def _domain_error(exc: LcaModelError | PactMappingError) -> Response:
    with asked_language():
        return _domain_problem(exc)


def _domain_problem(exc: LcaModelError | PactMappingError) -> Response:
    for cls in type(exc).__mro__:
        if cls in PROBLEMS:
            status, slug, title = PROBLEMS[cls]
            break
    extra: dict[str, Any] = {}
    if isinstance(exc, ModelValidationError):
        extra["errors"] = [{"field": path, "message": localize(msg)}
                           for path, msgs in exc.errors.items() for msg in msgs]
    if isinstance(exc, InputLimitError):
        from app.config import limit_setting

        extra["limit"] = {"name": exc.limit, "maximum": exc.maximum,
                          "setting": limit_setting(exc.limit)}
        extra["errors"] = [{"field": exc.where or "_input", "message": error_detail(exc)}]
    if isinstance(exc, FactorFileError):
        extra["errors"] = [{"row": r, "column": c, "message": localize(m)}
                           for r, c, m in exc.errors]
    if isinstance(exc, PactInvalidFootprint):
        extra["errors"] = [{"message": m} for m in exc.errors]
    return problem(status, slug, title, error_detail(exc), **extra)


def _service_error(exc: ServiceError) -> Response:
    with asked_language():
        return _service_problem(exc)


def _service_problem(exc: ServiceError) -> Response:
    status, slug, title = SERVICE_PROBLEMS[type(exc)]
    extra: dict[str, Any] = {}
    detail = error_detail(exc)
    if exc.field:
        extra["errors"] = [{"field": exc.field, "message": detail}]
    if isinstance(exc, Conflict) and exc.state:
        extra["current_state"] = exc.state
    response = problem(status, slug, title, detail, **extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="carbonlabel"'
    if isinstance(exc, TooManyRequests | Conflict) and exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def busy_database(exc: Exception) -> Busy | None:
    """SQLite's "database is locked" (another writer held the file past the busy timeout,
    or a reader's snapshot went stale when it tried to write) as a Busy the caller may
    retry; None for every other database failure, which stays an error."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "database is locked" in text or "database table is locked" in text:
        return Busy(N_("the database is busy with other changes; try again"), retry_after=1)
    return None


def _operational_error(exc: Exception) -> Response:
    from flask import current_app

    from app.extensions import db

    db.session.rollback()
    busy = busy_database(exc)
    if busy is None:
        raise exc
    current_app.logger.warning("database busy, answered 503: %s", exc)
    if on_a_page():
        response = page(503, [message_of(busy)])
        response.headers["Retry-After"] = str(busy.retry_after)
        return response
    return _service_error(busy)


def _integrity_error(exc: Exception) -> Response:
    from flask import current_app

    current_app.logger.warning("refused by a database constraint: %s", exc)
    return _database_refusal(409, "conflict", "The change conflicts with existing data",
                             Conflict(N_("a concurrent or duplicate change was refused; "
                                         "reload and try again")))


def _data_error(exc: Exception) -> Response:
    """A value the database cannot store or compare (PostgreSQL: a NUL character in text, a
    number out of its column's range; SQLite: an integer past 64 bits, which its driver
    refuses with OverflowError): the request's fault, answered 422, nothing stored."""
    from flask import current_app

    current_app.logger.warning("refused by the database as data: %s", exc)
    return _database_refusal(422, "invalid-input", "The request cannot be accepted",
                             InvalidInput(N_("a value cannot be stored: text may not contain "
                                             "NUL characters and numbers must fit their "
                                             "field")))


def _stale_error(exc: Exception) -> Response:
    return _database_refusal(412, "precondition-failed", "The resource has changed",
                             PreconditionFailed(N_("someone else changed this resource first; "
                                                   "reload it and try again")))


def _database_refusal(status: int, slug: str, title: str, refusal: ServiceError) -> Any:
    """A write the database refused, nothing of it kept: on a page as the pages show their
    own refusals (a form's, a message on the page it came from; app/web/common.refused),
    through the API as problem+json, its detail in the language asked for."""
    from app.extensions import db

    db.session.rollback()
    if on_a_page():
        from app.web.common import refused

        return refused(refusal, status)
    with asked_language():
        return problem(status, slug, title, error_detail(refusal))


def _http_error(exc: HTTPException) -> Response:
    from app.web import error_pages

    code = exc.code or 500
    if code >= 500:
        from flask import current_app

        cause = getattr(exc, "original_exception", None) or exc
        current_app.logger.error("unhandled error: %r", cause, exc_info=cause)
    data = getattr(exc, "data", None) or {}
    extra: dict[str, Any] = {}
    messages = data.get("messages")
    if messages:  # flask-smorest / webargs validation errors
        from lca_models.inventory_schema import flatten_errors

        flat: dict[str, list[str]] = {}
        for location, fields in messages.items():
            for path, msgs in flatten_errors(fields).items():
                key = path if location == "json" else f"{location}.{path}"
                flat.setdefault(key, []).extend(msgs)
        with asked_language():
            extra["errors"] = [{"field": p, "message": localize(m)}
                               for p, ms in flat.items() for m in ms]
    detail = data.get("message") or exc.description
    if on_a_page():  # a person in a browser: a page in their language, saying what to do
        response = error_pages.render(code)
    else:
        response = problem(code, (exc.name or "error").lower().replace(" ", "-"),
                           exc.name or "Error", detail, **extra)
    for name, value in exc.get_headers():  # e.g. Allow on 405
        if name.lower() != "content-type":
            response.headers[name] = value
    if code == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(rate_limit_reset())
    return response


def rate_limit_reset() -> int:
    """Seconds until the rate-limit window that refused this request lets one through."""
    import math
    import time

    from app.extensions import limiter

    current = limiter.current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current else 60


def on_a_page() -> bool:
    """True for the server-rendered pages, which answer HTML, never problem+json; and for a
    browser asking for HTML anywhere outside the API (app/web/error_pages.wants_page)."""
    from flask import request

    from app.web import error_pages

    return ((request.blueprint or "").endswith("_pages") or request.path.startswith("/app/")
            or error_pages.wants_page())


def page(status: int, problems: list[str]) -> Response:
    from flask import make_response, render_template

    return make_response(render_template("pages/error.html", status=status,
                                         problems=[localize(p) for p in problems]), status)


def init_app(app: Flask) -> None:
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    app.register_error_handler(LcaModelError, _domain_error)
    app.register_error_handler(PactMappingError, _domain_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(StaleDataError, _stale_error)
    app.register_error_handler(DataError, _data_error)
    app.register_error_handler(OverflowError, _data_error)
    app.register_error_handler(OperationalError, _operational_error)
    app.register_error_handler(HTTPException, _http_error)
