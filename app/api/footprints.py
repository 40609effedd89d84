"""Footprint calculation for an inventory model sent in the request."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from app.schemas.footprints import FootprintRequestSchema, FootprintResultSchema
from app.services import footprints as service

blp = Blueprint("footprints", __name__, url_prefix="/api/v1/footprints",
                description="Footprint calculation")


@blp.route("/calculate", methods=["POST"])
@blp.arguments(FootprintRequestSchema)
@blp.response(200, FootprintResultSchema)
def calculate(body: dict) -> dict:
    """Compute a model against the shipped factor release (nothing is stored)."""
    result = service.calculate(body["model"], gwp_set=body["gwp_set"],
                               monte_carlo=body["monte_carlo"], seed=body["seed"],
                               brightway_dir=current_app.config["BRIGHTWAY_DIR"],
                               max_monte_carlo=current_app.config["MAX_MONTE_CARLO"])
    return result.to_dict()
