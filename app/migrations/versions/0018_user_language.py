"""Each user keeps the page language they chose

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 01:40:00.000000

`language` is one of the page tags zh-Hans, zh-Hant or en, NULL until the user picks one
(the browser's Accept-Language decides until then). Kept on the user, not only in a cookie,
so a Hong Kong certifier who chose 繁體 gets it on a new device and in mail-like texts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
