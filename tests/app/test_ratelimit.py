"""Rate limiting does constant work per request: fixed windows, counters expired lazily, no
thread per request; Redis when configured; and nothing expensive happens at import."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from app import create_app, ratelimit
from app.extensions import limiter
from app.ratelimit import WindowMemoryStorage

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def thread_starts(monkeypatch) -> list[str]:
    started: list[str] = []
    original = threading.Thread.start

    def counting(self):
        started.append(self.name)
        return original(self)

    monkeypatch.setattr(threading.Thread, "start", counting)
    return started


def test_the_librarys_memory_storage_starts_threads_as_the_counter_shows(thread_starts):
    """The counting fixture sees what it is meant to see: `limits`' own memory storage
    starts a timer thread once its last one has run out (10 ms)."""
    storage = MemoryStorage()
    for _ in range(3):
        storage.incr("k", 60)
        time.sleep(0.03)
    assert len(thread_starts) >= 3


def test_no_thread_is_started_per_request(app, client, thread_starts):
    app.config["RATELIMIT_PUBLIC"] = "1000 per minute"
    assert app.config["RATELIMIT_STRATEGY"] == "fixed-window"
    before = len(thread_starts)
    codes = set()
    for _ in range(40):
        response = client.get("/api/v1/labels/not-a-label/credential")
        codes.add(response.status_code)
        time.sleep(0.012)  # slower than the library timer's 10 ms, as real requests are
    assert codes == {422}
    assert len(thread_starts) == before, thread_starts[before:]
    assert isinstance(limiter.storage, WindowMemoryStorage)  # made at the first request
    assert len(limiter.storage) == 1  # one counter: this client, this limit


def test_fixed_window_counts_resets_and_forgets(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(WindowMemoryStorage, "now", staticmethod(lambda: clock[0]))
    storage = WindowMemoryStorage()
    strategy = FixedWindowRateLimiter(storage)
    per_minute = RateLimitItemPerMinute(3)
    assert [strategy.hit(per_minute, "a") for _ in range(4)] == [True, True, True, False]
    assert strategy.get_window_stats(per_minute, "a").remaining == 0
    assert strategy.get_window_stats(per_minute, "a").reset_time == 1_000_060.0
    clock[0] += 59.9
    assert not strategy.hit(per_minute, "a")  # still the same window
    clock[0] += 0.1
    assert strategy.hit(per_minute, "a")  # a new window, counting from 1
    assert strategy.get_window_stats(per_minute, "a").remaining == 2
    for n in range(100):
        strategy.hit(per_minute, f"client-{n}")
    assert len(storage) == 101
    clock[0] += 61
    strategy.hit(per_minute, "late")  # one increment drops every ended window
    assert len(storage) == 1
    key = per_minute.key_for("late")
    assert storage.get(key) == 1
    storage.clear(key)
    assert storage.get(key) == 0 and len(storage) == 0


def test_in_memory_means_ours_and_redis_passes_through():
    assert ratelimit.storage_uri(None) == "window-memory://"
    assert ratelimit.storage_uri("memory://") == "window-memory://"
    assert ratelimit.storage_uri("redis://127.0.0.1:6379/3") == "redis://127.0.0.1:6379/3"


def test_redis_when_configured(tmp_path, brightway_dir):
    import redis

    server = redis.Redis(host="127.0.0.1", port=6379, db=14)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"carbonlabel-test-{uuid.uuid4().hex[:8]}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "INSTANCE_DIR": tmp_path, "SECRET_KEY": "x", "BRIGHTWAY_DIR": brightway_dir,
                      "KEYS_DIR": tmp_path / "keys", "PUBLIC_URL": "https://labels.test",
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
                      "RATELIMIT_KEY_PREFIX": prefix, "RATELIMIT_PUBLIC": "3 per minute"})
    try:
        client = app.test_client()
        codes = [client.get("/api/v1/labels/not-a-label/credential").status_code
                 for _ in range(4)]
        assert codes == [422, 422, 422, 429]
        assert server.keys(f"*{prefix}*"), "the counter is not in Redis"
    finally:
        for key in server.keys(f"*{prefix}*"):
            server.delete(key)
        server.close()


def test_importing_the_accounts_module_hashes_nothing():
    """The dummy hash that evens out sign-in timing is made on first use, not at import."""
    probe = (
        "import argon2\n"
        "calls = []\n"
        "original = argon2.PasswordHasher.hash\n"
        "argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or "
        "original(self, *a, **k)\n"
        "from app.services import accounts\n"
        "print(len(calls))\n"
        "accounts._dummy_hash(); accounts._dummy_hash()\n"
        "print(len(calls))\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                         text=True, timeout=60, env={"PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "1"]


def _guarded_app(**limiter_options):
    """A bare app with its own limiter, the before_request check guarded as create_app
    does: one route with a limit of its own, one without."""
    from flask import Blueprint, Flask
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    from app.ratelimit import check_only_what_applies

    app = Flask("guarded")
    own = Limiter(key_func=get_remote_address, storage_uri="memory://", **limiter_options)
    own.init_app(app)
    check_only_what_applies(app, own)
    assert own._check_request_limit not in app.before_request_funcs[None]
    def open_view() -> str:  # named: flask-limiter tells views apart by qualified name
        return "open"

    def limited_view() -> str:
        return "limited"

    blueprint = Blueprint("open", __name__)
    blueprint.add_url_rule("/open", "open", open_view)
    app.add_url_rule("/limited", "limited", own.limit("2 per minute")(limited_view))
    app.register_blueprint(blueprint)
    return app.test_client()


def test_a_routes_own_limit_is_still_counted_with_the_guard():
    client = _guarded_app()
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]
    assert {client.get("/open").status_code for _ in range(5)} == {200}


@pytest.mark.parametrize("options", [{"application_limits": ["2 per minute"]},
                                     {"default_limits": ["2 per minute"]}])
def test_application_and_default_limits_are_still_counted_with_the_guard(options):
    client = _guarded_app(**options)
    assert [client.get("/open").status_code for _ in range(3)] == [200, 200, 429]


def test_a_blueprint_limit_is_still_counted_with_the_guard():
    from flask import Blueprint, Flask
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    from app.ratelimit import check_only_what_applies

    app = Flask("guarded")
    own = Limiter(key_func=get_remote_address, storage_uri="memory://")
    own.init_app(app)
    check_only_what_applies(app, own)
    blueprint = Blueprint("limited", __name__)
    blueprint.add_url_rule("/in", "inside", lambda: "in")
    own.limit("2 per minute")(blueprint)
    app.register_blueprint(blueprint)
    client = app.test_client()
    assert [client.get("/in").status_code for _ in range(3)] == [200, 200, 429]


def test_the_public_verification_limit_is_counted_once_a_request(app, client):
    app.config["RATELIMIT_PUBLIC"] = "3 per minute"
    codes = [client.get("/api/v1/labels/not-a-label/verification").status_code
             for _ in range(4)]
    assert codes == [422, 422, 422, 429]


def test_the_verification_page_and_json_count_per_route_and_say_when(app, client):
    """`ratelimit.public`: a counter per client and route, the limit read at each request,
    the same 429 as flask-limiter's (a page in a browser, problem+json for the API), with
    Retry-After."""
    app.config["RATELIMIT_PUBLIC"] = "2 per minute"
    page = [client.get("/verify/not-a-label").status_code for _ in range(3)]
    assert page == [404, 404, 429]
    api = [client.get("/api/v1/labels/not-a-label/verification").status_code
           for _ in range(3)]
    assert api == [422, 422, 429]  # its own counter: the page's did not use it up
    refused = client.get("/api/v1/labels/not-a-label/verification")
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    refused_page = client.get("/verify/not-a-label")
    assert refused_page.status_code == 429 and refused_page.mimetype == "text/html"
    assert 1 <= int(refused_page.headers["Retry-After"]) <= 60
    other = app.test_client()  # another address has its own counter
    assert other.get("/verify/not-a-label",
                     environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 404
    app.config["RATELIMIT_PUBLIC"] = "100 per minute"  # read at each request
    assert client.get("/verify/not-a-label").status_code == 404


def test_the_public_routes_are_not_counted_when_the_limiter_is_off(app, client, monkeypatch):
    app.config["RATELIMIT_PUBLIC"] = "1 per minute"
    monkeypatch.setattr(limiter, "enabled", False)
    assert {client.get("/verify/not-a-label").status_code for _ in range(3)} == {404}


def test_the_guard_checks_as_before_where_flask_limiter_renamed_its_places():
    """The guard reads flask-limiter's private attributes; one a later version renamed or
    dropped must mean 'check as flask-limiter would', not a failed request or a limit
    skipped."""
    from types import SimpleNamespace

    from app.ratelimit import _LIMIT_PLACES, could_count

    empty = {name: [] for name in _LIMIT_PLACES}
    assert not could_count(SimpleNamespace(limit_manager=SimpleNamespace(**empty),
                                           _in_memory_fallback=[]))
    for gone in _LIMIT_PLACES:
        renamed = SimpleNamespace(**{k: v for k, v in empty.items() if k != gone})
        assert could_count(SimpleNamespace(limit_manager=renamed, _in_memory_fallback=[]))
    assert could_count(SimpleNamespace(limit_manager=SimpleNamespace(**empty)))
    assert could_count(SimpleNamespace(_in_memory_fallback=[]))
