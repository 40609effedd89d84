"""Numbered revocation status lists: labels record their list, lists are keyed by number

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 22:20:00.000000

Every label issued so far sits in list 0 with the index it already has (issuance refused
past one list until now), so the new column defaults to 0 and the published list becomes
("revocation", 0). The status index is unique per list from now on, and a partial index on
the revoked (list, index) pairs lets one list be re-signed without reading any other label.
PostgreSQL's sequence `label_status_index` (0009) keeps counting slots across lists.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

REVOKED = sa.text("revoked_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("labels") as batch:
        batch.add_column(sa.Column("status_list_number", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.drop_constraint("uq_labels_status_index", type_="unique")
        batch.create_unique_constraint("uq_labels_status_list_number",
                                       ["status_list_number", "status_index"])
    op.create_index("ix_labels_revoked_slots", "labels", ["status_list_number", "status_index"],
                    postgresql_where=REVOKED, sqlite_where=REVOKED)
    with op.batch_alter_table("status_lists") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("pk_status_lists", type_="primary")
        batch.create_primary_key("pk_status_lists", ["purpose", "number"])


def downgrade() -> None:
    # Only possible while every label is still in list 0 (the unique index refuses otherwise).
    op.execute("DELETE FROM status_lists WHERE number <> 0")
    with op.batch_alter_table("status_lists") as batch:
        batch.drop_constraint("pk_status_lists", type_="primary")
        batch.create_primary_key("pk_status_lists", ["purpose"])
        batch.drop_column("number")
    op.drop_index("ix_labels_revoked_slots", table_name="labels")
    with op.batch_alter_table("labels") as batch:
        batch.drop_constraint("uq_labels_status_list_number", type_="unique")
        batch.create_unique_constraint("uq_labels_status_index", ["status_index"])
        batch.drop_column("status_list_number")
