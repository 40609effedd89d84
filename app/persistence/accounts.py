"""Organisations, users and API tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.persistence.types import UtcDateTime, new_id, utcnow

ORG_KINDS = ("exporter", "certification_body", "operator")
ROLES = ("exporter", "certifier", "admin")


class Organisation(Model):
    __tablename__ = "organisations"
    # keyset pagination (app/services/keyset.py): each list's filter, then its order
    __table_args__ = (
        Index("ix_organisations_keyset", "name", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    identifier: Mapped[str | None] = mapped_column(String(64))  # USCC or BR number
    address: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(6))
    accreditation_body: Mapped[str | None] = mapped_column(String(32))
    accreditation_number: Mapped[str | None] = mapped_column(String(64))
    accreditation_standard: Mapped[str | None] = mapped_column(String(64))
    accreditation_scope: Mapped[list[str]] = mapped_column(JSON, default=list)  # HS chapters
    accredited_from: Mapped[date | None] = mapped_column(Date)
    accredited_to: Mapped[date | None] = mapped_column(Date)
    # The body's electronic seal as it uploaded it (PNG or SVG, checked and size-capped in
    # app/services/seal.py), printed on its certificates.
    seal_image: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    seal_mime: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def accredited_for(self, hs_chapter: str, on: date) -> bool:
        return (self.kind == "certification_body"
                and hs_chapter in (self.accreditation_scope or [])
                and self.accredited_from is not None and self.accredited_to is not None
                and self.accredited_from <= on <= self.accredited_to)


class User(Model):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: generation of the user's sessions: a cookie issued under an older one no longer works
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the page language the user chose (zh-Hans, zh-Hant or en); None: the browser decides
    language: Mapped[str | None] = mapped_column(String(8))

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()
