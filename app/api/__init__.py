"""JSON endpoints: parse with a schema, call a service, dump. Nothing else."""

from app.api import (
    audit,
    auth,
    factors,
    footprints,
    health,
    organisations,
    products,
    requests,
    tokens,
    users,
)

BLUEPRINTS = (health.blp, factors.blp, footprints.blp, auth.blp, organisations.blp, users.blp,
              tokens.blp, products.blp, requests.blp, audit.blp)
