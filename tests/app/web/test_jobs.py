"""Monte Carlo from the pages runs as a background job with a progress page (no JavaScript:
the page refreshes itself), and ends in a stored calculation or a failed job with the reason.
The progress test runs a real worker on the embedded broker (a SQLite file, as serve.sh
does); the others run the task eagerly."""

from __future__ import annotations

import re
import signal
import time

from app.services import products
from lca_models.errors import LcaModelError
from tests.app.flows import calculate, create_product, steel_model, upload
from tests.app.queue.workers import kill, start_worker, use_broker
from tests.app.web.test_pages import count, sign_in


def _version(world) -> dict:
    owner = world["exporter_a"]
    product = create_product(owner)
    return upload(owner, product["id"], steel_model())


def _follow(client, location: str, timeout: float = 120) -> tuple[str, list[str]]:
    """Poll the job page like the browser's refresh does; return the final page and every
    progress text seen on the way."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(location)
        if response.status_code == 302:
            return client.get(response.headers["Location"]).text, seen
        assert response.status_code == 200
        assert '<meta http-equiv="refresh" content="1">' in response.text
        assert "<progress" in response.text
        seen.append(re.search(r"Progress: (\d+) / (\d+)", response.text).group(0))
        assert time.monotonic() < deadline, seen[-5:]
        time.sleep(0.2)


def test_monte_carlo_runs_on_a_worker_and_reproduces_the_api(app, world, tmp_path):
    use_broker(app, f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}")
    version = _version(world)
    exporter = sign_in(app, "exporter_a")
    response = exporter.post(f"/app/versions/{version['id']}/calculations", data={
        "gwp_set": "AR6", "monte_carlo": "1500", "seed": "7", "csrf_token": exporter.csrf})
    assert response.status_code == 302
    assert "/app/jobs/" in response.headers["Location"]
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        page, seen = _follow(exporter, response.headers["Location"])
    finally:
        kill(worker, signal.SIGTERM)
    assert seen and seen[0].endswith("/ 1500")  # the first look is before the end
    # progress was committed as it went: seen increasing, some of it between 0 and the end
    done = [int(s.split()[1]) for s in seen]
    assert done == sorted(done) and any(0 < d < 1500 for d in done), seen
    # the same run through the API gives the same distribution
    use_broker(app, "memory://", TASKS_EAGER=True)
    same = calculate(world["exporter_a"], version["id"], monte_carlo=1500, seed=7)
    mc = same["result"]["monte_carlo"]
    assert f"mean {mc['mean']:.4g}" in page
    assert f"{mc['p2_5']:.4g} – {mc['p97_5']:.4g}" in page
    assert count(app, "calculations") == 2


def test_a_failing_job_says_why_and_stores_no_calculation(app, world, monkeypatch):
    def broken(*args, **kwargs):
        raise LcaModelError("the process network cannot be solved: test")

    monkeypatch.setattr(products, "footprint", broken)
    version = _version(world)
    exporter = sign_in(app, "exporter_a")
    response = exporter.post(f"/app/versions/{version['id']}/calculations", data={
        "gwp_set": "AR6", "monte_carlo": "50", "seed": "0", "csrf_token": exporter.csrf})
    location = response.headers["Location"]
    deadline = time.monotonic() + 60
    while "The calculation failed" not in (page := exporter.get(location).text):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert "cannot be solved: test" in page
    assert '<meta http-equiv="refresh"' not in page
    assert count(app, "calculations") == 0


def test_too_many_runs_are_refused_before_any_job_exists(app, world):
    version = _version(world)
    exporter = sign_in(app, "exporter_a")
    limit = app.config["MAX_MONTE_CARLO"]
    response = exporter.post(f"/app/versions/{version['id']}/calculations", data={
        "gwp_set": "AR6", "monte_carlo": str(limit + 1), "seed": "0",
        "csrf_token": exporter.csrf}, headers={"Referer": f"/app/versions/{version['id']}"})
    assert response.status_code == 302
    assert count(app, "jobs") == 0
    assert str(limit) in exporter.get(f"/app/versions/{version['id']}").text


def test_another_organisation_cannot_watch_the_job(app, world):
    version = _version(world)
    exporter = sign_in(app, "exporter_a")
    response = exporter.post(f"/app/versions/{version['id']}/calculations", data={
        "gwp_set": "AR6", "monte_carlo": "20", "seed": "0", "csrf_token": exporter.csrf})
    _follow(exporter, response.headers["Location"])
    other = sign_in(app, "exporter_b")
    assert other.get(response.headers["Location"]).status_code == 404
