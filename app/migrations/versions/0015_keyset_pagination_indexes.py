"""Indexes for keyset pagination: each list's filter column, then its sort key

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 22:40:00.000000

Every list the API and the pages offer is read as "the next N rows after this key, in this
order" (app/services/keyset.py); with an index on (filter, sort key...) that is an index
range scan of N rows, whatever the table's size, and no page counts the rows.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_labels_keyset", "labels", ["issued_at", "id"]),
    ("ix_labels_org_keyset", "labels", ["organisation_id", "issued_at", "id"]),
    ("ix_labels_body_keyset", "labels", ["certification_body_id", "issued_at", "id"]),
    ("ix_products_keyset", "products", ["created_at", "id"]),
    ("ix_products_org_keyset", "products", ["organisation_id", "created_at", "id"]),
    ("ix_calculations_version_keyset", "calculations", ["model_version_id", "created_at", "id"]),
    ("ix_label_requests_keyset", "label_requests", ["created_at", "id"]),
    ("ix_label_requests_org_keyset", "label_requests", ["organisation_id", "created_at", "id"]),
    ("ix_label_requests_body_keyset", "label_requests",
     ["certification_body_id", "created_at", "id"]),
    ("ix_label_requests_state_keyset", "label_requests", ["state", "created_at", "id"]),
    ("ix_organisations_keyset", "organisations", ["name", "id"]),
    ("ix_cbam_installations_keyset", "cbam_installations", ["created_at", "id"]),
    ("ix_cbam_installations_org_keyset", "cbam_installations",
     ["organisation_id", "created_at", "id"]),
    ("ix_cbam_reports_installation_keyset", "cbam_reports",
     ["installation_id", "computed_at", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
