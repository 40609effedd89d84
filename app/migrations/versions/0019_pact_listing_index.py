"""PACT listing index: what ListFootprints and GetFootprint filter on, one row per label

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 01:40:00.000000

`pact_footprints` holds, for each label the host can express as a PACT ProductFootprint,
its pf id (unique), exporter, listing order, status and validity period;
`pact_footprint_terms` the lower-cased product ids, company ids, geographies and
classifications its filters match (app/services/pact_listing.py). Labels issued before this
revision are indexed here, with the same mapping issuance uses.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pact_footprints",
        sa.Column("label_id", sa.String(length=32),
                  sa.ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("pf_id", sa.String(length=36), nullable=False, unique=True),
        sa.Column("organisation_id", sa.String(length=36), sa.ForeignKey("organisations.id"),
                  nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_pact_footprints_org_keyset", "pact_footprints",
                    ["organisation_id", "created", "label_id"])
    op.create_table(
        "pact_footprint_terms",
        sa.Column("kind", sa.String(length=16), primary_key=True),
        sa.Column("value", sa.String(length=255), primary_key=True),
        sa.Column("label_id", sa.String(length=32),
                  sa.ForeignKey("pact_footprints.label_id", ondelete="CASCADE"),
                  primary_key=True))
    op.create_index("ix_pact_footprint_terms_label_id", "pact_footprint_terms", ["label_id"])
    from app.services.pact_listing import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_pact_footprint_terms_label_id", table_name="pact_footprint_terms")
    op.drop_table("pact_footprint_terms")
    op.drop_index("ix_pact_footprints_org_keyset", table_name="pact_footprints")
    op.drop_table("pact_footprints")
