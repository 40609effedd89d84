"""Monte Carlo from the pages runs as a background job with a progress page (no JavaScript:
the page refreshes itself), and ends in a stored calculation or a failed job with the reason."""

from __future__ import annotations

import re
import time

from app.services import jobs
from lca_models.errors import LcaModelError
from tests.app.flows import calculate, create_product, steel_model, upload
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


def test_monte_carlo_runs_in_the_background_and_reproduces_the_api(app, world, monkeypatch):
    reported: list[tuple[int, int]] = []
    original = jobs._reporter

    def spying(session, job_id):
        inner = original(session, job_id)
        return lambda done, total: (reported.append((done, total)), inner(done, total))

    monkeypatch.setattr(jobs, "_reporter", spying)
    version = _version(world)
    exporter = sign_in(app, "exporter_a")
    response = exporter.post(f"/app/versions/{version['id']}/calculations", data={
        "gwp_set": "AR6", "monte_carlo": "300", "seed": "7", "csrf_token": exporter.csrf})
    assert response.status_code == 302
    assert "/app/jobs/" in response.headers["Location"]
    page, seen = _follow(exporter, response.headers["Location"])
    assert seen and seen[0].endswith("/ 300")  # the first look is before the end
    # progress was committed as it went: increasing, ending at the total
    assert [d for d, _ in reported] == sorted(d for d, _ in reported)
    assert reported[-1] == (300, 300) and len(reported) >= 10
    # the same run through the API (synchronous) gives the same distribution
    same = calculate(world["exporter_a"], version["id"], monte_carlo=300, seed=7)
    mc = same["result"]["monte_carlo"]
    assert f"mean {mc['mean']:.4g}" in page
    assert f"{mc['p2_5']:.4g} – {mc['p97_5']:.4g}" in page
    assert count(app, "calculations") == 2


def test_a_failing_job_says_why_and_stores_no_calculation(app, world, monkeypatch):
    def broken(*args, **kwargs):
        raise LcaModelError("the process network cannot be solved: test")

    monkeypatch.setattr(jobs.products, "footprint", broken)
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
    assert count(app, "calculation_jobs") == 0
    assert str(limit) in exporter.get(f"/app/versions/{version['id']}").text


def test_another_organisation_cannot_watch_the_job(app, world):
    version = _version(world)
    exporter = sign_in(app, "exporter_a")
    response = exporter.post(f"/app/versions/{version['id']}/calculations", data={
        "gwp_set": "AR6", "monte_carlo": "20", "seed": "0", "csrf_token": exporter.csrf})
    _follow(exporter, response.headers["Location"])
    other = sign_in(app, "exporter_b")
    assert other.get(response.headers["Location"]).status_code == 404
