"""Rate-limit storage: fixed-window counters whose work per request is constant.

flask-limiter's recommended strategy is the fixed window (one counter per client and limit,
reset when its window ends). The `limits` library's own in-memory storage expires counters
from a `threading.Timer`, and starts a new timer thread whenever the last one has finished,
which on a service answering slower than every 10 ms is nearly every request. This storage
expires lazily instead: a counter past its window reads as 0, and each increment first drops
the counters whose windows have ended, oldest first, from a heap (each counter is pushed
once and popped once, so the work per request is constant on average and memory holds only
live windows). No thread is ever started.

Which storage: `CARBONLABEL_RATELIMIT_STORAGE` (e.g. `redis://127.0.0.1:6379/0`, shared by
every worker) when set; otherwise this one, per worker process (`window-memory://`; the
library's `memory://` is mapped to it too).
"""

from __future__ import annotations

import functools
import heapq
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from limits import RateLimitItem, parse_many
from limits.storage import Storage
from werkzeug.exceptions import TooManyRequests

if TYPE_CHECKING:
    from flask import Flask
    from flask_limiter import Limiter

P = ParamSpec("P")
R = TypeVar("R")
SCHEME = "window-memory"
MEMORY_URI = f"{SCHEME}://"


def storage_uri(configured: str | None) -> str:
    """The URI flask-limiter gets: the configured one, with in-memory storage meaning ours."""
    if not configured or configured.split("://", 1)[0] == "memory":
        return MEMORY_URI
    return configured


class WindowMemoryStorage(Storage):
    """Fixed-window counters in this process, expired lazily (see the module's docstring).
    Only the fixed-window strategy is supported (it needs nothing more)."""

    # limits declares it without ClassVar; the registry reads it from the class
    STORAGE_SCHEME: list[str] | None = [SCHEME]  # noqa: RUF012
    now = staticmethod(time.time)  # wall time, as the limiter's reset headers are

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._counts: dict[str, int] = {}
        self._ends: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def _expire(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            end, key = heapq.heappop(heap)
            if self._ends.get(key) == end:  # not a counter restarted since
                del self._ends[key], self._counts[key]

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self._lock:
            now = self.now()
            self._expire(now)
            if key not in self._counts:
                end = now + expiry
                self._counts[key], self._ends[key] = 0, end
                heapq.heappush(self._heap, (end, key))
            self._counts[key] += amount
            return self._counts[key]

    def get(self, key: str) -> int:
        with self._lock:
            if self._ends.get(key, 0) <= self.now():
                return 0
            return self._counts[key]

    def get_expiry(self, key: str) -> float:
        with self._lock:
            end = self._ends.get(key, 0)
            now = self.now()
            return end if end > now else now

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            count = len(self._counts)
            self._counts.clear()
            self._ends.clear()
            self._heap.clear()
            return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)
            self._ends.pop(key, None)  # its heap entry no longer matches and is skipped

    def __len__(self) -> int:
        """Live counters (for tests and curiosity)."""
        return len(self._counts)


def check_only_what_applies(app: Flask, limiter: Limiter) -> None:
    """flask-limiter checks every request twice: in `before_request` for the application,
    default and blueprint limits, and again in each decorated route for the route's own.
    This service declares only route limits (`@limiter.limit`), so the first check finds
    nothing to count, yet resolving that cost about a quarter of what /api/v1/health cost
    in all (benchmarks/bench_verification_paths.py). Its before_request hook is replaced by
    one that runs it only while an application, default or blueprint limit, an endpoint
    hint (a limit on a callable that is not a view) or an in-memory fallback exists, i.e.
    whenever it could count anything; a route's own limit is checked by its decorator as
    before (tests/app/test_ratelimit.py checks both)."""
    funcs = app.before_request_funcs.setdefault(None, [])
    original = getattr(limiter, "_check_request_limit", None)
    if original is None or original not in funcs:
        return  # another flask-limiter: its hook is left as it is

    def check_request_limit() -> None:
        if could_count(limiter):
            original()

    funcs[funcs.index(original)] = check_request_limit


#: Where flask-limiter 3.5-4.x keeps what its before_request hook counts (private names).
_LIMIT_PLACES = ("_application_limits", "_default_limits", "_blueprint_limits",
                 "_endpoint_hints")


def could_count(limiter: Limiter) -> bool:
    """Whether flask-limiter's before_request check could count anything: an application,
    default or blueprint limit, an endpoint hint or an in-memory fallback exists. The names
    are private: one a later version renamed or dropped answers yes, so the check runs as
    flask-limiter meant rather than a request failing or a limit going uncounted."""
    manager = getattr(limiter, "limit_manager", None)
    return (manager is None or any(getattr(manager, name, True) for name in _LIMIT_PLACES)
            or bool(getattr(limiter, "_in_memory_fallback", True)))


def public(view: Callable[P, R]) -> Callable[P, R]:
    """`@limiter.limit(RATELIMIT_PUBLIC)` for the public routes a QR scan hits (the label's
    verification page and JSON), counted straight in the limiter's storage and strategy:
    one fixed-window counter per client address and route, the limit read from the config
    at each request like flask-limiter's callable limits, off when the limiter is
    (RATELIMIT_ENABLED). The same 429 as every other limit (problem+json, or the error page
    in a browser, with Retry-After). flask-limiter's own decorator resolves the route's
    limits, exemptions and defaults afresh on every request, which cost more than the rest
    of a cached verification together (benchmarks/bench_verification_paths.py)."""
    scope = f"{view.__module__}.{view.__qualname__}"

    @functools.wraps(view)
    def limited(*args: P.args, **kwargs: P.kwargs) -> R:
        from flask import current_app
        from flask_limiter.util import get_remote_address

        from app.extensions import limiter

        if limiter.enabled:
            strategy, client = limiter.limiter, get_remote_address()
            for item in _parsed(current_app.config["RATELIMIT_PUBLIC"]):
                if not strategy.hit(item, "public", client, scope):
                    reset = strategy.get_window_stats(item, "public", client, scope).reset_time
                    raise TooManyRequests(f"{item}",
                                          retry_after=max(1, math.ceil(reset - time.time())))
        return view(*args, **kwargs)

    return limited


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(text))
