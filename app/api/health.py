"""Liveness endpoint for load balancers."""

from flask_smorest import Blueprint

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Service health")


@blp.route("/health")
@blp.response(200)
def health() -> dict[str, str]:
    """Report that the service is up."""
    return {"status": "ok"}
