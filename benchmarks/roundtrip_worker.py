"""The Celery app the round-trip benchmark's worker loads (`celery -A
benchmarks.roundtrip_worker worker`): the service's own, plus a result backend."""

from __future__ import annotations

from benchmarks.bench_queue import celery_app

celery = celery_app()
