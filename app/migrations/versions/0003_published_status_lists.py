"""The published, signed revocation status list (re-signed only on revocation)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:40:35.375709
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_lists",
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("credential", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("purpose", name=op.f("pk_status_lists")),
    )


def downgrade() -> None:
    op.drop_table("status_lists")
