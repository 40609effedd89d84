"""Administration changes that had no service yet (the rest go through accounts, keys and
pact_host): revoking a PACT partner, setting its events URL, listing jobs. Admin only, each
in the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from app.domain import Conflict, Forbidden, InvalidInput, NotFound
from app.persistence import Job, Organisation, PactClient, User
from app.persistence.types import utcnow
from app.services import DbSession, audit
from lca_models.messages import N_

EVENTS_URL_MAX = 500


def _admin(actor: User) -> None:
    if actor.role != "admin":
        raise Forbidden(N_("this is for admin accounts"))


def partner(session: DbSession, partner_id: str) -> PactClient:
    found = session.get(PactClient, partner_id)
    if found is None:
        raise NotFound(N_("no such PACT partner"))
    return found


def revoke_partner(session: DbSession, actor: User, partner_id: str) -> PactClient:
    """The partner's credentials and tokens stop working and no more events go to it."""
    _admin(actor)
    client = partner(session, partner_id)
    if client.revoked_at is not None:
        raise Conflict(N_("this PACT partner is already revoked"), state="revoked")
    client.revoked_at = utcnow()
    audit.append(session, actor, "pact_client.revoked", target_type="pact_client",
                 target_id=client.id, details={"client_id": client.client_id})
    return client


def set_events_url(session: DbSession, actor: User, partner_id: str, url: str | None,
                   *, allow_http: bool = False) -> PactClient:
    """Where the partner's PACT events go (https; http only in development); None clears."""
    _admin(actor)
    client = partner(session, partner_id)
    if url is not None and (len(url) > EVENTS_URL_MAX or " " in url or not (
            url.startswith("https://") or (allow_http and url.startswith("http://")))):
        raise InvalidInput(N_(
            'the events URL must be an https:// address of at most %(EVENTS_URL_MAX)s characters',
            EVENTS_URL_MAX=EVENTS_URL_MAX), field="events_url")
    old, client.events_url = client.events_url, url
    audit.append(session, actor, "pact_client.events_url_set", target_type="pact_client",
                 target_id=client.id, details={"old": old, "new": url})
    return client


def recent_jobs(session: DbSession, limit: int = 100) -> list[Job]:
    """The latest jobs (calculations and impact runs, app/services/jobs.py), newest first."""
    return list(session.scalars(select(Job).order_by(
        Job.created_at.desc(), Job.id).limit(limit)))


def organisations(session: DbSession) -> list[Organisation]:
    """Every organisation by name, for the admin pages' lists and choices."""
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def users(session: DbSession) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def partners(session: DbSession) -> list[PactClient]:
    return list(session.scalars(select(PactClient).order_by(PactClient.name)))


def exporters(session: DbSession) -> list[Organisation]:
    """The organisations a PACT partner can be registered for."""
    return list(session.scalars(select(Organisation).where(
        Organisation.kind == "exporter").order_by(Organisation.name)))
