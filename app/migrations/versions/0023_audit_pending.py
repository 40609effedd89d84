"""Audit events of approvals wait in `audit_pending` until the sequencer chains them

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 21:30:00.000000

Under batched log sequencing an approval no longer takes the audit chain's lock (held
through its commit, it serialised every approval): it commits its audit events unchained,
and the sequencer, in the transaction that integrates the log's pending entries, chains them
onto the end of `audit_entries` and deletes the rows (app/services/audit.py). Existing
chains are untouched: nothing is pending after this migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_pending",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=True),
        sa.Column("target_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_pending")),
    )


def downgrade() -> None:
    """Refused while events are pending: dropping them would lose audit entries."""
    pending = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_pending")).scalar()
    if pending:
        raise RuntimeError(f"{pending} audit events are pending: run `carbonlabel sequencer "
                           "--once` before downgrading")
    op.drop_table("audit_pending")
