"""`carbonlabel approve`: a certifier approves several requests in review at once (an
exporter's catalogue after one audit), through the same service as the API's bulk approval."""

from __future__ import annotations

from datetime import datetime

import click

from app.cli_common import friendly_errors, service_app, user_by_email


@click.command()
@click.argument("requests", nargs=-1, required=True)
@click.option("--as", "email", required=True, help="The certifier approving.")
@click.option("--valid-until", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The last day every label is valid (your scheme's rule), YYYY-MM-DD.")
@click.option("--reason", default=None, help="Recorded with each approval.")
@friendly_errors
def approve(requests: tuple[str, ...], email: str, valid_until: datetime,
            reason: str | None) -> None:
    """Approve REQUESTS (ids; ID@VERSION refuses one that changed since you read version
    VERSION) in one transaction: all or nothing, each label with its own credential,
    status-list entry, log entry and audit events."""
    from flask import current_app

    from app.services import certification, transaction
    from app.services.issuer import issuer_from_config

    items = []
    for text in requests:
        request_id, _, version = text.partition("@")
        items.append((request_id, f'"{request_id}.{version}"' if version else "*"))
    app = service_app()
    with app.app_context():
        with transaction() as session:
            user = user_by_email(session, email)
            done = certification.approve_many(session, user, items,
                                              valid_until=valid_until.date(), reason=reason,
                                              issuer=issuer_from_config(current_app.config))
            lines = [f"{req.id}  approved  label {label_id}" for req, label_id in done]
        click.echo("\n".join(lines))
        click.echo(f"{len(lines)} request(s) approved")
