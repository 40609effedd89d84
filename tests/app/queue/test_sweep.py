"""The sweep (each worker at start, and the periodic schedule) publishes jobs the broker never
accepted or whose worker stopped advancing, and gives up after MAX_ATTEMPTS. Tasks run
eagerly here: this checks the sweep's choices, the worker tests check real deliveries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app import queue
from app.persistence import Calculation, Job, User
from app.persistence.types import utcnow
from app.services import jobs
from tests.app.flows import create_product, steel_model, upload


def _job(app, version_id: str, user_id: str, **state) -> str:
    from app.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        job = jobs.create(db.session, user, "calculation",
                          {"gwp_set": "AR6", "monte_carlo": 20, "seed": 1}, total=20,
                          organisation_id=user.organisation_id, model_version_id=version_id)
        for key, value in state.items():
            setattr(job, key, value)
        db.session.commit()
        return job.id


def test_sweep_publishes_lost_and_stalled_jobs_and_gives_up_after_three(app, world):
    from app.extensions import db

    owner = world["exporter_a"]
    version = upload(owner, create_product(owner)["id"], steel_model())["id"]
    long_ago = utcnow() - jobs.STALL_AFTER - timedelta(seconds=1)
    never_sent = _job(app, version, owner.user_id)  # queued, enqueued_at None
    stalled = _job(app, version, owner.user_id, state="running", attempts=1,
                   enqueued_at=long_ago, updated_at=long_ago)
    waiting = _job(app, version, owner.user_id, enqueued_at=utcnow())  # fine: left alone
    hopeless = _job(app, version, owner.user_id, state="running", attempts=3,
                    enqueued_at=long_ago, updated_at=long_ago)
    with app.app_context():
        assert queue.publish_pending(app) == 2
        db.session.expire_all()
        found = {j.id: j for j in db.session.scalars(select(Job))}
        assert found[never_sent].state == found[stalled].state == "done"
        assert found[stalled].attempts == 2
        assert found[waiting].state == "queued"
        assert found[hopeless].state == "failed" and "3 attempts" in found[hopeless].error
        assert db.session.scalar(select(func.count()).select_from(Calculation)) == 2
