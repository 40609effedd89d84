"""Background jobs and what the factor-release impact runs found.

The task queue only transports a job id; this row remembers everything else (what to do,
state, progress, attempts, the result or the error), so a page served by any process shows
it, and a re-delivered task can see that the work is already done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.persistence.products import ModelVersion
from app.persistence.types import UtcDateTime, new_id, utcnow


class Job(Model):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # references, not payloads
    error: Mapped[str | None] = mapped_column(Text)
    # None: an operator-wide job (an admin's impact run); visible to admins only
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"),
                                                        index=True)
    model_version_id: Mapped[str | None] = mapped_column(ForeignKey("model_versions.id"))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # when the broker last accepted the task (None: not yet, e.g. the broker was down)
    enqueued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    model_version: Mapped[ModelVersion | None] = relationship()


class ImpactEntry(Model):
    """One label's footprint under its own release and under the new one. The unique key
    makes a re-delivered batch unable to write a label twice."""

    __tablename__ = "impact_entries"
    __table_args__ = (UniqueConstraint("job_id", "label_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    label_id: Mapped[str] = mapped_column(ForeignKey("labels.id"), index=True)
    calculation_id: Mapped[str] = mapped_column(ForeignKey("calculations.id"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    certification_body_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    old_kg: Mapped[float] = mapped_column(Float)
    new_kg: Mapped[float | None] = mapped_column(Float)
    change_percent: Mapped[float | None] = mapped_column(Float)
    drivers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    job: Mapped[Job] = relationship()
