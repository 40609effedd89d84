"""Faults with real worker processes on a real broker (Redis: a database number and key
prefix of the tests' own; the broker outage uses a redis-server started here on a free port).

A worker is killed with SIGKILL in the middle of a job; another worker finishes every job
exactly once with the right result. A broker that stops answering never turns into a 500:
the web side answers with the job queued, and the job runs once the broker is back."""

from __future__ import annotations

import shutil
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.persistence import Calculation, Job
from app.services import products
from tests.app.flows import create_product, steel_model, upload
from tests.app.queue.workers import (
    REDIS_URL,
    free_port,
    kill,
    redis_reachable,
    start_worker,
    use_broker,
    wait_for,
)

pytestmark = pytest.mark.skipif(not redis_reachable(), reason="no Redis at " + REDIS_URL)


def _jobs(app) -> dict[str, Job]:
    from app.extensions import db

    with app.app_context():
        db.session.expire_all()
        found = {j.id: j for j in db.session.scalars(select(Job))}
        db.session.expunge_all()
        return found


def _submit(owner, version_id: str, iterations: int, seed: int) -> str:
    response = owner.post(f"/api/v1/model-versions/{version_id}/calculations",
                          json={"monte_carlo": iterations, "seed": seed})
    assert response.status_code == 202, response.json
    assert response.json["state"] == "queued"
    return response.json["id"]


def test_a_killed_worker_loses_nothing_and_nothing_runs_twice(app, world, tmp_path):
    use_broker(app, REDIS_URL, BROKER_KEY_PREFIX=f"cltest-{uuid.uuid4().hex[:8]}:")
    owner = world["exporter_a"]
    version = upload(owner, create_product(owner)["id"], steel_model())
    seeds = (11, 12, 13)
    ids = [_submit(owner, version["id"], 1500, seed) for seed in seeds]
    log = tmp_path / "worker.log"
    first = start_worker(app, log)
    try:
        wait_for(lambda: any(j.state == "running" and j.done > 0
                             for j in _jobs(app).values()), 180, "a job to be running", log)
    finally:
        kill(first, signal.SIGKILL)  # mid-job: its message was never acknowledged
    running = [j for j in _jobs(app).values() if j.state == "running"]
    assert len(running) == 1 and 0 < running[0].done < running[0].total
    killed = running[0].id
    second = start_worker(app, log)
    try:
        wait_for(lambda: all(j.state == "done" for j in _jobs(app).values()), 300,
                 "every job to finish", log)
    finally:
        kill(second, signal.SIGTERM)
    from app.extensions import db

    jobs = _jobs(app)
    assert jobs[killed].attempts == 2  # delivered again after the kill
    with app.app_context():
        calcs = {c.job_id: c for c in db.session.scalars(select(Calculation))}
        assert len(calcs) == 3 and set(calcs) == set(ids)  # exactly one result per job
        content = db.session.get(Job, ids[0]).model_version.content
    for job_id, seed in zip(ids, seeds, strict=True):
        assert jobs[job_id].result == {"calculation_id": calcs[job_id].id}
        _, expected = products.footprint(content, gwp_set="AR6", monte_carlo=1500, seed=seed,
                                         brightway_dir=Path(app.config["BRIGHTWAY_DIR"]))
        stored = calcs[job_id].result["monte_carlo"]
        assert stored["mean"] == expected.monte_carlo.mean
        assert stored["p97_5"] == expected.monte_carlo.p97_5
        assert calcs[job_id].kg_co2e_per_declared_unit == expected.kg_co2e_per_declared_unit


@pytest.fixture
def own_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(tmp_path)]

    def start():
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(lambda: redis_reachable(f"redis://127.0.0.1:{port}/0"), 20, "redis-server")
        return proc

    state = {"proc": start()}

    def stop():
        state["proc"].terminate()
        state["proc"].wait(timeout=20)

    def restart():
        state["proc"] = start()

    yield f"redis://127.0.0.1:{port}/0", stop, restart
    if state["proc"].poll() is None:
        stop()


def test_a_stopped_broker_answers_queued_and_the_job_runs_when_it_returns(
        app, world, tmp_path, own_redis):
    url, stop, restart = own_redis
    use_broker(app, url)
    owner = world["exporter_a"]
    version = upload(owner, create_product(owner)["id"], steel_model())
    log = tmp_path / "worker.log"
    worker = start_worker(app, log)
    try:
        stop()
        response = owner.post(f"/api/v1/model-versions/{version['id']}/calculations",
                              json={"monte_carlo": 200, "seed": 5})
        assert response.status_code == 202, response.json
        assert response.json["state"] == "queued"
        assert response.json["queued_by_broker"] is False
        job_url = response.headers["Location"]
        again = owner.get(job_url)  # looking at it tries to publish again: still down
        assert again.status_code == 200 and again.json["state"] == "queued"
        assert again.json["queued_by_broker"] is False
        page = owner.get(f"/api/v1/model-versions/{version['id']}")
        assert page.status_code == 200
        restart()
        wait_for(lambda: owner.get(job_url).json["state"] == "done", 180,
                 "the job to run once the broker is back", log)
    finally:
        kill(worker, signal.SIGTERM)
    from app.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Calculation)) == 1
