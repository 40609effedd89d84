"""CBAM installations of exporters and their computed reports

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cbam_installations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_cbam_installations_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cbam_installations_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cbam_installations")),
    )
    with op.batch_alter_table("cbam_installations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cbam_installations_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "cbam_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("installation_id", sa.String(length=36), nullable=False),
        sa.Column("installation_version", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.Column("factor_release_version", sa.String(length=32), nullable=False),
        sa.Column("factor_release_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_cbam_reports_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["cbam_installations.id"],
            name=op.f("fk_cbam_reports_installation_id_cbam_installations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cbam_reports")),
    )
    with op.batch_alter_table("cbam_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cbam_reports_installation_id"), ["installation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cbam_reports_inputs_sha256"), ["inputs_sha256"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cbam_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cbam_reports_inputs_sha256"))
        batch_op.drop_index(batch_op.f("ix_cbam_reports_installation_id"))

    op.drop_table("cbam_reports")
    with op.batch_alter_table("cbam_installations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cbam_installations_organisation_id"))

    op.drop_table("cbam_installations")
