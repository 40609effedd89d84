"""PostgreSQL tells every worker, at commit, that something a verification reads changed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:00:00.000000

A statement-level trigger on each table a verification reads (labels, log entries, tree
heads, status lists, signing keys, organisations) runs `pg_notify` on the channel that
`app.services.change_feed` listens to. NOTIFY is transactional: listeners hear it only once
the change is committed, and never for a rolled-back one. Being a trigger, it also fires for a
change made outside the service (psql, a restore, a migration). SQLite has no NOTIFY; there
every cached verification re-reads its state instead.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHANNEL = "carbonlabel_verification"  # app.services.change_feed.CHANNEL
TABLES = ("labels", "log_entries", "tree_heads", "status_lists", "signing_keys",
          "organisations")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE FUNCTION carbonlabel_notify_verification() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END $$""")
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_notify_verification "
                   f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION carbonlabel_notify_verification()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_verification ON {table}")
    op.execute("DROP FUNCTION IF EXISTS carbonlabel_notify_verification()")
