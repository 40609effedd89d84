"""Label benchmark part 2, verification (see benchmarks/bench_labels.py, which runs it): the
public verification endpoint under gunicorn against a trivial endpoint on the same server, and
`verify_label` in process with its statement count.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.label_helpers import (
    PUBLIC_URL,
    REPO,
    counting_statements,
    free_port,
)


class Server:
    """gunicorn with `workers` sync workers on a high port; stopped by its own pid."""

    def __init__(self, url: str, tmp: Path, workers: int, cache: int = 10_000,
                 listen: bool = True):
        self.port, self.workers, self.cache = free_port(), workers, cache
        self.log = (tmp / f"gunicorn-{self.port}.log").open("wb")
        env = {**os.environ, "DATABASE_URL": url.replace("+psycopg", ""),
               "CARBONLABEL_INSTANCE": str(tmp / "instance"),
               "CARBONLABEL_KEYS_DIR": str(tmp / "keys"),
               "CARBONLABEL_PUBLIC_URL": PUBLIC_URL,
               "CARBONLABEL_SECRET_KEY": "bench-secret",
               "CARBONLABEL_RATELIMIT_PUBLIC": "1000000 per minute",
               "CARBONLABEL_VERIFICATION_CACHE": str(cache),
               "CARBONLABEL_VERIFICATION_LISTEN": "1" if listen else "0",
               "BRIGHTWAY_DIR": str(tmp / "brightway")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync",
             "-b", f"127.0.0.1:{self.port}", "app.wsgi:application"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = self.get("/api/v1/health")
                if status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {tmp / 'gunicorn.log'}")
            time.sleep(0.2)

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def drive(port: int, paths: list[str], threads: int, check) -> dict[str, Any]:
    """GET every path once from `threads` client threads; every response is checked."""
    chunks = [paths[t::threads] for t in range(threads)]
    failures: list[str] = []

    def run(chunk: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path in chunk:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or not check(body):
                failures.append(f"{path}: {response.status} {body[:200]!r}")
        conn.close()

    workers = [threading.Thread(target=run, args=(c,)) for c in chunks]
    cpu0, start = time.process_time(), time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    if failures:
        raise RuntimeError(f"{len(failures)} bad responses, e.g. {failures[0]}")
    return {"count": len(paths), "seconds": wall, "cpu": cpu, "per_s": len(paths) / wall}


def is_valid(body: bytes) -> bool:
    data = json.loads(body)
    return data["status"] == "valid" and all(data["checks"].values())


def bench_http(server: Server, label_ids: list[str], count: int, threads: int,
               warm_rounds: int, rounds: int = 4) -> dict[str, Any]:
    """Both endpoints in alternating rounds, so that other load on the machine hits both.

    Warm-up: every label `warm_rounds` times (in random order; each request lands on
    whichever worker accepts it first, so with a cache most labels are then known to every
    worker), or 100 requests when `warm_rounds` is 0.
    """
    rng = random.Random(2)
    verify = [f"/api/v1/labels/{rng.choice(label_ids)}/verification" for _ in range(count)]
    health = ["/api/v1/health"] * count
    warm = [f"/api/v1/labels/{label}/verification" for label in label_ids] * warm_rounds
    rng.shuffle(warm)
    start = time.perf_counter()
    drive(server.port, warm or verify[:100], threads, is_valid)
    warm_seconds = time.perf_counter() - start
    drive(server.port, health[:100], threads, is_ok)
    runs: dict[str, list[dict[str, Any]]] = {"trivial": [], "verification": []}
    for r in range(rounds):
        runs["trivial"].append(drive(server.port, health[r::rounds], threads, is_ok))
        runs["verification"].append(drive(server.port, verify[r::rounds], threads, is_valid))
    out: dict[str, Any] = {}
    for name, parts in runs.items():
        seconds = sum(p["seconds"] for p in parts)
        out[name] = {"count": sum(p["count"] for p in parts),
                     "per_s": sum(p["count"] for p in parts) / seconds,
                     "client_cpu": sum(p["cpu"] for p in parts) / seconds,
                     "rounds": [round(p["per_s"]) for p in parts]}
    out["ratio"] = out["verification"]["per_s"] / out["trivial"]["per_s"]
    out["warm"] = {"requests": len(warm), "seconds": warm_seconds}
    out["workers"], out["cache"] = server.workers, server.cache
    return out


def is_ok(body: bytes) -> bool:
    return json.loads(body)["status"] == "ok"


def bench_inprocess(label_ids: list[str], samples: int) -> dict[str, Any]:
    """Where a verification's time goes, without HTTP: medians and statement counts."""
    from flask import current_app

    from app.extensions import db
    from app.services import labels, verification
    from app.services.issuer import issuer_from_config
    from app.web import http_cache

    issuer = issuer_from_config(current_app.config)

    def measure(func) -> dict[str, float]:
        times, used = [], []
        for i in range(samples):
            db.session.remove()
            before, start = queries[0], time.perf_counter()
            func(i)
            times.append(time.perf_counter() - start)
            used.append(queries[0] - before)
        return {"ms": statistics.median(times) * 1e3, "queries": statistics.median(used)}

    first, repeat = verification.VerificationCache(0), verification.VerificationCache()
    heard = http_cache.cache_for(current_app)  # with the app's change feed
    if heard.feed is None or heard.feed.wait_for_token(30) is None:
        raise RuntimeError("the verification change feed did not start listening")
    for label_id in label_ids[:samples]:
        for cache in (repeat, heard):
            verification.verify_label(db.session, label_id, issuer, cache=cache)
        db.session.remove()
    with counting_statements() as queries:
        try:
            return {
                "verify": measure(lambda i: verification.verify_label(
                    db.session, label_ids[i % len(label_ids)], issuer)),
                "first": measure(lambda i: verification.verify_label(
                    db.session, label_ids[i % len(label_ids)], issuer, cache=first)),
                "repeat": measure(lambda i: verification.verify_label(
                    db.session, label_ids[i % len(label_ids)], issuer, cache=repeat)),
                "unread": measure(lambda i: verification.verify_label(
                    db.session, label_ids[i % len(label_ids)], issuer, cache=heard)),
                "status_list": measure(
                    lambda i: labels.status_list_credential(db.session, issuer)),
            }
        finally:
            db.session.remove()
