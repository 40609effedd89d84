"""One jobs table for every kind of background work (the task queue transports a job id, the
row remembers), calculations tied to the job that wrote them, and impact-run entries

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 22:00:00.000000

The old calculation_jobs rows are carried over as kind 'calculation'.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    jobs = op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("model_version_id", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("updated_at", UTC_TS, nullable=False),
        sa.Column("enqueued_at", UTC_TS, nullable=True),
        sa.Column("finished_at", UTC_TS, nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_jobs_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_versions.id"],
                                name=op.f("fk_jobs_model_version_id_model_versions")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_jobs_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_organisation_id"), ["organisation_id"],
                              unique=False)
    _carry_over(jobs)
    with op.batch_alter_table("calculation_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calculation_jobs_model_version_id"))
    op.drop_table("calculation_jobs")
    with op.batch_alter_table("calculations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_calculations_job_id"), ["job_id"])
        batch_op.create_foreign_key(batch_op.f("fk_calculations_job_id_jobs"), "jobs",
                                    ["job_id"], ["id"])
    op.create_table(
        "impact_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("label_id", sa.String(length=32), nullable=False),
        sa.Column("calculation_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("certification_body_id", sa.String(length=36), nullable=False),
        sa.Column("old_kg", sa.Float(), nullable=False),
        sa.Column("new_kg", sa.Float(), nullable=True),
        sa.Column("change_percent", sa.Float(), nullable=True),
        sa.Column("drivers", sa.JSON(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"],
                                name=op.f("fk_impact_entries_job_id_jobs")),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"],
                                name=op.f("fk_impact_entries_label_id_labels")),
        sa.ForeignKeyConstraint(["calculation_id"], ["calculations.id"],
                                name=op.f("fk_impact_entries_calculation_id_calculations")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_impact_entries_organisation_id_organisations")),
        sa.ForeignKeyConstraint(
            ["certification_body_id"], ["organisations.id"],
            name=op.f("fk_impact_entries_certification_body_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_entries")),
        sa.UniqueConstraint("job_id", "label_id",
                            name=op.f("uq_impact_entries_job_id")),
    )
    with op.batch_alter_table("impact_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_impact_entries_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_impact_entries_label_id"), ["label_id"],
                              unique=False)


def _carry_over(jobs: sa.Table) -> None:
    bind = op.get_bind()
    old = sa.table("calculation_jobs", *(sa.column(c) for c in (
        "id", "model_version_id", "gwp_set", "monte_carlo_iterations", "seed", "state", "done",
        "total", "calculation_id", "error", "created_by", "created_at", "updated_at")))
    users = sa.table("users", sa.column("id"), sa.column("organisation_id"))
    rows = bind.execute(sa.select(old, users.c.organisation_id).join(
        users, users.c.id == old.c.created_by)).mappings().all()
    if rows:
        op.bulk_insert(jobs, [{
            "id": r["id"], "kind": "calculation", "state": r["state"],
            "params": {"gwp_set": r["gwp_set"], "monte_carlo": r["monte_carlo_iterations"],
                       "seed": r["seed"]},
            "done": r["done"], "total": r["total"], "attempts": 1,
            "result": {"calculation_id": r["calculation_id"]} if r["calculation_id"] else None,
            "error": r["error"], "organisation_id": r["organisation_id"],
            "model_version_id": r["model_version_id"], "created_by": r["created_by"],
            "created_at": r["created_at"], "updated_at": r["updated_at"],
            "enqueued_at": r["created_at"], "finished_at": None} for r in rows])


def downgrade() -> None:
    with op.batch_alter_table("impact_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_entries_label_id"))
        batch_op.drop_index(batch_op.f("ix_impact_entries_job_id"))
    op.drop_table("impact_entries")
    with op.batch_alter_table("calculations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_calculations_job_id_jobs"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_calculations_job_id"), type_="unique")
        batch_op.drop_column("job_id")
    op.create_table(
        "calculation_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("model_version_id", sa.String(length=36), nullable=False),
        sa.Column("gwp_set", sa.String(length=8), nullable=False),
        sa.Column("monte_carlo_iterations", sa.Integer(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("calculation_id", sa.String(length=36), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("updated_at", UTC_TS, nullable=False),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_versions.id"],
                                name=op.f("fk_calculation_jobs_model_version_id_model_versions")),
        sa.ForeignKeyConstraint(["calculation_id"], ["calculations.id"],
                                name=op.f("fk_calculation_jobs_calculation_id_calculations")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_calculation_jobs_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calculation_jobs")),
    )
    with op.batch_alter_table("calculation_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calculation_jobs_model_version_id"),
                              ["model_version_id"], unique=False)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_kind"))
    op.drop_table("jobs")
