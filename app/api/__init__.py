"""JSON endpoints: parse with a schema, call a service, dump. Nothing else."""

from app.api import (
    audit,
    auth,
    cbam,
    documents,
    factors,
    footprints,
    health,
    jobs,
    labels,
    log,
    organisations,
    pact,
    pact_clients,
    pcrs,
    products,
    requests,
    tokens,
    users,
    wellknown,
)

BLUEPRINTS = (health.blp, factors.blp, footprints.blp, auth.blp, organisations.blp, users.blp,
              tokens.blp, products.blp, requests.blp, labels.blp, log.blp, audit.blp,
              wellknown.blp, pact.blp, pact_clients.blp, documents.blp, cbam.blp, pcrs.blp,
              jobs.blp)
