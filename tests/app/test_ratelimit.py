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
