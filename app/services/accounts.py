"""Organisations, users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from app.domain import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from app.persistence import ApiToken, Organisation, User
from app.persistence.accounts import ORG_KINDS, ROLES
from app.persistence.types import utcnow
from app.services import DbSession, audit, keyset
from lca_models.messages import N_

#: What each role may do with a token; a token's scopes must be a subset.
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "exporter": ("read", "write"),
    "certifier": ("read", "review"),
    "admin": ("read", "admin"),
}
TOKEN_PREFIX = "clt_"
MAX_TOKEN_DAYS = 365

_hasher = PasswordHasher()  # argon2id, memory-hard


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against for unknown users, so a login takes as long either way. Made on the
    first login rather than at import: an argon2id hash costs about 0.1-0.5 s, which every
    process start (and the first response) would otherwise pay."""
    return _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise InvalidInput(N_("a password needs at least 12 characters"), field="password")
    return _hasher.hash(password)


def create_organisation(session: DbSession, actor: User | None, data: dict[str, Any]
                        ) -> Organisation:
    if data["kind"] not in ORG_KINDS:
        raise InvalidInput(N_("kind must be one of %(kinds)s", kinds=", ".join(ORG_KINDS)),
                           field="kind")
    if data["kind"] == "certification_body":
        missing = [k for k in ("accreditation_body", "accreditation_number",
                               "accreditation_standard", "accredited_from", "accredited_to")
                   if not data.get(k)]
        if missing:
            raise InvalidInput(N_("a certification body needs its accreditation"),
                               field=missing[0])
        if data["accredited_to"] < data["accredited_from"]:
            raise InvalidInput(N_("accreditation ends before it starts"), field="accredited_to")
    org = Organisation(**data)
    session.add(org)
    session.flush()
    audit.append(session, actor, "organisation.created", target_type="organisation",
                 target_id=org.id, details={"name": org.name, "kind": org.kind})
    return org


ACCREDITATION = ("accreditation_body", "accreditation_number", "accreditation_standard",
                 "accreditation_scope", "accredited_from", "accredited_to")


def set_accreditation(session: DbSession, actor: User | None, org_id: str,
                      data: dict[str, Any], reason: str) -> Organisation:
    """A certification body's accreditation as its accreditor now states it (renewed,
    scope widened or narrowed, withdrawn early by an end date), the old and new values in the
    audit trail. Labels already issued keep what they were issued under."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(N_("no such organisation"))
    if org.kind != "certification_body":
        raise InvalidInput(N_("only a certification body has an accreditation"), field="kind")
    missing = [k for k in ACCREDITATION if k != "accreditation_scope" and not data.get(k)]
    if missing:
        raise InvalidInput(N_("a certification body needs its accreditation"), field=missing[0])
    if data["accredited_to"] < data["accredited_from"]:
        raise InvalidInput(N_("accreditation ends before it starts"), field="accredited_to")
    before = {k: _plain(getattr(org, k)) for k in ACCREDITATION}
    for key in ACCREDITATION:
        setattr(org, key, data.get(key) if key != "accreditation_scope"
                else list(data.get(key) or []))
    after = {k: _plain(getattr(org, k)) for k in ACCREDITATION}
    audit.append(session, actor, "organisation.accreditation_changed",
                 target_type="organisation", target_id=org.id, reason=reason,
                 details={"from": before, "to": after})
    return org


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def set_active(session: DbSession, actor: User | None, user_id: str, active: bool,
               reason: str) -> User:
    """Deactivate an account (it can no longer sign in; its sessions and API tokens end at
    once) or reactivate it (it signs in again; tokens stay revoked). Accounts are never
    deleted: the audit trail names them."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("no such user"))
    if not active and actor is not None and actor.id == user.id:
        raise Conflict(N_("you cannot deactivate your own account"), state="active",
                       field="active")
    if user.active == active:
        raise Conflict(N_("the account is already active") if active else
                       N_("the account is already deactivated"),
                       state="active" if active else "deactivated", field="active")
    user.active = active
    revoked = 0 if active else end_sessions(session, user, revoke_tokens=True)
    audit.append(session, actor, "user.reactivated" if active else "user.deactivated",
                 target_type="user", target_id=user.id, reason=reason,
                 details={"tokens_revoked": revoked})
    return user


def create_user(session: DbSession, actor: User | None, *, email: str, name: str,
                password: str, role: str, organisation_id: str | None) -> User:
    if role not in ROLES:
        raise InvalidInput(N_("role must be one of %(roles)s", roles=", ".join(ROLES)),
                           field="role")
    org = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id and org is None:
        raise InvalidInput(N_("no such organisation"), field="organisation_id")
    needed = {"exporter": "exporter", "certifier": "certification_body"}.get(role)
    if needed and (org is None or org.kind != needed):
        raise InvalidInput(N_(
            'a %(role)s belongs to an organisation of kind %(needed)s',
            role=role, needed=needed),
                           field="organisation_id")
    email = email.strip().lower()
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict(N_("a user with this e-mail exists"), field="email")
    user = User(email=email, name=name, password_hash=hash_password(password), role=role,
                organisation_id=org.id if org else None)
    session.add(user)
    session.flush()
    audit.append(session, actor, "user.created", target_type="user", target_id=user.id,
                 details={"email": email, "role": role, "organisation_id": user.organisation_id})
    return user


def set_role(session: DbSession, actor: User | None, user_id: str, role: str,
             reason: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("no such user"))
    if role not in ROLES:
        raise InvalidInput(N_("role must be one of %(roles)s", roles=", ".join(ROLES)),
                           field="role")
    old, user.role = user.role, role
    revoked = end_sessions(session, user, revoke_tokens=True)
    audit.append(session, actor, "user.role_changed", target_type="user", target_id=user.id,
                 reason=reason, details={"from": old, "to": role, "tokens_revoked": revoked})
    return user


def set_password(session: DbSession, actor: User | None, user_id: str, password: str) -> User:
    """A new password ends every session and token issued under the old one (whoever knew
    it may have made some)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("no such user"))
    user.password_hash = hash_password(password)
    revoked = end_sessions(session, user, revoke_tokens=True)
    audit.append(session, actor, "user.password_changed", target_type="user",
                 target_id=user.id, details={"tokens_revoked": revoked})
    return user


#: page languages a user may keep (the tags of app/web/i18n.py)
LANGUAGES = ("zh-Hans", "zh-Hant", "en")


def set_language(user: User, language: str) -> bool:
    """Keep `language` as the user's page language; True when it changed. A preference, not
    a security setting: not audited."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    if user.language == language:
        return False
    user.language = language
    return True


def end_sessions(session: DbSession, user: User, *, revoke_tokens: bool = False) -> int:
    """Make every session cookie issued to `user` so far fail on its next request (the
    cookie carries the generation it was issued under); optionally revoke the user's API
    tokens too. Returns how many tokens were revoked."""
    user.session_epoch = (user.session_epoch or 0) + 1
    if not revoke_tokens:
        return 0
    live = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                  ApiToken.revoked_at.is_(None))).all()
    now = utcnow()
    for token in live:
        token.revoked_at = now
    return len(live)


def authenticate(session: DbSession, email: str, password: str) -> User:
    """Check a password; every attempt is audited, failures without saying which part."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:  # the failed attempt is kept even though the request fails
        audit.append(session, None, "auth.login_failed", actor_label=email.strip().lower()[:320])
        session.commit()
        raise Unauthenticated(N_("wrong e-mail or password"))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.append(session, user, "auth.login", target_type="user", target_id=user.id)
    return user


def create_token(session: DbSession, user: User, *, name: str, scopes: list[str],
                 days: int, granted: tuple[str, ...] | None = None) -> tuple[ApiToken, str]:
    """Returns the token record and the secret, which is shown this once and never stored.

    `granted` are the scopes of the credential making the call: a token can only create
    tokens with fewer or equal powers, never more than its own.
    """
    role_scopes = ROLE_SCOPES[user.role]
    if not scopes or any(s not in role_scopes for s in scopes):
        raise InvalidInput(N_("scopes for a %(role)s are a non-empty subset of %(scopes)s",
                              role=user.role, scopes=", ".join(role_scopes)), field="scopes")
    if granted is not None and any(s not in granted for s in scopes):
        raise Forbidden(N_("a token cannot create a token with scopes it does not have itself"))
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(N_(
            'a token lives 1 to %(MAX_TOKEN_DAYS)s days',
            MAX_TOKEN_DAYS=MAX_TOKEN_DAYS), field="days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:12],
                     token_hash=_token_hash(secret), scopes=sorted(set(scopes)),
                     expires_at=utcnow() + timedelta(days=days))
    session.add(token)
    session.flush()
    audit.append(session, user, "token.created", target_type="token", target_id=token.id,
                 details={"name": name, "scopes": token.scopes, "days": days})
    return token, secret


def revoke_token(session: DbSession, user: User, token_id: str,
                 granted: tuple[str, ...] | None = None) -> ApiToken:
    token = session.get(ApiToken, token_id)
    admin = user.role == "admin" and (granted is None or "admin" in granted)
    if token is None or (token.user_id != user.id and not admin):
        raise NotFound(N_("no such token"))
    if token.user_id == user.id and not within(token.scopes, granted):
        raise Forbidden(N_("a token can only revoke tokens whose scopes it holds itself"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.append(session, user, "token.revoked", target_type="token", target_id=token.id)
    return token


def within(scopes: list[str], granted: tuple[str, ...] | None) -> bool:
    """True when a token with `scopes` is no more powerful than the calling credential
    (`granted` None: a session, which holds its role's every scope)."""
    return granted is None or set(scopes) <= set(granted)


def user_for_token(session: DbSession, secret: str) -> tuple[User, list[str]]:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthenticated(N_("the API token is unknown, expired or revoked"))
    if not token.user.active:
        raise Unauthenticated(N_("the token's user is deactivated"))
    return token.user, list(token.scopes)


def require_scope(scopes: list[str], needed: str) -> None:
    if needed not in scopes:
        raise Forbidden(N_("this needs the '%(needed)s' scope", needed=needed))


#: The scope a role acts with: exporters write, certifiers review, admins administer.
ACTING_SCOPE = {"exporter": "write", "certifier": "review", "admin": "admin"}


def require_acting_scope(scopes: tuple[str, ...] | list[str], role: str) -> None:
    """The calling credential holds the scope `role` acts with (a read-only token of a
    certifier cannot revoke, review or start an impact run)."""
    require_scope(list(scopes), ACTING_SCOPE.get(role, "admin"))


def accredited_bodies(session: DbSession, hs_chapter: str | None, on: date) -> list[Organisation]:
    bodies = session.scalars(select(Organisation).where(
        Organisation.kind == "certification_body").order_by(Organisation.name)).all()
    return [b for b in bodies if hs_chapter is None or b.accredited_for(hs_chapter, on)]


def list_users(session: DbSession, after: str | None, size: int) -> keyset.Page:
    """Every user, by e-mail address (the admin's list)."""
    return keyset.page(session, select(User).order_by(User.email), after, size)


def list_organisations(session: DbSession, after: str | None, size: int) -> keyset.Page:
    """Every organisation, by name (the admin's list)."""
    return keyset.page(session, select(Organisation).order_by(Organisation.name,
                                                              Organisation.id), after, size)


def visible_organisation(session: DbSession, user: User, org_id: str) -> Organisation:
    """One organisation: the caller's own, any certification body, or any (admins); 404
    otherwise, so other exporters' ids cannot be probed."""
    org = session.get(Organisation, org_id)
    if org is None or not (user.role == "admin" or org.id == user.organisation_id
                           or org.kind == "certification_body"):
        raise NotFound(N_("no such organisation"))
    return org


def own_organisation(session: DbSession, user: User) -> Organisation | None:
    return session.get(Organisation, user.organisation_id)


def tokens_of(session: DbSession, user: User, granted: tuple[str, ...] | None
              ) -> list[ApiToken]:
    """The user's tokens whose scopes the calling credential holds too, oldest first."""
    mine = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                           .order_by(ApiToken.created_at)).all()
    return [t for t in mine if within(t.scopes, granted)]


def _token_hash(secret: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()
