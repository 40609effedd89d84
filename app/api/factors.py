"""The shipped emission-factor release, browsable by anyone."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.schemas.factors import FactorQuerySchema, FactorSchema, ReleaseSchema
from app.services import factors as service

blp = Blueprint("factors", __name__, url_prefix="/api/v1/factors",
                description="Emission-factor release")


@blp.route("")
@blp.arguments(FactorQuerySchema, location="query")
@blp.response(200, ReleaseSchema)
def list_factors(query: dict) -> dict:
    """The current release with its hash, optionally filtered."""
    release = service.current_release()
    rows = service.factor_rows(query.get("category"), query.get("geography"))
    return {"version": release.version, "sha256": release.sha256,
            "description": release.description, "factor_count": len(rows), "factors": rows}


@blp.route("/<string:factor_id>")
@blp.response(200, FactorSchema)
def get_factor(factor_id: str) -> dict:
    """One factor with its source."""
    return service.factor_view(service.current_release(), factor_id)
