"""Suspension: labels record when and why they are suspended; suspension lists are indexed

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 01:30:00.000000

A label issued from now on carries a suspension entry beside its revocation entry, at the
same (list, index) of the numbered "suspension" lists (stored in `status_lists` under that
purpose), so no new slot column or sequence is needed. Labels issued before have no such
entry and stay unsuspendable: their signed credentials never change. The partial index on
the suspended (list, index) pairs lets one suspension list be re-signed without reading any
other label, as 0014's index does for revocation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

SUSPENDED = sa.text("suspended_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("labels") as batch:
        batch.add_column(sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("suspension_reason", sa.Text(), nullable=True))
    op.create_index("ix_labels_suspended_slots", "labels",
                    ["status_list_number", "status_index"],
                    postgresql_where=SUSPENDED, sqlite_where=SUSPENDED)


def downgrade() -> None:
    op.execute("DELETE FROM status_lists WHERE purpose = 'suspension'")
    op.drop_index("ix_labels_suspended_slots", table_name="labels")
    with op.batch_alter_table("labels") as batch:
        batch.drop_column("suspension_reason")
        batch.drop_column("suspended_at")
