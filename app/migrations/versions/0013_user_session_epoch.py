"""A per-user session generation, so log-out, password and role changes end old cookies

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:40:00.000000

Each session cookie carries the generation it was issued under; bumping the user's
`session_epoch` makes every earlier cookie fail on its next request.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
