"""The issuer's public identity: DID document, JWKS and the credentials' JSON-LD context."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from app.extensions import db
from app.services import keys
from app.services.issuer import issuer_from_config
from app.trust import signing

blp = Blueprint("wellknown", __name__, url_prefix="", description="Issuer identity")


@blp.route("/.well-known/did.json", methods=["GET"])
@blp.response(200)
def did_document() -> dict:
    """did:web document listing current and retired verification methods (Multikey)."""
    issuer = issuer_from_config(current_app.config)
    return keys.did_document(db.session, issuer.did)


@blp.route("/.well-known/jwks.json", methods=["GET"])
@blp.response(200)
def jwks() -> dict:
    """The same keys as a JSON Web Key Set (OKP / Ed25519)."""
    return signing.jwks(keys.published(db.session))


@blp.route("/contexts/carbon-label/v1", methods=["GET"])
@blp.response(200)
def context() -> dict:
    """JSON-LD context for the label credential's terms (all under this service's vocab)."""
    issuer = issuer_from_config(current_app.config)
    return {"@context": {"@protected": True, "@vocab": issuer.url("/vocab/carbon-label#")}}
