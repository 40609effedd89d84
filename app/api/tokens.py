"""API tokens of the calling user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_smorest import Blueprint

from app.auth import caller, requires
from app.extensions import db
from app.schemas.accounts import NewTokenSchema, TokenInSchema, TokenSchema
from app.services import accounts, transaction

if TYPE_CHECKING:  # for the annotations only: queries live in app/services
    from app.persistence import ApiToken


blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="API tokens")


@blp.route("", methods=["GET"])
@requires()
@blp.response(200, TokenSchema(many=True))
def list_tokens() -> list[ApiToken]:
    """Your tokens whose scopes the calling credential holds too (never their secrets)."""
    return accounts.tokens_of(db.session, caller().user, caller().scopes)


@blp.route("", methods=["POST"])
@requires()
@blp.arguments(TokenInSchema)
@blp.response(201, NewTokenSchema)
def create_token(body: dict) -> ApiToken:
    """Create a token; its secret is in this response only."""
    with transaction() as session:
        token, secret = accounts.create_token(session, caller().user, **body,
                                              granted=caller().scopes)
    # a plain attribute for this response's schema; never stored, so not in the model's type
    token.token = secret  # type: ignore[attr-defined]
    return token


@blp.route("/<string:token_id>", methods=["DELETE"])
@requires()
@blp.response(204)
def revoke_token(token_id: str) -> None:
    """Revoke one of your tokens (only one whose scopes the calling credential holds)."""
    with transaction() as session:
        accounts.revoke_token(session, caller().user, token_id, granted=caller().scopes)
