"""Label benchmark part 3, log proofs at 10^6 leaves (see benchmarks/bench_labels.py, which runs
it): the log topped up by COPY, one signed head, and inclusion proofs timed in process and over
HTTP, each one verified.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks.bench_label_verification import Server
from benchmarks.label_helpers import (
    counting_statements,
    log_origin,
    node_getter,
    pct,
)


def fill_log(url: str, target: int, label_id: str) -> dict[str, Any]:
    """Top the log up to `target` leaves with COPY; nodes from a frontier kept in memory."""
    import psycopg

    from app.trust import merkle

    frontier: dict[int, tuple[int, bytes]] = {}  # level -> (index, hash) of the newest node

    def get(level: int, index: int) -> bytes:
        got = frontier.get(level)
        if got is None or got[0] != index:
            raise LookupError(f"node ({level}, {index}) is not on the frontier")
        return got[1]

    start = time.perf_counter()
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        for level, index, digest in conn.execute(
                "SELECT level, node_index, hash FROM log_nodes ORDER BY level, node_index"):
            frontier[level] = (index, bytes(digest))
        row = conn.execute("SELECT max(size) FROM tree_heads").fetchone()
        size = (row[0] if row else None) or 0
        at = datetime.now(UTC).replace(microsecond=0)
        stamp = at.isoformat().replace("+00:00", "Z")
        prefix = '{"at":"' + stamp + '","credential_sha256":"' + "0" * 64 + '","index":'
        suffix = ',"kind":"benchmark","label_id":"' + label_id + '"}'
        chunk = 100_000
        for first in range(size, target, chunk):
            nodes = []
            with conn.cursor() as cur, cur.copy(
                    "COPY log_entries (leaf_index, kind, label_id, entry, leaf_hash, created_at)"
                    " FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "text", "text", "bytea", "bytea", "timestamptz"])
                for i in range(first, min(target, first + chunk)):
                    entry = f"{prefix}{i}{suffix}".encode()
                    appended = merkle.appended_nodes(i, entry, get)
                    for level, index, digest in appended:
                        frontier[level] = (index, digest)
                    nodes.extend(appended)
                    copy.write_row((i, "benchmark", label_id, entry, appended[0][2], at))
            with conn.cursor() as cur, cur.copy(
                    "COPY log_nodes (level, node_index, hash) FROM STDIN (FORMAT BINARY)"
                    ) as copy:
                copy.set_types(["int4", "int8", "bytea"])
                for row in nodes:
                    copy.write_row(row)
            conn.commit()
        conn.execute("ANALYZE log_entries")
        conn.execute("ANALYZE log_nodes")
        conn.commit()
    return {"added": target - size, "seconds": time.perf_counter() - start,
            "root": merkle.root_hash(target, get)}


def sign_head(size: int, root: bytes) -> None:
    from flask import current_app

    from app.extensions import db
    from app.persistence.types import utcnow
    from app.services import keys, transaction
    from app.services import transparency_log as tlog

    with transaction() as session:
        key = keys.active_key(session)
        assert key is not None, "no active signing key"
        private = keys.load_private(current_app.config["KEYS_DIR"], key)
        tlog.lock(session)
        session.add(tlog.sign_head(size, root, utcnow(), key, private, log_origin()))
    db.session.remove()


def bench_proofs(size: int, root: bytes, samples: int) -> dict[str, Any]:
    from app.extensions import db
    from app.services import transparency_log as tlog
    from app.trust import merkle

    session = db.session
    stored_root = merkle.root_hash(size, node_getter(session))
    head = tlog.latest_head(session)
    assert head is not None, "the log has no signed head"
    assert stored_root == root == head.root_hash, "roots differ"
    rng = random.Random(3)
    indices = [*rng.sample(range(size), samples - 2), 0, size - 1]
    times, per_proof, lengths = [], [], []
    with counting_statements() as queries:
        for index in indices:
            session.expunge_all()
            before = queries[0]
            start = time.perf_counter()
            proof = tlog.inclusion(session, index, size)
            times.append(time.perf_counter() - start)
            per_proof.append(queries[0] - before)
            lengths.append(len(proof.hashes))
            assert merkle.verify_inclusion(proof.leaf_hash, index, size, proof.hashes,
                                           stored_root), index
    return {"count": len(indices), "median_ms": statistics.median(times) * 1e3,
            "p95_ms": pct(times, 0.95) * 1e3, "max_ms": max(times) * 1e3,
            "queries": statistics.median(per_proof),
            "hashes": statistics.median(lengths)}


def bench_http_proofs(server: Server, size: int, root: bytes, samples: int
                      ) -> dict[str, Any]:
    from app.trust import merkle

    rng = random.Random(4)
    times = []
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    for index in rng.sample(range(size), samples):
        start = time.perf_counter()
        conn.request("GET", f"/log/proof/inclusion?leaf_index={index}&tree_size={size}")
        response = conn.getresponse()
        body = response.read()
        times.append(time.perf_counter() - start)
        assert response.status == 200, body
        data = json.loads(body)
        assert merkle.verify_inclusion(bytes.fromhex(data["leaf_hash"]), index, size,
                                       [bytes.fromhex(h) for h in data["audit_path"]], root)
    conn.close()
    return {"count": samples, "median_ms": statistics.median(times) * 1e3,
            "p95_ms": pct(times, 0.95) * 1e3}
