"""`carbonlabel issuer`: which did:web the service is, and moving it on purpose."""

from __future__ import annotations

import click

from app.cli_common import friendly_errors


@click.group()
def issuer() -> None:
    """The issuer's did:web identity (pinned to the stored keys and labels)."""


@issuer.command("show")
@friendly_errors
def issuer_show() -> None:
    """The configured and the pinned issuer, and the keys published under each DID."""
    from app import create_app
    from app.extensions import db
    from app.services import issuer_pin
    from app.services import keys as key_service
    from app.services.issuer import issuer_from_config

    app = create_app({"ISSUER_PIN_CHECK": False})
    with app.app_context():
        configured = issuer_from_config(app.config).did
        pinned = issuer_pin.pinned_did(db.session)
        click.echo(f"configured {configured} ({app.config['PUBLIC_URL']})")
        click.echo(f"pinned     {pinned or '(nothing yet: no keys or labels)'}"
                   + ("" if pinned in (None, configured) else "   MISMATCH"))
        for key in key_service.all_keys(db.session):
            status = "retired" if key.retired_at else "active"
            click.echo(f"  {key.id}  {status:<7} {key.issuer_did}")


@issuer.command("move")
@click.argument("new_public_url")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly_errors
def issuer_move(new_public_url: str, yes: bool) -> None:
    """Move the issuer to NEW_PUBLIC_URL's did:web: a new signing key under the new DID; old
    keys stay published under the old DID (keep its host or path routed to this service so
    earlier labels stay verifiable). Recorded in the audit trail."""
    from app import create_app
    from app.persistence.migrate import upgrade
    from app.services import issuer_pin, transaction

    app = create_app({"ISSUER_PIN_CHECK": False})
    upgrade(app.config["SQLALCHEMY_DATABASE_URI"])
    if not yes:
        click.confirm(f"Move the issuer to {new_public_url}? Labels issued from now on name "
                      "the new DID", abort=True)
    with app.app_context(), transaction() as session:
        old, new, key = issuer_pin.move(session, app.config["KEYS_DIR"], new_public_url,
                                        app.config.get("DEV_MODE", False))
        key_id = key.id  # read before commit: the row is detached afterwards
    click.echo(f"issuer moved: {old or '(none)'} -> {new}; new signing key {key_id}")
    click.echo(f"now set CARBONLABEL_PUBLIC_URL={new_public_url.rstrip('/')} and restart; "
               "the old DID document stays published for earlier labels")
