"""Recognition metadata the exporter declares on a label request

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:47:27.072028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("label_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declared_metadata", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("label_requests", schema=None) as batch_op:
        batch_op.drop_column("declared_metadata")
