"""The Celery tasks. Each takes a job id (or nothing) and runs inside an app context of the
Flask app its Celery instance belongs to; the bodies live in the services and are idempotent
by job id (see app/services/jobs.py)."""

from __future__ import annotations

from pathlib import Path

from celery import Celery
from flask import Flask
from sqlalchemy.exc import IntegrityError

from app.domain import ServiceError
from lca_models.errors import LcaModelError


def register(celery: Celery, app: Flask) -> None:
    def in_context(func):
        def run(*args):
            from app.extensions import db

            with app.app_context():
                try:
                    return func(app, *args)
                finally:
                    db.session.remove()

        run.__name__ = func.__name__
        run.__doc__ = func.__doc__
        return run

    celery.task(name="carbonlabel.calculation", shared=False)(in_context(run_calculation))
    celery.task(name="carbonlabel.impact_plan", shared=False)(in_context(impact_plan))
    celery.task(name="carbonlabel.impact_batch", shared=False)(in_context(impact_batch))
    celery.task(name="carbonlabel.pact_deliver", shared=False)(in_context(deliver_pact_events))
    celery.task(name="carbonlabel.sweep", shared=False)(in_context(sweep))
    celery.task(name="carbonlabel.noop", shared=False)(noop)


def impact_plan(app: Flask, job_id: str) -> None:
    """An impact run's labels, published in batches (app/services/impact.py)."""
    from app.extensions import db
    from app.queue import celery_of
    from app.services import impact

    def send_batch(label_ids: list[str]) -> None:
        celery_of(app).tasks["carbonlabel.impact_batch"].apply_async(args=(job_id, label_ids))

    impact.plan(db.session, job_id, send_batch)


def impact_batch(app: Flask, job_id: str, label_ids: list[str]) -> None:
    """One batch of an impact run, recomputed."""
    from app.extensions import db
    from app.services import impact

    impact.run_batch(db.session, job_id, label_ids, Path(app.config["BRIGHTWAY_DIR"]))


def noop() -> None:
    """For measuring the queue's round trip (benchmarks/)."""


def run_calculation(app: Flask, job_id: str) -> None:
    """A stored calculation (Monte Carlo): at most one Calculation per job, enforced by the
    state check here and by the unique `calculations.job_id`."""
    from app.extensions import db
    from app.persistence import Job, User
    from app.persistence.types import utcnow
    from app.services import jobs, products

    session = db.session
    job = jobs.claim(session, job_id)
    if job is None:
        return
    params, version_id, version = dict(job.params), job.model_version_id, job.model_version
    if version is None:  # a calculation job always names its model version
        jobs.fail(session, job_id, "the job names no model version")
        return
    try:
        content, sha256 = version.content, version.content_sha256
        session.commit()  # no transaction stays open while the engine works
        model, result = products.footprint(
            content, brightway_dir=Path(app.config["BRIGHTWAY_DIR"]),
            progress=jobs.reporter(session, job_id), content_sha256=sha256, **params)
        job = session.get_one(Job, job_id)
        if job.state != "running":  # another delivery finished it meanwhile
            session.rollback()
            return
        calc = products.record(session, session.get_one(User, job.created_by), version,
                               model, result,
                               monte_carlo=params["monte_carlo"], seed=params["seed"])
        calc.job_id = job_id
        job.state, job.result = "done", {"calculation_id": calc.id}
        job.done, job.updated_at = job.total, utcnow()
        job.finished_at = job.updated_at
        session.commit()
    except IntegrityError:  # the other delivery's result is already stored
        session.rollback()
    except (ServiceError, LcaModelError) as exc:
        jobs.fail(session, job_id, str(exc))
    except Exception as exc:  # the job must end; the log keeps the traceback
        app.logger.exception("job %s (model version %s) failed", job_id, version_id)
        jobs.fail(session, job_id, f"internal error ({type(exc).__name__}); see the log")


def deliver_pact_events(app: Flask) -> None:
    """Periodic: due PACT event deliveries; the outbox row keeps attempts and the backoff
    (up to the spec's 72 hours), so a worker that dies loses nothing."""
    from app.services import pact_events
    from app.services.pact_partner import EventSender

    sender = EventSender(app.config["PACT_PARTNERS_FILE"],
                         allow_http=app.config["PACT_ALLOW_HTTP"])
    try:  # claims and commits, calls with no transaction open, then records
        pact_events.deliver_due(sender)
    finally:
        sender.close()


def sweep(app: Flask) -> None:
    """Periodic: publish jobs the broker never accepted or whose worker died."""
    from app.queue import publish_pending

    publish_pending(app)
