"""Label requests and review comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.persistence.products import Calculation, Product
from app.persistence.types import UtcDateTime, new_id, utcnow


class LabelRequest(Model):
    __tablename__ = "label_requests"
    # keyset pagination (app/services/keyset.py): each list's filter, then its order
    __table_args__ = (
        Index("ix_label_requests_keyset", "created_at", "id"),
        Index("ix_label_requests_org_keyset", "organisation_id", "created_at", "id"),
        Index("ix_label_requests_body_keyset", "certification_body_id", "created_at", "id"),
        Index("ix_label_requests_state_keyset", "state", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    certification_body_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"),
                                                       index=True)
    calculation_id: Mapped[str] = mapped_column(ForeignKey("calculations.id"))
    label_type: Mapped[str] = mapped_column(String(32))
    baseline_request_id: Mapped[str | None] = mapped_column(ForeignKey("label_requests.id"))
    home_scheme: Mapped[str] = mapped_column(String(64))
    declared_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # see recognition
    state: Mapped[str] = mapped_column(String(24), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reviewer_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_inputs_sha256: Mapped[str | None] = mapped_column(String(64))
    reviewed_result_sha256: Mapped[str | None] = mapped_column(String(64))

    product: Mapped[Product] = relationship()
    calculation: Mapped[Calculation] = relationship()
    comments: Mapped[list[Comment]] = relationship(back_populates="request",
                                                   order_by="Comment.created_at")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declaration)


class Comment(Model):
    """A review comment anchored to a model path, or an answer to one."""

    __tablename__ = "comments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("label_requests.id"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    path: Mapped[str | None] = mapped_column(String(300))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("comments.id"))
    body: Mapped[str] = mapped_column(Text)
    calculation_id: Mapped[str] = mapped_column(ForeignKey("calculations.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    request: Mapped[LabelRequest] = relationship(back_populates="comments")
