"""Registering PACT data recipients (admin)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.auth import caller, requires
from app.domain import InvalidInput
from app.schemas.common import StrictSchema
from app.services import pact_host, transaction

blp = Blueprint("pact_clients", __name__, url_prefix="/api/v1/pact-clients",
                description="PACT v3 data recipients (admin)")


class PactClientInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    organisation_ids = fields.List(fields.String(), required=True,
                                   validate=validate.Length(min=1))
    events_url = fields.Url(load_default=None, schemes={"https", "http"})


class PactClientSchema(Schema):
    id = fields.String()
    client_id = fields.String()
    client_secret = fields.String(metadata={"description": "shown once; store it now"})
    name = fields.String()
    organisation_ids = fields.List(fields.String())
    scopes = fields.List(fields.String())
    events_url = fields.String(allow_none=True)


@blp.route("", methods=["POST"])
@requires("admin", scope="admin")
@blp.arguments(PactClientInSchema)
@blp.response(201, PactClientSchema)
def register(body: dict):
    """Register a trade partner's system for the exporters listed."""
    with transaction() as session:
        try:
            client, secret = pact_host.register_client(session, caller().user, **body)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="organisation_ids") from None
    # for this response's schema only (stored hashed), so not in the model's type
    client.client_secret = secret  # type: ignore[attr-defined]
    return client
