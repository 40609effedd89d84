"""`carbonlabel publish --to DIR`: the log as tlog-tiles and every credential and status
list as static files (app/services/publish.py), for a web server or CDN to serve."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli_common import friendly_errors


@click.command()
@click.option("--to", "target", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The directory to bring up to date (created if missing).")
@friendly_errors
def publish(target: Path) -> None:
    """Publish the log (C2SP tlog-tiles), credentials, status lists and the DID document up
    to the latest signed checkpoint; files already published are not rewritten."""
    from app import create_app
    from app.services import publish as publish_service
    from app.services import transaction
    from app.services.issuer import issuer_from_config

    app = create_app()
    issuer = issuer_from_config(app.config)
    with app.app_context(), transaction() as session:
        done = publish_service.publish(session, issuer, target)
    click.echo(f"published the log at size {done.size} to {target} "
               f"({done.files_written} files written)")
