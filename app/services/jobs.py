"""Calculations that run off the request thread, with progress anyone can read.

A Monte Carlo run of a few thousand iterations takes long enough that a page must not hang
on it. The job row is written in its own transaction before the work starts, progress is
committed as it goes (about once per 1 % of the runs, as the engine reports it), and the
result lands in one transaction with the job marked done, so a failed run leaves a failed
job with the reason and no half-written calculation.

The work runs in a thread of the process that accepted it (one at a time per process, so a
burst of requests queues instead of starving the web workers). Progress is in the database,
so a page served by any worker shows it; a job whose process died stops advancing and is
reported as stalled after STALL_AFTER.
"""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from app.domain import NotFound, ServiceError
from app.persistence import CalculationJob, ModelVersion, User
from app.persistence.types import utcnow
from app.services import audit, products
from app.services.footprints import check_monte_carlo
from lca_models.errors import LcaModelError

STALL_AFTER = timedelta(minutes=5)
_executor: Executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calculation")


def start(session: Session, user: User, version: ModelVersion, *, gwp_set: str,
          monte_carlo: int | None, seed: int, max_monte_carlo: int) -> CalculationJob:
    """Record the job (the caller commits), refusing at once what would fail anyway."""
    check_monte_carlo(monte_carlo, max_monte_carlo)
    products.get_version(session, user, version.id)  # the caller may calculate it
    job = CalculationJob(model_version_id=version.id, gwp_set=gwp_set,
                         monte_carlo_iterations=monte_carlo, seed=seed,
                         total=monte_carlo or 0, created_by=user.id)
    session.add(job)
    session.flush()
    audit.append(session, user, "calculation_job.started", target_type="calculation_job",
                 target_id=job.id, details={"model_version_id": version.id,
                                            "monte_carlo": monte_carlo})
    return job


def submit(app: Flask, job_id: str) -> None:
    """Run the job in the background; call after the job row is committed."""
    _executor.submit(_run, app, job_id)


def get(session: Session, user: User, job_id: str) -> CalculationJob:
    job = session.get(CalculationJob, job_id)
    if job is None:
        raise NotFound("no such calculation job")
    products.get_version(session, user, job.model_version_id)  # 404 for other organisations
    return job


def stalled(job: CalculationJob) -> bool:
    return job.state in ("queued", "running") and utcnow() - job.updated_at > STALL_AFTER


def _run(app: Flask, job_id: str) -> None:
    from app.extensions import db

    with app.app_context():
        session = db.session
        try:
            job = session.get(CalculationJob, job_id)
            version = job.model_version
            content, params = version.content, {
                "gwp_set": job.gwp_set, "monte_carlo": job.monte_carlo_iterations,
                "seed": job.seed}
            job.state, job.updated_at = "running", utcnow()
            session.commit()  # no transaction stays open while the engine works
            model, result = products.footprint(
                content, brightway_dir=Path(app.config["BRIGHTWAY_DIR"]),
                progress=_reporter(session, job_id), content_sha256=version.content_sha256,
                **params)
            job = session.get(CalculationJob, job_id)
            calc = products.record(session, session.get(User, job.created_by),
                                   job.model_version, model, result,
                                   monte_carlo=params["monte_carlo"], seed=params["seed"])
            job.state, job.calculation_id = "done", calc.id
            job.done, job.updated_at = job.total, utcnow()
            session.commit()
        except (ServiceError, LcaModelError) as exc:
            _fail(session, job_id, str(exc))
        except Exception as exc:  # the job must end; the log keeps the traceback
            app.logger.exception("calculation job %s failed", job_id)
            _fail(session, job_id, f"internal error ({type(exc).__name__}); see the server log")


def _reporter(session: Session, job_id: str):
    """Commit progress through a separate connection, so the calculation's own unit of work
    stays open and whole until it is done."""
    engine = session.get_bind()

    def report(done: int, total: int) -> None:
        from sqlalchemy import update

        with engine.begin() as conn:
            conn.execute(update(CalculationJob).where(CalculationJob.id == job_id).values(
                done=done, total=total, updated_at=utcnow()))

    return report


def _fail(session: Any, job_id: str, reason: str) -> None:
    session.rollback()
    job = session.get(CalculationJob, job_id)
    if job is not None:
        job.state, job.error, job.updated_at = "failed", reason[:2000], utcnow()
        session.commit()
