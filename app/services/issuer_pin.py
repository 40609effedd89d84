"""The issuer's identity is pinned: every signing key and label stores the did:web it was
made under, and the service refuses to start as another DID.

Without the pin, changing CARBONLABEL_PUBLIC_URL silently turns every earlier label into a
"bad signature" (its DID document would no longer be served) and makes the PACT extension
name an issuer that differs from the signed credential. Moving the service is an explicit,
audited act (`carbonlabel issuer move`): a new key under the new DID becomes the signing key,
and the old keys stay published under the old DID, so earlier labels keep verifying.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.persistence import Label, SigningKey
from app.services import DbSession, audit
from app.services import keys as key_service
from app.trust import did_web


class IssuerPinError(ValueError):
    """The configured public URL is not the issuer the stored keys and labels belong to."""


def pinned_did(session: DbSession) -> str | None:
    """The DID the service signs as: the active key's, else the newest key's, else the
    newest label's; None on a fresh instance."""
    key = session.scalar(select(SigningKey).order_by(SigningKey.retired_at.is_(None).desc(),
                                                     SigningKey.created_at.desc()).limit(1))
    if key is not None:
        return key.issuer_did
    return session.scalar(select(Label.issuer_did).order_by(Label.issued_at.desc()).limit(1))


def check(session: DbSession, did: str, public_url: str) -> None:
    """Raise IssuerPinError, with what to do, when `did` is not the pinned issuer."""
    pinned = pinned_did(session)
    if pinned is None or pinned == did:
        return
    labels = session.scalar(select(func.count()).select_from(Label)) or 0
    try:
        old_url = did_web.parse(pinned).base_url(allow_insecure=True)
    except did_web.DidWebError:
        old_url = pinned
    raise IssuerPinError(
        f"this instance's signing keys and {labels} label(s) belong to the issuer {pinned} "
        f"({old_url}), but CARBONLABEL_PUBLIC_URL={public_url} makes it {did}. Started like "
        "this, every earlier label would fail verification. Set CARBONLABEL_PUBLIC_URL back "
        f"to {old_url}, or move the issuer on purpose with `carbonlabel issuer move "
        f"{public_url}` (audited; the old DID document stays published).")


def move(session: DbSession, keys_dir: Any, new_public_url: str, dev_mode: bool
         ) -> tuple[str | None, str, SigningKey]:
    """Make the issuer the DID of `new_public_url`: a new signing key under it; every old key
    stays, under its old DID, so earlier labels keep verifying. Returns (old, new, key)."""
    new_did = did_web.check_public_url(new_public_url, dev_mode)
    old_did = pinned_did(session)
    if old_did == new_did:
        raise IssuerPinError(f"the issuer is {new_did} already; nothing to move")
    active = key_service.active_key(session)
    key = key_service.generate(session, keys_dir, rotate=active is not None, did=new_did)
    audit.append(session, None, "issuer.moved", target_type="issuer", target_id=new_did,
                 actor_label="carbonlabel issuer move",
                 details={"from_did": old_did, "to_did": new_did,
                          "to_public_url": new_public_url.rstrip("/"), "key_id": key.id})
    return old_did, new_did, key
