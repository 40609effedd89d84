"""Status-list indices from a sequence, so issuance allocates one without the log's lock

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:10:00.000000

PostgreSQL only (SQLite lets one writer in at a time and issuance reads the highest index
there). The sequence starts after the highest index already issued.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE label_status_index MINVALUE 0 START WITH 0")
    op.execute("SELECT setval('label_status_index', max(status_index) + 1, false) "
               "FROM labels HAVING count(*) > 0")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP SEQUENCE IF EXISTS label_status_index")
