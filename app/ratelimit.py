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

import heapq
import threading
import time

from limits.storage import Storage

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
