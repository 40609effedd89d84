"""Log entries wait in `log_pending` until the sequencer integrates them in batches

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 01:30:00.000000

Approval commits the label with a pending entry (no leaf index yet); the sequencer
(app/services/sequencer.py) assigns consecutive leaf indexes to every pending entry, writes
the nodes once, signs one checkpoint per batch and deletes the rows it integrated, in one
transaction. Existing logs are untouched: nothing is pending after this migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_pending",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label_id", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"],
                                name=op.f("fk_log_pending_label_id_labels")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_pending")),
    )
    with op.batch_alter_table("log_pending") as batch:
        batch.create_index(batch.f("ix_log_pending_label_id"), ["label_id"], unique=False)


def downgrade() -> None:
    """Refused while entries are pending: dropping them would leave labels out of the log."""
    pending = op.get_bind().execute(sa.text("SELECT count(*) FROM log_pending")).scalar()
    if pending:
        raise RuntimeError(f"{pending} log entries are pending: run `carbonlabel sequencer "
                           "--once` before downgrading")
    op.drop_table("log_pending")
