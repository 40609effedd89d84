"""Products, versioned inventory models and stored calculations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.persistence.types import UtcDateTime, new_id, utcnow


class Product(Model):
    __tablename__ = "products"
    # keyset pagination (app/services/keyset.py): each list's filter, then its order
    __table_args__ = (
        Index("ix_products_keyset", "created_at", "id"),
        Index("ix_products_org_keyset", "organisation_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_zh: Mapped[str | None] = mapped_column(String(300))
    gtin: Mapped[str | None] = mapped_column(String(14))
    hs_code: Mapped[str | None] = mapped_column(String(10))
    cn_code: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    versions: Mapped[list[ModelVersion]] = relationship(
        back_populates="product", order_by="ModelVersion.number")

    @property
    def hs_chapter(self) -> str | None:
        return self.hs_code[:2] if self.hs_code else None


class ModelVersion(Model):
    """An inventory model version; frozen once a calculation of it has been submitted."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("product_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source_format: Mapped[str] = mapped_column(String(8))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # the model as submitted (plain data)
    content_sha256: Mapped[str] = mapped_column(String(64))
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    product: Mapped[Product] = relationship(back_populates="versions")


class Calculation(Model):
    """Everything needed to recompute and compare a result later."""

    __tablename__ = "calculations"
    # keyset pagination (app/services/keyset.py): each list's filter, then its order
    __table_args__ = (
        Index("ix_calculations_version_keyset", "model_version_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    model_version_id: Mapped[str] = mapped_column(ForeignKey("model_versions.id"), index=True)
    gwp_set: Mapped[str] = mapped_column(String(8))
    monte_carlo_iterations: Mapped[int | None] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)  # canonical model as computed
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    kg_co2e_per_declared_unit: Mapped[float] = mapped_column(Float)
    factor_release_version: Mapped[str] = mapped_column(String(32))
    factor_release_sha256: Mapped[str] = mapped_column(String(64))
    engine: Mapped[dict[str, str]] = mapped_column(JSON)
    inputs_sha256: Mapped[str] = mapped_column(String(64), index=True)
    result_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # the background job that wrote it: unique, so a re-delivered task cannot store twice
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"), unique=True)

    model_version: Mapped[ModelVersion] = relationship()


class ModelStructure(Model):
    """What product variants of one model share (lca_models/vectorised.Structure, as JSON):
    processes, stages and each exchange's kind, target and unit, no amounts."""

    __tablename__ = "model_structures"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)


class CompiledForm(Model):
    """A stored model content's compiled values (float64 bytes: outputs, exchange amounts,
    demand) against its structure: an impact run reads these instead of validating and
    compiling every version again. Valid under any release whose factors the structure uses
    have the same units (checked per structure at use); keyed by the content's hash, so
    identical contents share one row."""

    __tablename__ = "compiled_forms"

    content_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    structure_sha256: Mapped[str] = mapped_column(ForeignKey("model_structures.sha256"),
                                                  index=True)
    release_sha256: Mapped[str] = mapped_column(String(64))  # the release compiled against
    values: Mapped[bytes] = mapped_column(LargeBinary)
