"""CBAM installations of exporter organisations and the reports computed for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.persistence.types import UtcDateTime, new_id, utcnow


class CbamInstallation(Model):
    """An installation with its CBAM input document (validated by lca_models on write).

    `version` counts changes (optimistic locking): an update needs If-Match with the ETag
    of the version read, so two people editing the monitoring data cannot overwrite each
    other unnoticed."""

    __tablename__ = "cbam_installations"
    # keyset pagination (app/services/keyset.py): each list's filter, then its order
    __table_args__ = (
        Index("ix_cbam_installations_keyset", "created_at", "id"),
        Index("ix_cbam_installations_org_keyset", "organisation_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))  # the input's installation.name_en
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # the input as stored (plain data)
    content_sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declaration)


class CbamReportRecord(Model):
    """A computed report: the input it was computed from, the full result (the JSON
    document every download is written from) and what is needed to reproduce it."""

    __tablename__ = "cbam_reports"
    # keyset pagination (app/services/keyset.py): each list's filter, then its order
    __table_args__ = (
        Index("ix_cbam_reports_installation_keyset", "installation_id", "computed_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    installation_id: Mapped[str] = mapped_column(ForeignKey("cbam_installations.id"),
                                                 index=True)
    installation_version: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    inputs_sha256: Mapped[str] = mapped_column(String(64), index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    result_sha256: Mapped[str] = mapped_column(String(64))
    factor_release_version: Mapped[str] = mapped_column(String(32))
    factor_release_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    installation: Mapped[CbamInstallation] = relationship()
