"""Organisations (admin), and the certification bodies exporters choose from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_smorest import Blueprint

from app import clock
from app.api.pagination import Page, cursor, paginate
from app.auth import caller, requires
from app.extensions import db
from app.schemas.accounts import (
    AccreditationSchema,
    OrganisationInSchema,
    OrganisationPageSchema,
    OrganisationSchema,
)
from app.schemas.common import PageQuerySchema
from app.services import accounts, transaction

if TYPE_CHECKING:  # for the annotations only: queries live in app/services
    from app.persistence import Organisation


blp = Blueprint("organisations", __name__, url_prefix="/api/v1",
                description="Organisations and certification bodies")


@blp.route("/organisations", methods=["GET"])
@requires("admin")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, OrganisationPageSchema)
def list_organisations(args: dict) -> Page:
    """All organisations (admin)."""
    return paginate(accounts.list_organisations(db.session, *cursor(args)), args)


@blp.route("/organisations", methods=["POST"])
@requires("admin", scope="admin")
@blp.arguments(OrganisationInSchema)
@blp.response(201, OrganisationSchema)
def create_organisation(body: dict) -> Organisation:
    """Register an exporter, a certification body or the operator (admin)."""
    from app.auth import caller

    with transaction() as session:
        return accounts.create_organisation(session, caller().user, body)


@blp.route("/organisations/<string:org_id>", methods=["GET"])
@requires()
@blp.response(200, OrganisationSchema)
def get_organisation(org_id: str) -> Organisation:
    """One organisation: your own, any certification body, or any (admin)."""
    from app.auth import caller

    return accounts.visible_organisation(db.session, caller().user, org_id)


@blp.route("/organisations/<string:org_id>/accreditation", methods=["PUT"])
@requires("admin", scope="admin")
@blp.arguments(AccreditationSchema)
@blp.response(200, OrganisationSchema)
def set_accreditation(body: dict, org_id: str) -> Organisation:
    """Record a certification body's accreditation as renewed, re-scoped or ended (all of
    it, with a reason for the audit trail, where the old and new values are kept)."""
    reason = body.pop("reason")
    with transaction() as session:
        return accounts.set_accreditation(session, caller().user, org_id, body, reason)


@blp.route("/organisations/<string:org_id>/seal", methods=["PUT"])
@requires("certifier", "admin")
@blp.response(204)
def put_seal(org_id: str) -> None:
    """Upload a certification body's electronic seal (multipart field `seal`, PNG or SVG,
    at most 256 KiB); its own certifiers or an admin. Printed on its certificates."""
    from flask import request

    from app.auth import caller
    from app.services import seal

    accounts.require_acting_scope(caller().scopes, caller().user.role)
    upload = request.files.get("seal")
    with transaction() as session:
        seal.set_seal(session, caller().user, org_id, upload.read() if upload else b"")


@blp.route("/certification-bodies", methods=["GET"])
@requires()
@blp.response(200, OrganisationSchema(many=True))
def certification_bodies() -> list[Organisation]:
    """Certification bodies with their accreditation (scope in HS chapters, validity)."""
    return accounts.accredited_bodies(db.session, None, clock.today())
