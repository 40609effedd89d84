"""The task queue: Celery, on Redis in production and on an embedded broker by default.

Why Celery: it is the established distributed task queue for Python, runs on Redis or
RabbitMQ (both already run where this service runs) and, through kombu's SQLAlchemy
transport, on a SQLite file that needs no server, so one code path serves the bare-machine
default and N workers on M machines.

The queue only transports a job id; the `jobs` row remembers the work (see
app/persistence/jobs.py). Tasks acknowledge late and are rejected back to the queue when
their worker dies, so a killed worker's task is delivered again; the task bodies check the
row's state and a unique key, so a second delivery never writes a second result.

Each Flask app gets its own Celery instance (tests build many apps with different brokers);
`carbonlabel worker` builds one app and runs a worker on its instance.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from flask import Flask

#: How long a publish may wait for a broker that does not answer before the web side gives up
#: and leaves the job queued (it is published again later; see services/jobs.publish_pending).
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                 "interval_max": 0.5}


def make_celery(app: Flask) -> Celery:
    from app.broker import embedded

    url = app.config["BROKER_URL"]
    options: dict[str, Any] = {}
    transport = None
    if embedded(url):
        # kombu's SQLAlchemy transport, able to poll more often than once a second
        url, transport = embedded(url), "app.broker:Transport"
        options["polling_interval"] = app.config["BROKER_POLLING_INTERVAL"]
    celery = Celery("carbonlabel", broker=url, set_as_current=False)
    if url.startswith(("redis://", "rediss://")):
        # a message taken by a worker that died is given to another after this long
        options["visibility_timeout"] = app.config["BROKER_VISIBILITY_TIMEOUT"]
        if app.config.get("BROKER_KEY_PREFIX"):
            options["global_keyprefix"] = app.config["BROKER_KEY_PREFIX"]
    celery.conf.update(
        task_ignore_result=True,  # results live in the database, never in the broker
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker holds no more than the task it runs
        task_default_queue="carbonlabel",
        task_always_eager=bool(app.config.get("TASKS_EAGER")),
        task_eager_propagates=True,
        task_publish_retry_policy=PUBLISH_RETRY,
        broker_transport=transport,
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        worker_hijack_root_logger=False,
        timezone="UTC",
        beat_schedule={
            "deliver-pact-events": {"task": "carbonlabel.pact_deliver", "schedule": 30.0},
            "publish-pending-jobs": {"task": "carbonlabel.sweep", "schedule": 30.0},
        },
    )
    from app import tasks

    tasks.register(celery, app)
    _fresh_connections_after_fork(app)
    return celery


def _fresh_connections_after_fork(app: Flask) -> None:
    """A forked pool process must not share the parent's database connections."""
    from celery.signals import worker_process_init

    def dispose(**_: Any) -> None:
        from app.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)

    worker_process_init.connect(dispose, weak=False)


def init_app(app: Flask) -> None:
    app.extensions["celery"] = make_celery(app)


def celery_of(app: Flask) -> Celery:
    return app.extensions["celery"]


def current_flask_app() -> Flask:
    """The app of the current context itself, to hand to `publish` (flask types the
    current_app proxy as the app, so the proxy's own method is not in its type)."""
    from flask import current_app

    return current_app._get_current_object()  # type: ignore[attr-defined]


def publish(app: Flask, job_id: str) -> bool:
    """Hand the committed job to the queue; False when the broker is unreachable (the job
    stays queued and is published again by `publish_pending`). The rows are
    app/services/jobs.py's; this is the one place that knows the app's Celery."""
    from kombu.exceptions import KombuError, OperationalError

    from app.extensions import db
    from app.services import jobs

    try:
        celery_of(app).tasks[jobs.task_name(db.session, job_id)].apply_async(
            args=(job_id,), retry=True)
    except (OperationalError, KombuError, ConnectionError, OSError) as exc:
        app.logger.warning("job %s stays queued: the broker did not answer (%s)", job_id, exc)
        db.session.rollback()
        return False
    if app.config.get("TASKS_EAGER"):
        return True
    jobs.mark_enqueued(db.session, job_id)
    return True


def publish_pending(app: Flask) -> int:
    """Publish jobs the broker never accepted, and jobs whose worker stopped advancing
    (app/services/jobs.due_for_publishing); the number published."""
    from app.extensions import db
    from app.services import jobs

    sent = 0
    for job_id in jobs.due_for_publishing(db.session):
        if jobs.resend(db.session, job_id):
            sent += publish(app, job_id)
    return sent
