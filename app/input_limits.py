"""Every JSON body the service accepts goes through the bounded loader (lca_models.safe_load).

Why: Flask's and webargs' parsers are Python's `json`, which accepts duplicate member names,
recurses until the interpreter gives up on a body nested a thousand deep (a 500) and has no
string-length ceiling. A hook before every view parses any JSON body (`application/json` or
`+json`) once with the configured limits, and makes those limits the ones in force for the
request, so uploads (models, bills of materials, CBAM inputs) read in the view use them too;
`request.get_json()` uses the same loader through the app's JSON provider.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from lca_models.errors import InputLimitError, MalformedInput
from lca_models.safe_load import InputLimits, load_json, set_limits


class OutsideJSONError(ValueError):
    """A body refused by the bounded loader (a ValueError, as Flask's get_json expects)."""


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with `loads` replaced by the bounded loader."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return load_json(s)
        except (InputLimitError, MalformedInput) as exc:
            raise OutsideJSONError(str(exc)) from exc


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


def check_request() -> None:
    """Put the configured limits in force and refuse a JSON body over them (413/422) or
    malformed (400) before any view or schema sees it."""
    set_limits(current_app.config["INPUT_LIMITS"])
    if request.method in ("GET", "HEAD", "OPTIONS") or not _is_json(request.mimetype):
        return
    body = request.get_data(cache=True)
    if not body:
        return
    try:
        load_json(body)
    except (InputLimitError, MalformedInput) as exc:
        if request.blueprint == "pact":  # PACT clients parse the spec's own error body
            from app.services.pact_host import PactError

            raise PactError("BadRequest", f"the request body was refused: {exc}") from None
        if isinstance(exc, InputLimitError):
            raise
        raise BadRequest(f"malformed JSON body: {exc}") from None


def init_app(app: Flask) -> None:
    app.config.setdefault("INPUT_LIMITS", InputLimits())
    app.json = BoundedJSONProvider(app)
    app.before_request(check_request)
