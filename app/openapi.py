"""The OpenAPI document says what the service really does.

- Errors of /api/v1 are RFC 9457 problem+json (app/errors.py), not flask-smorest's default
  error body: every generated error response is documented as `application/problem+json`.
- An operation needs a credential only when its view is guarded by `app.auth.requires`
  (which marks the view's documentation); everything else is documented as public.
- The PACT endpoints answer with the PACT error body (`{"code", "message"}`, code a string
  from the spec's table) and take a PACT bearer token; the token endpoint answers with the
  OAuth 2.0 error body (`{"error", "error_description"}`, RFC 6749 5.2) and takes HTTP Basic
  client credentials.
"""

from __future__ import annotations

import http
from typing import Any

from apispec import BasePlugin
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields

PROBLEM = "application/problem+json"
#: what `requires` documents on the operations it guards
SECURED: list[dict[str, list]] = [{"bearer": []}, {"session": []}]
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "An API token (POST /api/v1/tokens)"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session",
                "description": "The cookie of POST /api/v1/session; changes also need the "
                               "X-CSRF-Token header"},
    "pactBearer": {"type": "http", "scheme": "bearer",
                   "description": "A PACT access token from POST /auth/token"},
    "pactBasic": {"type": "http", "scheme": "basic",
                  "description": "A PACT client's id and secret"},
}

PACT_ERROR = {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "string", "enum": ["BadRequest", "AccessDenied", "TokenExpired",
                                       "NotFound", "InternalError", "NotImplemented"]},
    "message": {"type": "string"}}}
OAUTH_ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string", "enum": ["invalid_request", "invalid_client", "invalid_grant",
                                         "unauthorized_client", "unsupported_grant_type",
                                         "invalid_scope"]},
    "error_description": {"type": "string"}}}


#: the envelope of ListFootprints and GetFootprint (the ProductFootprint is the spec's own)
PACT_DATA = {"type": "object", "required": ["data"],
             "properties": {"data": {"oneOf": [{"type": "array", "items": {"type": "object"}},
                                               {"type": "object"}]}}}


class ProblemSchema(Schema):
    """RFC 9457 problem details, with this service's extensions."""

    class Meta:
        unknown = INCLUDE  # problem types may add members

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(fields.Dict(), metadata={
        "description": "One entry per offending field (field, message) or row"})
    current_state = fields.String()


class ProblemApi(Api):
    """flask-smorest's Api, documenting error responses as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _error(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class PactDocumentation(BasePlugin):
    """Security and error bodies of the PACT host endpoints, as they are answered."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if path == "/auth/token":
                operation["security"] = [{"pactBasic": []}]
                for code in [c for c in responses if c != "200"]:
                    del responses[code]
                responses["400"] = _error("OAuth 2.0 error", OAUTH_ERROR)
                responses["401"] = _error("Client authentication failed", OAUTH_ERROR)
                responses["default"] = _error("PACT error", PACT_ERROR)
            elif path and path.startswith("/3/"):
                operation["security"] = [{"pactBearer": []}]
                for code in [c for c in responses if c != "200"]:
                    del responses[code]
                responses["default"] = _error("PACT error", PACT_ERROR)
                if path.startswith("/3/footprints") and "content" not in responses.get("200",
                                                                                      {}):
                    responses["200"] = {"description": "OK", "content": {
                        "application/json": {"schema": PACT_DATA}}}
