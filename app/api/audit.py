"""The audit trail (admin)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.pagination import Page, cursor, paginate
from app.auth import requires
from app.extensions import db
from app.schemas.audit import AuditPageSchema, ChainReportSchema
from app.schemas.common import PageQuerySchema
from app.services import audit

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit trail")


@blp.route("", methods=["GET"])
@requires("admin")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def list_entries(args: dict) -> Page:
    """Entries, oldest first."""
    return paginate(audit.list_entries(db.session, *cursor(args)), args)


@blp.route("/verify", methods=["GET"])
@requires("admin")
@blp.response(200, ChainReportSchema)
def verify() -> audit.ChainReport:
    """Recompute the hash chain and name the first broken entry."""
    return audit.verify(db.session)
