"""Background jobs: the row in `jobs` remembers, the task queue (app/queue.py) transports.

A job row is written in the caller's transaction; the task is published only after that
commit (a worker must find the row). If the broker does not answer, the job simply stays
queued with no `enqueued_at`, the caller still gets its job resource, and the job is
published again by the next sweep (every worker's beat, or a look at the job) once the broker
is back. Workers claim a job by moving it to `running` and counting the attempt; a task that
finds its job already done or failed does nothing, so a re-delivered message is harmless.

Progress is committed as it goes through a separate connection, so a page served by any
process shows it; no transaction stays open while the engine works.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from kombu.exceptions import KombuError, OperationalError
from sqlalchemy import select, update

from app.domain import NotFound
from app.persistence import Job, ModelVersion, User
from app.persistence.types import utcnow
from app.services import DbSession, audit, products
from app.services.footprints import check_monte_carlo

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


def current_flask_app() -> Flask:
    """The app of the current context itself, to hand to `publish` (flask types the
    current_app proxy as the app, so the proxy's own method is not in its type)."""
    from flask import current_app

    return current_app._get_current_object()  # type: ignore[attr-defined]


def publish(app: Flask, job_id: str) -> bool:
    """Hand the committed job to the queue; False when the broker is unreachable (the job
    stays queued and is published again by `publish_pending`)."""
    from app.extensions import db
    from app.queue import celery_of

    job = db.session.get_one(Job, job_id)
    try:
        celery_of(app).tasks[TASK_OF_KIND[job.kind]].apply_async(args=(job_id,), retry=True)
    except (OperationalError, KombuError, ConnectionError, OSError) as exc:
        app.logger.warning("job %s stays queued: the broker did not answer (%s)", job_id, exc)
        db.session.rollback()
        return False
    if app.config.get("TASKS_EAGER"):
        return True
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(enqueued_at=utcnow()))
    return True


def publish_pending(app: Flask) -> int:
    """Publish jobs the broker never accepted, and jobs whose worker stopped advancing
    (a broker that loses unacknowledged messages, e.g. the embedded one, after a crash)."""
    from app.extensions import db

    stale = utcnow() - STALL_AFTER
    ids = db.session.scalars(select(Job.id).where(
        ((Job.state == "queued") & Job.enqueued_at.is_(None))
        | (Job.state.in_(("queued", "running")) & (Job.updated_at < stale)))).all()
    db.session.rollback()
    sent = 0
    for job_id in ids:
        job = db.session.get_one(Job, job_id)
        if job.attempts >= MAX_ATTEMPTS:
            fail(db.session, job_id, f"gave up after {job.attempts} attempts")
            continue
        job.updated_at = utcnow()  # one re-send per stall period
        db.session.commit()
        sent += publish(app, job_id)
    return sent


def get(session: DbSession, user: User, job_id: str, kind: str | None = None) -> Job:
    """A job of the caller's organisation (admins: any); 404 otherwise, never 403, so job
    ids of other organisations cannot be probed."""
    job = session.get(Job, job_id)
    if job is None or not ((kind is None or job.kind == kind) and (
            user.role == "admin"
            or (job.organisation_id is not None
                and job.organisation_id == user.organisation_id))):
        raise NotFound("no such job")
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
