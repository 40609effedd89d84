"""Where a bulk approval's CPU goes, run by hand:
`python -m benchmarks.profile_bulk_approval [--rounds N] [--bulk 50] [--profile FILE]`
(needs a local PostgreSQL, like bench_sequencer). In one scratch database, bulk approvals of
`--bulk` requests in review (batched log sequencing, no sequencer running: the pending
entries stay queued) are timed in process CPU time, alternating `approve_many` with the
per-request path it replaced (`certification.approve_each`: `transition(..., "approve")`
for each request in product order, what approve_many ran before) in the same process, so
the machine's other load hits both alike. `--profile` writes a cProfile (process CPU time)
of one approve_many call. CPU a label counts the whole transaction, its commit included (as
bench_sequencer does)."""

from __future__ import annotations

import argparse
import cProfile
import statistics
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.label_helpers import make_app, prepare_requests, scratch_database, setup_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="pairs (old, new) timed")
    parser.add_argument("--bulk", type=int, default=50)
    parser.add_argument("--profile", type=Path, help="cProfile output of one approve_many")
    parser.add_argument("--profile-old", type=Path, help="cProfile of the per-request path")
    args = parser.parse_args()
    from flask import current_app

    from app import clock
    from app.persistence import User
    from app.persistence.migrate import upgrade
    from app.services import certification, transaction
    from app.services.issuer import issuer_from_config

    with scratch_database("profile-bulk") as (url, tmp):
        upgrade(url)
        app = make_app(url, tmp, "batched")
        with app.app_context():
            world = setup_world(tmp)
            chunks = 2 + 2 * args.rounds + bool(args.profile) + bool(args.profile_old)
            t0 = time.perf_counter()
            ids = prepare_requests(world, chunks * args.bulk, tmp / "brightway")
            print(f"setup: {len(ids)} requests in {time.perf_counter() - t0:.0f} s")
            parts = [ids[i:i + args.bulk] for i in range(0, len(ids), args.bulk)]
            issuer = issuer_from_config(current_app.config)
            valid_until = clock.today() + timedelta(days=365)

            def run(how, chunk, profile=None) -> float:
                c0 = time.process_time()
                with transaction() as session:
                    user = session.get_one(User, world["certifier"])
                    if profile is not None:
                        profile.enable()
                    how(session, user, [(i, "*") for i in chunk], valid_until=valid_until,
                        issuer=issuer)
                    if profile is not None:
                        profile.disable()
                return time.process_time() - c0  # the commit included

            run(certification.approve_each, parts.pop())  # warm both paths
            run(certification.approve_many, parts.pop())
            old, new = [], []
            for _ in range(args.rounds):
                old.append(run(certification.approve_each, parts.pop()) * 1000 / args.bulk)
                new.append(run(certification.approve_many, parts.pop()) * 1000 / args.bulk)
            print(f"CPU a label, per-request path: {[f'{x:.2f}' for x in old]} ms, "
                  f"median {statistics.median(old):.2f}")
            print(f"CPU a label, approve_many:     {[f'{x:.2f}' for x in new]} ms, "
                  f"median {statistics.median(new):.2f}")
            for path, how in ((args.profile, certification.approve_many),
                              (args.profile_old, certification.approve_each)):
                if path:
                    profile = cProfile.Profile(time.process_time)
                    run(how, parts.pop(), profile)
                    profile.dump_stats(str(path))
            from app.extensions import db
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
