"""Outbox rows name their delivery URL: a request is answered at the recipient its event names

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:40:00.000000

`target_url` is the events URL resolved from a RequestCreatedEvent's `source` (checked against
the partner's registered origin and our credentials for it when the event was accepted);
NULL means the partner's registered events URL (PublishedEvents, which answer no request).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pact_outbox") as batch:
        batch.add_column(sa.Column("target_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pact_outbox") as batch:
        batch.drop_column("target_url")
