"""Footprint calculation for an inventory model sent in the request.

The calculation runs inside the request, so it is charged to an account (any role), rate
limited per account, and capped in Monte Carlo iterations and model size (configuration:
MAX_REQUEST_MONTE_CARLO, MAX_MODEL_PROCESSES, MAX_MODEL_INPUTS, RATELIMIT_CALCULATE). Longer
runs go through a product's model version, which runs as a job.
"""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint

from app.auth import requires
from app.extensions import limiter
from app.schemas.footprints import FootprintRequestSchema, FootprintResultSchema
from app.services import footprints as service

blp = Blueprint("footprints", __name__, url_prefix="/api/v1/footprints",
                description="Footprint calculation")


def _per_account() -> str:
    caller = g.get("caller")
    return f"user:{caller.user.id}" if caller else "anonymous"


@blp.route("/calculate", methods=["POST"])
@requires()
@limiter.limit(lambda: current_app.config["RATELIMIT_CALCULATE"], key_func=_per_account)
@blp.arguments(FootprintRequestSchema)
@blp.response(200, FootprintResultSchema)
def calculate(body: dict) -> dict:
    """Compute a model against the shipped factor release (nothing is stored)."""
    config = current_app.config
    result = service.calculate(body["model"], gwp_set=body["gwp_set"],
                               monte_carlo=body["monte_carlo"], seed=body["seed"],
                               brightway_dir=config["BRIGHTWAY_DIR"],
                               max_monte_carlo=min(config["MAX_MONTE_CARLO"],
                                                   config["MAX_REQUEST_MONTE_CARLO"]),
                               max_processes=config["MAX_MODEL_PROCESSES"],
                               max_inputs=config["MAX_MODEL_INPUTS"])
    return result.to_dict()
