"""PACT v3 host: data-recipient clients, access tokens, event outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 02:50:27.077825
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pact_clients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_ids", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("events_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_pact_clients_client_id")),
    )
    op.create_table(
        "pact_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["pact_clients.id"], name=op.f("fk_pact_outbox_client_id_pact_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_outbox")),
    )
    with op.batch_alter_table("pact_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pact_outbox_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pact_outbox_next_attempt_at"), ["next_attempt_at"], unique=False
        )

    op.create_table(
        "pact_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["pact_clients.id"], name=op.f("fk_pact_tokens_client_id_pact_clients")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_pact_tokens")),
    )
    with op.batch_alter_table("pact_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pact_tokens_client_id"), ["client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pact_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pact_tokens_client_id"))

    op.drop_table("pact_tokens")
    with op.batch_alter_table("pact_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pact_outbox_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_pact_outbox_client_id"))

    op.drop_table("pact_outbox")
    op.drop_table("pact_clients")
