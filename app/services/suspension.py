"""Suspending a label and lifting the suspension (ISO/IEC 17065 7.11.3: a certificate may be
suspended, reinstated, or withdrawn; withdrawal is revocation, app.services.labels.revoke).

A suspension is reversible, so it is a bit in the label's suspension list (W3C Bitstring
Status List, statusPurpose "suspension"), set on suspension and cleared on reinstatement,
plus the audit trail; it is not a transparency-log event, and the log's lock is never
taken. Only the list that holds the label is re-signed, read through the partial index on
the suspended (list, index) pairs (see app.services.status_lists).

A label issued before suspension existed has no suspension entry in its signed credential,
and a signed credential never changes, so such a label cannot be suspended: the request is
refused (409) and the certifier may revoke it instead.
"""

from __future__ import annotations

from sqlalchemy import select

from app import clock
from app.domain import Conflict, Forbidden
from app.persistence import Label, Product, User
from app.persistence.types import utcnow
from app.services import DbSession, audit, status_lists
from app.services.issuer import Issuer
from app.services.labels import get_label
from lca_models.messages import N_


def suspend(session: DbSession, user: User, text: str, reason: str, issuer: Issuer) -> Label:
    """Suspend a label in force: not revoked, superseded, expired or suspended already."""
    label = _locked(session, user, text, "suspend")
    if not label.suspendable:
        raise Conflict(N_("this label was issued before suspension existed: its signed "
                       "credential has no suspension status entry, so it cannot be "
                       "suspended; revoke it if it must stop being in force"),
                       state="not_suspendable")
    if label.superseded_by_id:
        raise Conflict(N_(
            'the label is superseded by %(superseded_by_id)s; suspend that one instead',
            superseded_by_id=label.superseded_by_id), state="superseded")
    if label.valid_until < clock.today():
        raise Conflict(N_("the label has expired; there is nothing to suspend"), state="expired")
    if label.suspended_at is not None:
        raise Conflict(N_("the label is suspended already"), state="suspended")
    label.suspended_at, label.suspension_reason = utcnow(), reason
    status_lists.publish(session, issuer, label.status_list_number, status_lists.SUSPENSION)
    audit.append(session, user, "label.suspended", target_type="label", target_id=label.id,
                 reason=reason)
    return label


def reinstate(session: DbSession, user: User, text: str, reason: str, issuer: Issuer) -> Label:
    """Lift a label's suspension: its bit is cleared and it is in force again (unless it
    expired or was superseded meanwhile, which verification then says)."""
    label = _locked(session, user, text, "reinstate")
    if label.suspended_at is None:
        raise Conflict(N_("the label is not suspended"), state=label.lifecycle)
    suspended_at, suspended_for = label.suspended_at, label.suspension_reason
    label.suspended_at, label.suspension_reason = None, None
    status_lists.publish(session, issuer, label.status_list_number, status_lists.SUSPENSION)
    audit.append(session, user, "label.reinstated", target_type="label", target_id=label.id,
                 reason=reason, details={"suspended_at": clock.iso_z(suspended_at),
                                         "suspension_reason": suspended_for})
    return label


def _locked(session: DbSession, user: User, text: str, verb: str) -> Label:
    """The label, after its product's row is locked as revocation and approval lock it, so
    suspensions, reinstatements, revocations and supersessions of one label queue and each
    reads what the previous one committed. Revoked labels are refused: revocation is final."""
    label = get_label(session, text)
    if not (user.role == "admin" or (user.role == "certifier"
                                     and user.organisation_id == label.certification_body_id)):
        raise Forbidden(N_(
            'only the issuing certification body or an admin can %(verb)s',
            verb=verb))
    session.execute(select(Product.id).where(Product.id == label.product_id)
                    .with_for_update(key_share=True))
    session.refresh(label)
    if label.revoked_at is not None:
        raise Conflict(N_("the label is revoked; revocation is final, so it can be neither "
                       "suspended nor reinstated"), state="revoked")
    return label
