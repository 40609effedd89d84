"""`carbonlabel publish --to DIR`: the log as tlog-tiles and every credential and status
list as static files (app/services/publish.py), for a web server or CDN to serve."""

from __future__ import annotations

import time
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


@click.command()
@click.option("--once", is_flag=True,
              help="Integrate what is pending now, then exit (cron, tests, before a downgrade).")
@click.option("--publish-to", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Publish the static directory after each batch (default: "
                   "CARBONLABEL_PUBLISH_DIR, if set).")
@friendly_errors
def sequencer(once: bool, publish_to: Path | None) -> None:
    """Integrate pending log entries in batches (one signed checkpoint a batch), polling every
    quarter of CARBONLABEL_LOG_MERGE_DELAY (default 1 s). Run one beside the web workers;
    several are harmless (they take turns on the log's lock)."""
    from app import create_app
    from app.services import sequencer as service
    from app.services.issuer import issuer_from_config

    app = create_app()
    issuer = issuer_from_config(app.config)
    target = publish_to or (Path(app.config["PUBLISH_DIR"]) if app.config["PUBLISH_DIR"]
                            else None)

    def report(batch: service.Batch) -> None:
        click.echo(f"integrated {batch.count} entries at {batch.first_index}.."
                   f"{batch.size - 1}, checkpoint {batch.size}, {batch.audit_chained} audit "
                   f"events chained, oldest waited "
                   f"{batch.oldest_wait_s:.3f} s (committed at {time.time():.3f})",
                   err=True)

    with app.app_context():
        if once:
            done = service.run_once(issuer, target, report)
            click.echo(f"integrated {done} pending entries")
            return
        delay = app.config["LOG_MERGE_DELAY"]
        click.echo(f"sequencer: merge delay {delay} s, polling every {delay / 4} s", err=True)
        service.loop(issuer, delay, target, report)
