"""The product-category rule registry, readable by anyone (a model names one by id and
version)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.schemas.pcrs import PcrListSchema, PcrSchema
from app.services import pcrs as service

blp = Blueprint("pcrs", __name__, url_prefix="/api/v1/pcrs",
                description="Product-category rules")


@blp.route("")
@blp.response(200, PcrListSchema)
def list_pcrs() -> dict:
    """Every registered PCR with its rules and their sources."""
    return {"pcrs": [service.view(p) for p in service.registry().values()]}


@blp.route("/<string:pcr_id>")
@blp.response(200, PcrSchema)
def get_pcr(pcr_id: str) -> dict:
    """One PCR with its rules and their sources."""
    return service.view(service.get(pcr_id))
