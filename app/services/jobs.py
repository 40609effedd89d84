"""Background jobs: the row in `jobs` remembers, the task queue (app/queue.py) transports.

A job row is written in the caller's transaction; the task is published only after that
commit (a worker must find the row). If the broker does not answer, the job simply stays
queued with no `enqueued_at`, the caller still gets its job resource, and the job is
published again by the next sweep (every worker's beat, or a look at the job) once the broker
is back. Workers claim a job by moving it to `running` and counting the attempt; a task that
finds its job already done or failed does nothing, so a re-delivered message is harmless.

Progress is committed as it goes through a separate connection, so a page served by any
process shows it; no transaction stays open while the engine works.

Handing a job to the broker is app/queue.py's (`publish`, `publish_pending`): it knows the
app's Celery instance; this module only reads and writes the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from app.domain import NotFound
from app.persistence import Job, ModelVersion, User
from app.persistence.types import utcnow
from app.services import DbSession, audit, products
from app.services.footprints import check_monte_carlo
from lca_models.messages import N_

STALL_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3
TASK_OF_KIND = {"calculation": "carbonlabel.calculation", "impact": "carbonlabel.impact_plan"}


def create(session: DbSession, user: User, kind: str, params: dict[str, Any], *, total: int,
           organisation_id: str | None, model_version_id: str | None = None) -> Job:
    """Record a job (the caller commits, then calls `publish`)."""
    job = Job(kind=kind, params=params, total=total, organisation_id=organisation_id,
              model_version_id=model_version_id, created_by=user.id, state="queued")
    session.add(job)
    session.flush()
    audit.append(session, user, f"job.{kind}.started", target_type="job", target_id=job.id,
                 details={k: v for k, v in params.items() if k != "release_dir"})
    return job


def start_calculation(session: DbSession, user: User, version: ModelVersion, *, gwp_set: str,
                      monte_carlo: int | None, seed: int, max_monte_carlo: int) -> Job:
    """A stored calculation with Monte Carlo, refusing at once what would fail anyway."""
    check_monte_carlo(monte_carlo, max_monte_carlo)
    products.get_version(session, user, version.id)  # the caller may calculate it
    return create(session, user, "calculation",
                  {"gwp_set": gwp_set, "monte_carlo": monte_carlo, "seed": seed},
                  total=monte_carlo or 0, organisation_id=user.organisation_id,
                  model_version_id=version.id)


def task_name(session: DbSession, job_id: str) -> str:
    """The queue task that runs the job."""
    return TASK_OF_KIND[session.get_one(Job, job_id).kind]


def mark_enqueued(session: DbSession, job_id: str) -> None:
    """The broker accepted the job: committed at once, on a connection of its own."""
    with session.get_bind().engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(enqueued_at=utcnow()))


def due_for_publishing(session: DbSession) -> list[str]:
    """Jobs the broker never accepted, and jobs whose worker stopped advancing (a broker
    that loses unacknowledged messages, e.g. the embedded one, after a crash)."""
    stale = utcnow() - STALL_AFTER
    ids = list(session.scalars(select(Job.id).where(
        ((Job.state == "queued") & Job.enqueued_at.is_(None))
        | (Job.state.in_(("queued", "running")) & (Job.updated_at < stale)))).all())
    session.rollback()
    return ids


def resend(session: DbSession, job_id: str) -> bool:
    """Whether to publish a due job again: no after MAX_ATTEMPTS (it fails), otherwise yes,
    once per stall period (committed)."""
    job = session.get_one(Job, job_id)
    if job.attempts >= MAX_ATTEMPTS:
        fail(session, job_id, f"gave up after {job.attempts} attempts")
        return False
    job.updated_at = utcnow()
    session.commit()
    return True


def get(session: DbSession, user: User, job_id: str, kind: str | None = None) -> Job:
    """A job of the caller's organisation (admins: any); 404 otherwise, never 403, so job
    ids of other organisations cannot be probed."""
    job = session.get(Job, job_id)
    if job is None or not ((kind is None or job.kind == kind) and (
            user.role == "admin"
            or (job.organisation_id is not None
                and job.organisation_id == user.organisation_id))):
        raise NotFound(N_("no such job"))
    return job


def stalled(job: Job) -> bool:
    return job.state in ("queued", "running") and utcnow() - job.updated_at > STALL_AFTER


def claim(session: DbSession, job_id: str) -> Job | None:
    """Move the job to running and count the attempt; None when there is nothing to do (it
    is finished, or gone)."""
    job = session.execute(select(Job).where(Job.id == job_id).with_for_update()).scalar()
    if job is None or job.state in ("done", "failed"):
        session.rollback()
        return None
    job.state, job.attempts, job.updated_at = "running", job.attempts + 1, utcnow()
    session.commit()
    return job


def reporter(session: DbSession, job_id: str) -> Callable[[int, int], None]:
    """Commit progress through a separate connection (the task's own unit of work stays
    whole until it is done); a finished job is never moved back."""
    engine = session.get_bind().engine  # the bind is the engine (a Connection names its own)

    def report(done: int, total: int) -> None:
        with engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id, Job.state == "running").values(
                done=done, total=total, updated_at=utcnow()))

    return report


def fail(session: DbSession, job_id: str, reason: str) -> None:
    session.rollback()
    job = session.get(Job, job_id)
    if job is not None and job.state != "done":
        job.state, job.error = "failed", reason[:2000]
        job.updated_at = job.finished_at = utcnow()
        session.commit()


def view(job: Job, links: dict[str, str]) -> dict[str, Any]:
    """The API's job resource."""
    return {"id": job.id, "kind": job.kind, "state": job.state,
            "progress": {"done": job.done, "total": job.total},
            "attempts": job.attempts, "queued_by_broker": job.enqueued_at is not None,
            "stalled": stalled(job), "error": job.error, "result": job.result,
            "created_at": job.created_at, "updated_at": job.updated_at,
            "finished_at": job.finished_at, "links": links}
