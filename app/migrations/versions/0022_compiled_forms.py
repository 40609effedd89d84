"""Compiled forms: each stored model content's compiled values, and the structures they share

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 21:30:00.000000

An impact run recomputes thousands of stored calculations; validating and compiling each
model version again cost more than the computation. `model_structures` holds what product
variants of one model share (processes, stages, exchanges' kinds, targets and units) and
`compiled_forms` each content's values against its structure. Rows are written when a
calculation is stored and, for calculations stored before, by the first impact run that
compiles them; nothing needs backfilling here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_structures",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("spec", sa.JSON(), nullable=False))
    op.create_table(
        "compiled_forms",
        sa.Column("content_sha256", sa.String(64), primary_key=True),
        sa.Column("structure_sha256", sa.String(64), sa.ForeignKey("model_structures.sha256"),
                  nullable=False),
        sa.Column("release_sha256", sa.String(64), nullable=False),
        sa.Column("values", sa.LargeBinary(), nullable=False))
    op.create_index("ix_compiled_forms_structure_sha256", "compiled_forms",
                    ["structure_sha256"])


def downgrade() -> None:
    op.drop_index("ix_compiled_forms_structure_sha256", table_name="compiled_forms")
    op.drop_table("compiled_forms")
    op.drop_table("model_structures")
