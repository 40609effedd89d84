"""Label benchmark part 1, issuance (see benchmarks/bench_labels.py, which runs it): approvals
timed sequentially and in parallel processes, then the transparency log checked against every
event it should hold.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from app import clock
from benchmarks.label_helpers import (
    count_rows,
    log_origin,
    make_app,
    node_getter,
)


def approve_all(certifier_id: str, request_ids: list[str]) -> tuple[int, float]:
    """Approve each request in its own transaction; returns (approved, seconds)."""
    from flask import current_app

    from app.persistence import User
    from app.services import certification, transaction
    from app.services.issuer import issuer_from_config

    issuer = issuer_from_config(current_app.config)
    valid_until = clock.today() + timedelta(days=365)
    start = time.perf_counter()
    for request_id in request_ids:
        with transaction() as session:
            certifier = session.get_one(User, certifier_id)
            certification.transition(session, certifier, request_id, "approve",
                                     if_match="*", valid_until=valid_until, issuer=issuer)
    return len(request_ids), time.perf_counter() - start


def parallel_worker(url: str, tmp: str, certifier_id: str, warm: str, ids: list[str],
                    barrier, results, sequencer: str | None = None) -> None:
    """One spawned approver: warms up, waits for the others, times its share."""
    app = make_app(url, Path(tmp), sequencer)
    with app.app_context():
        try:
            approve_all(certifier_id, [warm])
            barrier.wait()
            t0 = time.time()
            done, _ = approve_all(certifier_id, ids)
            results.put((done, t0, time.time(), None))
        except Exception as exc:  # reported by the parent
            barrier.abort()
            results.put((0, 0.0, 0.0, f"{type(exc).__name__}: {exc}"))


def approve_parallel(url: str, tmp: Path, certifier_id: str, request_ids: list[str],
                     workers: int) -> dict[str, Any]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    warm, timed_ids = request_ids[:workers], request_ids[workers:]
    procs = [ctx.Process(target=parallel_worker, args=(
        url, str(tmp), certifier_id, warm[w], timed_ids[w::workers], barrier, results))
        for w in range(workers)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    errors = [o[3] for o in outcomes if o[3]]
    if errors:
        raise RuntimeError(f"parallel approval failed: {errors}")
    done = sum(o[0] for o in outcomes)
    wall = max(o[2] for o in outcomes) - min(o[1] for o in outcomes)
    return {"count": done, "seconds": wall, "per_s": done / wall}


def check_log(samples: int = 50) -> dict[str, Any]:
    """Log size == events, heads signed, stored root == rebuilt root, sampled proofs."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.persistence import Label, LogEntry, SigningKey, TreeHead
    from app.services import transparency_log as tlog
    from app.trust import merkle, signing

    session = db.session
    head = tlog.latest_head(session)
    assert head is not None, "the log has no signed head"
    entries = count_rows(session, select(func.count()).select_from(LogEntry))
    labels = count_rows(session, select(func.count()).select_from(Label))
    superseded = count_rows(session, select(func.count()).select_from(Label).where(
        Label.superseded_by_id.is_not(None)))
    heads = count_rows(session, select(func.count()).select_from(TreeHead))
    assert head.size == entries == labels + superseded == heads, (
        head.size, entries, labels, superseded, heads)
    memory = merkle.MemoryNodeStore()
    for entry in session.scalars(select(LogEntry).order_by(LogEntry.leaf_index)):
        assert entry.leaf_hash == merkle.leaf_hash(entry.entry)
        memory.append(entry.entry)
    get = node_getter(session)
    root = merkle.root_hash(head.size, get)
    assert root == memory.root() == head.root_hash, "stored root differs from rebuilt root"
    keys_by_id = {}
    for th in session.scalars(select(TreeHead)):
        if th.key_id not in keys_by_id:
            keys_by_id[th.key_id] = signing.public_key_from_multibase(
                session.get_one(SigningKey, th.key_id).public_multibase)
        assert tlog.head_is_signed(th, keys_by_id[th.key_id], log_origin()), (
            f"head {th.size} unsigned")
        assert th.root_hash == memory.root(th.size), f"head {th.size} has a wrong root"
    rng = random.Random(1)
    for index in rng.sample(range(head.size), min(samples, head.size)):
        size = rng.randint(index + 1, head.size)
        proof = tlog.inclusion(session, index, size)
        assert merkle.verify_inclusion(proof.leaf_hash, index, size, proof.hashes,
                                       merkle.root_hash(size, get)), (index, size)
    return {"size": head.size, "labels": labels, "supersessions": superseded,
            "proofs_checked": min(samples, head.size)}
