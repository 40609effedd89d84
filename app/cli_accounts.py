"""`carbonlabel orgs`, `users` and `tokens`: the accounts of the service, managed from the
server's shell (each change through app/services/accounts.py, audited like the web's)."""

from __future__ import annotations

from datetime import date, datetime

import click

from app.cli_common import friendly_errors, service_app, user_by_email


@click.group()
def orgs() -> None:
    """Organisations."""


@orgs.command("list")
@friendly_errors
def orgs_list() -> None:
    """List organisations."""
    from sqlalchemy import select

    from app.extensions import db as database
    from app.persistence import Organisation

    with service_app().app_context():
        for org in database.session.scalars(select(Organisation).order_by(Organisation.name)):
            click.echo(f"{org.id}  {org.kind:<19} {org.name}")


@orgs.command("create")
@click.option("--kind", type=click.Choice(["exporter", "certification_body", "operator"]),
              required=True)
@click.option("--name", required=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2")
@click.option("--subdivision", default=None, help="ISO 3166-2, e.g. CN-GD")
@click.option("--identifier", default=None, help="USCC or BR number")
@click.option("--accreditation-body", default=None, help="e.g. CNAS, HKAS, UKAS")
@click.option("--accreditation-number", default=None)
@click.option("--accreditation-standard", default=None, help="e.g. ISO 14065:2020")
@click.option("--scope", default="", help="HS chapters, comma separated, e.g. 72,76")
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@friendly_errors
def orgs_create(kind, name, country, subdivision, identifier, accreditation_body,
                accreditation_number, accreditation_standard, scope, valid_from,
                valid_to) -> None:
    """Register an organisation."""
    from app.services import accounts, transaction

    data = {"kind": kind, "name": name, "country": country, "subdivision": subdivision,
            "identifier": identifier, "accreditation_body": accreditation_body,
            "accreditation_number": accreditation_number,
            "accreditation_standard": accreditation_standard,
            "accreditation_scope": [s.strip() for s in scope.split(",") if s.strip()],
            "accredited_from": _date(valid_from), "accredited_to": _date(valid_to)}
    with service_app().app_context(), transaction() as session:
        org = accounts.create_organisation(session, None, data)
        click.echo(org.id)


def _date(value: datetime | None) -> date | None:
    return value.date() if value else None


@click.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["exporter", "certifier", "admin"]), required=True)
@click.option("--org", "organisation_id", default=None, help="organisation id")
@click.password_option()
@friendly_errors
def users_create(email, name, role, organisation_id, password) -> None:
    """Create a user (the password is asked twice and never echoed)."""
    from app.services import accounts, transaction

    with service_app().app_context(), transaction() as session:
        user = accounts.create_user(session, None, email=email, name=name, password=password,
                                    role=role, organisation_id=organisation_id)
        click.echo(user.id)


@users.command("list")
@friendly_errors
def users_list() -> None:
    """List users."""
    from sqlalchemy import select

    from app.extensions import db as database
    from app.persistence import User

    with service_app().app_context():
        for user in database.session.scalars(select(User).order_by(User.email)):
            click.echo(f"{user.id}  {user.role:<9} {user.email}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["exporter", "certifier", "admin"]))
@click.option("--reason", required=True)
@friendly_errors
def users_set_role(email, role, reason) -> None:
    """Change a user's role (audited)."""

    from app.services import accounts, transaction

    with service_app().app_context(), transaction() as session:
        user = user_by_email(session, email)
        accounts.set_role(session, None, user.id, role, reason)
        click.echo(f"{email} is now {role}; their sessions and API tokens are ended")


@users.command("set-password")
@click.argument("email")
@click.password_option()
@friendly_errors
def users_set_password(email, password) -> None:
    """Set a user's password (asked twice); their sessions and API tokens end."""

    from app.services import accounts, transaction

    with service_app().app_context(), transaction() as session:
        user = user_by_email(session, email)
        accounts.set_password(session, None, user.id, password)
        click.echo(f"password of {email} changed; their sessions and API tokens are ended")


@click.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, required=True)
@click.option("--days", type=int, default=90, show_default=True)
@friendly_errors
def tokens_create(email, name, scopes, days) -> None:
    """Create a token for a user; the secret is printed once."""

    from app.services import accounts, transaction

    with service_app().app_context(), transaction() as session:
        user = user_by_email(session, email)
        token, secret = accounts.create_token(session, user, name=name, scopes=list(scopes),
                                              days=days)
        click.echo(f"{token.id}  {secret}")


@tokens.command("revoke")
@click.argument("token_id")
@friendly_errors
def tokens_revoke(token_id) -> None:
    """Revoke a token."""
    from app.persistence import ApiToken
    from app.services import accounts, transaction

    with service_app().app_context(), transaction() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise click.ClickException(f"no token {token_id}")
        accounts.revoke_token(session, token.user, token_id)
        click.echo(f"revoked {token_id}")


