"""Real worker processes for the queue tests: `python -m app.cli worker` in its own process
group, on the test's database and a broker of the test's choosing."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("CARBONLABEL_TEST_REDIS", "redis://127.0.0.1:6379/13")


def use_broker(app, url: str, **config) -> None:
    """Switch a test app from eager tasks to a real broker."""
    from app import queue

    app.config.update({"TASKS_EAGER": False, "BROKER_URL": url, **config})
    queue.init_app(app)


def redis_reachable(url: str = REDIS_URL) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def start_worker(app, log: Path, *, pool: str = "solo", concurrency: int = 1,
                 visibility_timeout: int = 4) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "BRIGHTWAY_DIR": str(app.config["BRIGHTWAY_DIR"]),
           "CARBONLABEL_INSTANCE": str(app.config["INSTANCE_DIR"]),
           "CARBONLABEL_SECRET_KEY": app.config["SECRET_KEY"],
           "CARBONLABEL_KEYS_DIR": str(app.config["KEYS_DIR"]),
           "CARBONLABEL_PUBLIC_URL": app.config["PUBLIC_URL"],
           "CARBONLABEL_BROKER_URL": app.config["BROKER_URL"],
           "CARBONLABEL_BROKER_KEY_PREFIX": app.config.get("BROKER_KEY_PREFIX", ""),
           "CARBONLABEL_BROKER_VISIBILITY_TIMEOUT": str(visibility_timeout)}
    env.pop("CARBONLABEL_TASKS_EAGER", None)
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--pool", pool, "-c",
             str(concurrency), "--loglevel", "INFO"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the worker's whole process group (the main process and its pool)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_for(condition: Callable[[], object], timeout: float, what: str,
             log: Path | None = None) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
