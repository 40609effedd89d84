"""Calculations run off the request thread, with their progress

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calculation_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("model_version_id", sa.String(length=36), nullable=False),
        sa.Column("gwp_set", sa.String(length=8), nullable=False),
        sa.Column("monte_carlo_iterations", sa.Integer(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("calculation_id", sa.String(length=36), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_versions.id"],
                                name=op.f("fk_calculation_jobs_model_version_id_model_versions")),
        sa.ForeignKeyConstraint(["calculation_id"], ["calculations.id"],
                                name=op.f("fk_calculation_jobs_calculation_id_calculations")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_calculation_jobs_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calculation_jobs")),
    )
    with op.batch_alter_table("calculation_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calculation_jobs_model_version_id"),
                              ["model_version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calculation_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calculation_jobs_model_version_id"))
    op.drop_table("calculation_jobs")
