"""The issuer's public identity: DID document, JWKS, the log's verifier keys and the
credentials' JSON-LD context."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint

from app.extensions import db
from app.services import keys
from app.services.issuer import issuer_from_config
from app.trust import contexts, signing
from app.web import http_cache

blp = Blueprint("wellknown", __name__, url_prefix="", description="Issuer identity")


@blp.route("/.well-known/did.json", methods=["GET"])
@blp.route("/did.json", methods=["GET"], endpoint="did_document_path")
@blp.route("/<path:prefix>/did.json", methods=["GET"], endpoint="did_document_prefix")
@blp.response(200)
def did_document(prefix: str | None = None) -> Any:
    """did:web document listing current and retired verification methods (Multikey), where
    did:web resolution looks: `/.well-known/did.json`, or `<path>/did.json` for a public URL
    with a path; after `carbonlabel issuer move`, the old DID's document at its old place."""
    issuer = issuer_from_config(current_app.config)
    return http_cache.published(keys.did_document_at(
        db.session, issuer.did, request.host, request.script_root + request.path,
        request.path))


@blp.route("/.well-known/jwks.json", methods=["GET"])
@blp.response(200)
def jwks() -> Any:
    """The same keys as a JSON Web Key Set (OKP / Ed25519)."""
    return http_cache.published(signing.jwks(keys.published(db.session)))


@blp.route("/.well-known/carbonlabel-log-key", methods=["GET"])
@blp.doc(responses={200: {"description": "signed-note verifier keys of the log, one a line, "
                                         "the current key first",
                          "content": {"text/plain": {"schema": {"type": "string"}}}}})
def log_key() -> Any:
    """The transparency log's verifier keys (`<origin>+<key ID>+<base64 key>`), current and
    retired; the same Ed25519 keys as the DID document's."""
    issuer = issuer_from_config(current_app.config)
    lines = [vkey for _, vkey, _ in keys.log_verifier_keys(db.session, issuer.did)]
    return http_cache.published(Response("".join(line + "\n" for line in lines),
                                         mimetype="text/plain"))


@blp.route("/.well-known/carbonlabel-log.json", methods=["GET"])
@blp.response(200)
def log_discovery() -> Any:
    """Where the log is and which keys sign its checkpoints (docs/transparency-log.md)."""
    issuer = issuer_from_config(current_app.config)
    return http_cache.published({
        "origin": issuer.log_origin, "issuer": issuer.did,
        "checkpoint": issuer.url("/log/checkpoint"),
        "consistency_proof": issuer.url("/log/proof/consistency"),
        "verifier_keys": [{"verifier_key": vkey, "status": status,
                           "verification_method": method}
                          for method, vkey, status in
                          keys.log_verifier_keys(db.session, issuer.did)]})


@blp.route(contexts.V1_PATH, methods=["GET"])
@blp.response(200)
def context() -> dict:
    """JSON-LD context v1 (only `@vocab`, this service's): named by labels issued before v2,
    served unchanged so that they keep their meaning."""
    issuer = issuer_from_config(current_app.config)
    return contexts.v1(issuer.url("/vocab/carbon-label#"))


@blp.route(contexts.V2_PATH, methods=["GET"])
@blp.doc(responses={200: {"description": "the context file shipped in app/trust/contexts",
                          "content": {"application/ld+json": {}}}})
def context_v2() -> Response:
    """JSON-LD context v2: every term of the label credential, explicit and `@protected`; the
    bytes of the file shipped with the service, the same on every deployment."""
    return Response(contexts.v2_bytes(), mimetype="application/ld+json",
                    headers={"Cache-Control": "public, max-age=86400"})
