"""Certification bodies keep an electronic seal image for their certificates

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 22:55:00.000000

`seal_image` holds the PNG or SVG bytes the body uploaded (checked and capped at 256 KiB by
app/services/seal.py), `seal_mime` its type; both NULL until a seal is uploaded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("seal_image", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("seal_mime", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("seal_mime")
        batch.drop_column("seal_image")
