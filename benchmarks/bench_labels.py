
"""Label benchmarks, run by hand: `python -m benchmarks.bench_labels [--write]`.

Everything runs against a fresh PostgreSQL database (carbonlabel_bench_<random>, created
with the migrations and dropped at the end) and temp instance, key and Brightway folders.

1. Issuance: N requests are brought to in_review through the services (setup, untimed), then
   approved through `certification.transition(..., "approve")`, one transaction each,
   sequentially in this process and with 2 processes in parallel; plus re-certification of
   one product (each approval supersedes the previous label: 2 log entries). Afterwards the
   log size must equal the number of log events, every head must be signed, the stored root
   must equal a root rebuilt from the entries, and sampled inclusion proofs must verify.
   Target: >= 100 labels/s.
2. GET /api/v1/labels/<id>/verification under gunicorn (2 sync workers) against
   GET /api/v1/health on the same server in the same run (alternating rounds), from a small
   thread pool here, plus `verify_label` in process with its SQL statement count.
   Target: verification / trivial >= 0.5.
3. Inclusion proofs at 10^6 log entries: the log is topped up to 10^6 leaves by COPY
   (synthetic entries of kind "benchmark", the perfect-subtree nodes computed in memory with
   `merkle.appended_nodes`, one signed tree head), then `transparency_log.inclusion` is timed
   for random leaves, each proof checked against `merkle.root_hash`; also over HTTP.
   Target: well under 100 ms.

With --write the figures replace the generated block of docs/benchmarks.md (the section is
appended the first time).

This module runs the three parts in order on one database; each lives in its own module
(bench_label_issuance, bench_label_verification, bench_label_proofs), sharing label_helpers,
and label_report writes the docs section.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_label_issuance import approve_all, approve_parallel, check_log
from benchmarks.bench_label_proofs import bench_http_proofs, bench_proofs, fill_log, sign_head
from benchmarks.bench_label_verification import Server, bench_http, bench_inprocess
from benchmarks.docs_section import write_section
from benchmarks.label_helpers import (
    counting_statements,
    machine_baseline,
    make_app,
    prepare_requests,
    scratch_database,
    setup_world,
)
from benchmarks.label_report import END, HEADING, INTRO, MARK, report


def run(args: argparse.Namespace, url: str, tmp: Path) -> dict[str, Any]:
    from sqlalchemy import select

    from app.extensions import db
    from app.persistence import Label
    from app.persistence.migrate import upgrade

    upgrade(url)
    app = make_app(url, tmp)
    results: dict[str, Any] = {"log_size": args.log_size, "threads": args.threads,
                               "machine": machine_baseline()}
    with app.app_context():
        t0 = time.perf_counter()
        world = setup_world(tmp)
        seq_ids = prepare_requests(world, args.labels + 1, tmp / "brightway")
        par_ids = prepare_requests(world, args.labels + 2, tmp / "brightway")
        re_ids = prepare_requests(world, args.recertify + 1, tmp / "brightway",
                                  one_product=True)
        print(f"setup: {len(seq_ids) + len(par_ids) + len(re_ids)} requests in review "
              f"in {time.perf_counter() - t0:.1f} s", flush=True)

        approve_all(world["certifier"], seq_ids[:1])  # warm: imports, key file, caches
        cpu = time.process_time()
        with counting_statements() as statements:
            done, seconds = approve_all(world["certifier"], seq_ids[1:])
        results["sequential"] = {"count": done, "per_s": done / seconds,
                                 "ms": seconds / done * 1e3,
                                 "cpu": (time.process_time() - cpu) / seconds,
                                 "statements": statements[0] / done}
        print(f"sequential: {results['sequential']}", flush=True)
        db.session.remove()
        results["parallel"] = approve_parallel(url, tmp, world["certifier"], par_ids, 2)
        print(f"parallel: {results['parallel']}", flush=True)
        approve_all(world["certifier"], re_ids[:1])
        done, seconds = approve_all(world["certifier"], re_ids[1:])
        results["recertify"] = {"count": done, "per_s": done / seconds}
        print(f"recertify: {results['recertify']}", flush=True)
        results["log"] = check_log()
        print(f"log: {results['log']}", flush=True)
        valid = list(db.session.scalars(select(Label.id).where(
            Label.superseded_by_id.is_(None), Label.revoked_at.is_(None))))
        db.session.remove()
        results["valid"] = valid
        results["inproc"] = bench_inprocess(valid, args.proofs)
        print(f"in process: {results['inproc']}", flush=True)

        # Two servers side by side (the idle one costs nothing): the default per-worker
        # cache, and the cache off, where every request verifies in full.
        server = Server(url, tmp, args.workers)
        reread = Server(url, tmp, args.workers, listen=False)
        cold = Server(url, tmp, args.workers, cache=0)
        try:
            results["http"] = bench_http(server, valid, args.requests, args.threads,
                                         args.warm)
            print(f"http: {results['http']}", flush=True)
            results["http_reread"] = bench_http(reread, valid, args.requests // 2,
                                                args.threads, args.warm)
            print(f"http, listener off: {results['http_reread']}", flush=True)
            results["http_first"] = bench_http(cold, valid, args.requests // 2, args.threads,
                                               0)
            print(f"http, cache off: {results['http_first']}", flush=True)
            fill = fill_log(url, args.log_size, valid[0])
            results["fill"] = fill
            print(f"fill: {fill['added']} leaves in {fill['seconds']:.1f} s", flush=True)
            sign_head(args.log_size, fill["root"])
            results["proofs"] = bench_proofs(args.log_size, fill["root"], args.proofs)
            print(f"proofs: {results['proofs']}", flush=True)
            db.session.remove()
            results["http_proofs"] = bench_http_proofs(server, args.log_size, fill["root"],
                                                       args.proofs)
            print(f"http proofs: {results['http_proofs']}", flush=True)
            results["http_after"] = bench_http(server, valid, args.requests // 2,
                                               args.threads, args.warm)
            print(f"http at {args.log_size}: {results['http_after']}", flush=True)
            results["http_reread_after"] = bench_http(reread, valid, args.requests // 2,
                                                      args.threads, args.warm)
            print(f"http at {args.log_size}, listener off: {results['http_reread_after']}",
                  flush=True)
            results["http_first_after"] = bench_http(cold, valid, args.requests // 2,
                                                     args.threads, 0)
            print(f"http at {args.log_size}, cache off: {results['http_first_after']}",
                  flush=True)
            results["inproc_after"] = bench_inprocess(valid, args.proofs)
            print(f"in process at {args.log_size}: {results['inproc_after']}", flush=True)
        finally:
            server.stop()
            reread.stop()
            cold.stop()
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--labels", type=int, default=300, help="labels per issuance run")
    parser.add_argument("--recertify", type=int, default=100)
    parser.add_argument("--requests", type=int, default=2000, help="HTTP requests per endpoint")
    parser.add_argument("--threads", type=int, default=4, help="HTTP client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--warm", type=int, default=12,
                        help="warm-up: verify every label this many times before timing")
    parser.add_argument("--log-size", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=200)
    args = parser.parse_args()

    load = os.getloadavg()[0]
    with scratch_database("bench-labels") as (url, tmp):
        results = run(args, url, tmp)
    results["load"] = (load, os.getloadavg()[0])
    text_ = report(results)
    print(text_)
    if args.write:
        write_section(MARK, END, text_, HEADING, INTRO.rstrip("\n"))


if __name__ == "__main__":
    main()
