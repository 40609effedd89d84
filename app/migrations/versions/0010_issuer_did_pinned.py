"""The issuer's DID stored with every signing key and label (the issuer is pinned)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 21:40:00.000000

A label's DID is the `issuer` its signed credential names; a key's is the DID of the labels
it signed, else the DID of the configured public URL (CARBONLABEL_PUBLIC_URL, read through
app.config like everything else), which is what it has been published under so far.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _configured_did() -> str:
    from app.config import load_config
    from app.trust.did_web import did_from_url

    return did_from_url(load_config("instance")["PUBLIC_URL"].rstrip("/"))


def upgrade() -> None:
    with op.batch_alter_table("signing_keys") as batch:
        batch.add_column(sa.Column("issuer_did", sa.String(255), nullable=True))
    with op.batch_alter_table("labels") as batch:
        batch.add_column(sa.Column("issuer_did", sa.String(255), nullable=True))
    bind = op.get_bind()
    labels = sa.table("labels", sa.column("id", sa.String), sa.column("key_id", sa.String),
                      sa.column("credential", sa.JSON), sa.column("issuer_did", sa.String))
    keys = sa.table("signing_keys", sa.column("id", sa.String),
                    sa.column("issuer_did", sa.String))
    key_dids: dict[str, str | None] = {}  # None: the label names no issuer
    for label_id, key_id, credential in bind.execute(
            sa.select(labels.c.id, labels.c.key_id, labels.c.credential)).all():
        issuer = credential.get("issuer") if isinstance(credential, dict) else None
        did = issuer.get("id") if isinstance(issuer, dict) else issuer
        bind.execute(labels.update().where(labels.c.id == label_id).values(issuer_did=did))
        key_dids.setdefault(key_id, did)
    key_ids = bind.execute(sa.select(keys.c.id)).scalars().all()
    fallback = _configured_did() if set(key_ids) - set(key_dids) else None
    for key_id in key_ids:
        bind.execute(keys.update().where(keys.c.id == key_id)
                     .values(issuer_did=key_dids.get(key_id) or fallback))
    with op.batch_alter_table("signing_keys") as batch:
        batch.alter_column("issuer_did", existing_type=sa.String(255), nullable=False)
        batch.create_index("ix_signing_keys_issuer_did", ["issuer_did"])
    with op.batch_alter_table("labels") as batch:
        batch.alter_column("issuer_did", existing_type=sa.String(255), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("labels") as batch:
        batch.drop_column("issuer_did")
    with op.batch_alter_table("signing_keys") as batch:
        batch.drop_index("ix_signing_keys_issuer_did")
        batch.drop_column("issuer_did")
