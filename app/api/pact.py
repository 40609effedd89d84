"""PACT v3 host endpoints (spec 3.0.3): /auth/token, /3/footprints, /3/events, discovery.

Errors use the specification's own body ({"code", "message"}) and status table, not the
problem+json of /api/v1, because PACT clients parse them.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from flask import Response, current_app, json, request
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.services import pact_events, pact_host, pact_listing, transaction
from app.services.issuer import issuer_from_config

blp = Blueprint("pact", __name__, url_prefix="", description="PACT v3 host system")


def _error(exc: pact_host.PactError) -> Response:
    response = Response(json.dumps({"code": exc.code, "message": exc.message}),
                        status=exc.status, mimetype="application/json")
    if exc.status == 401:  # RFC 6750 §3: the error attribute only when a token was sent
        sent = request.headers.get("Authorization", "").startswith("Bearer ")
        response.headers["WWW-Authenticate"] = 'Bearer realm="pact"' + (
            ', error="invalid_token"' if sent else "")
    return response


def _oauth_error(exc: pact_host.OAuthError) -> Response:
    response = Response(json.dumps({"error": exc.error, "error_description": exc.description}),
                        status=exc.status, mimetype="application/json")
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="pact"'
    return response


def _http_error(exc: HTTPException) -> Response:
    codes = {400: "BadRequest", 401: "AccessDenied", 403: "AccessDenied", 404: "NotFound",
             405: "BadRequest", 413: "BadRequest", 415: "BadRequest", 429: "AccessDenied",
             501: "NotImplemented"}
    error = pact_host.PactError(codes.get(exc.code or 500, "InternalError"),
                                exc.description or exc.name)
    error.status = exc.code or 500
    return _error(error)


def _unexpected(exc: Exception) -> Response:
    current_app.logger.exception("PACT request failed")
    return _error(pact_host.PactError("InternalError", "the request could not be completed"))


blp.register_error_handler(pact_host.PactError, _error)
blp.register_error_handler(pact_host.OAuthError, _oauth_error)
blp.register_error_handler(HTTPException, _http_error)
blp.register_error_handler(Exception, _unexpected)


@blp.before_request
def https_only() -> None:
    if request.is_secure or current_app.config["PACT_ALLOW_HTTP"]:
        return
    raise pact_host.PactError("AccessDenied", "PACT endpoints are served over HTTPS only")


@blp.route("/auth/token", methods=["POST"])
@blp.response(200)
def token():
    """OAuth2 client credentials grant with HTTP Basic client authentication (RFC 6749 4.4)."""
    if request.form.get("grant_type") != "client_credentials":
        raise pact_host.OAuthError("unsupported_grant_type", "use grant_type=client_credentials")
    client_id, secret = _basic_credentials()
    with transaction() as session:
        access, scopes = pact_host.issue_token(session, client_id, secret,
                                               request.form.get("scope"))
    body = {"access_token": access, "token_type": "bearer",
            "expires_in": pact_host.TOKEN_SECONDS, "scope": " ".join(scopes)}
    return Response(json.dumps(body), mimetype="application/json",
                    headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _basic_credentials() -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        raise pact_host.OAuthError("invalid_client", "authenticate with HTTP Basic", 401)
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise pact_host.OAuthError("invalid_client", "malformed Basic credentials", 401) from None
    return client_id, secret


@blp.route("/.well-known/openid-configuration", methods=["GET"])
@blp.response(200)
def discovery() -> dict:
    """OpenID Connect discovery: where to get tokens (client credentials only)."""
    issuer = issuer_from_config(current_app.config)
    return {"issuer": issuer.public_url, "token_endpoint": issuer.url("/auth/token"),
            "jwks_uri": issuer.url("/.well-known/jwks.json"),
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": list(pact_host.SCOPES), "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["EdDSA"]}


@blp.route("/3/footprints", methods=["GET"])
@blp.response(200)
def list_footprints():
    """ListFootprints with every v3 filter, `limit` and a `Link: rel="next"` header (the
    filters run in SQL on the listing index: app/services/pact_listing.py)."""
    client, scopes = pact_host.client_for_token(db.session, request.headers.get("Authorization"))
    pact_host.require(scopes, "footprint:list")
    query = pact_host.parse_list_query(list(request.args.items(multi=True)))
    issuer = issuer_from_config(current_app.config)
    data, following = pact_listing.list_page(db.session, client, issuer, query)
    response = Response(json.dumps({"data": data}), mimetype="application/json")
    if following is not None:
        args = [(k, v) for k, v in request.args.items(multi=True)
                if k.lower() not in ("offset", "after")]
        url = f"{request.host_url.rstrip('/')}{request.path}?" + urlencode(
            [*args, ("offset", following.offset), ("after", following.after)])
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


@blp.route("/3/footprints/<string:pf_id>", methods=["GET"])
@blp.response(200)
def get_footprint(pf_id: str):
    """GetFootprint: one ProductFootprint, also when deprecated."""
    client, scopes = pact_host.client_for_token(db.session, request.headers.get("Authorization"))
    pact_host.require(scopes, "footprint:read")
    pf = pact_listing.find(db.session, client, issuer_from_config(current_app.config), pf_id)
    return Response(json.dumps({"data": pf}), mimetype="application/json")


@blp.route("/3/events", methods=["POST"])
@blp.response(200)
def events():
    """CloudEvents (structured mode): requests are answered asynchronously."""
    client, scopes = pact_host.client_for_token(db.session, request.headers.get("Authorization"))
    pact_host.require(scopes, "footprint:read")
    event = request.get_json(force=True, silent=True)
    policy = pact_events.AnswerPolicy(current_app.config["PACT_PARTNERS_FILE"],
                                      current_app.config["PACT_ALLOW_HTTP"])
    with transaction() as session:
        pact_events.accept_event(session, client, event,
                                 issuer_from_config(current_app.config), policy)
    return Response(status=200)


@blp.route("/pact/extensions/carbon-label/v1/schema.json", methods=["GET"])
@blp.response(200)
def extension_schema():
    """JSON Schema of this service's ProductFootprint data-model extension."""
    from lca_models.pact import EXTENSION_SCHEMA_PATH

    return json.loads(EXTENSION_SCHEMA_PATH.read_text("utf-8"))
