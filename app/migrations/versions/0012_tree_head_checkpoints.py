"""Tree heads signed as C2SP checkpoints: the signed note text is stored with each head

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:40:00.000000

The column is NULL for heads signed before this revision: their signature covered our own
JSON and cannot be turned into a checkpoint signature without the private key, which the
database never holds. `carbonlabel db upgrade` (and `init`) re-signs every such head as a
checkpoint with the active key right after migrating (`transparency_log.sign_checkpoints`);
the size and root it signs are the stored ones, so the statement is the same.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tree_heads", sa.Column("checkpoint", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("tree_heads", "checkpoint")
