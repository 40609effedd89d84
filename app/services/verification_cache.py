"""The per-process cache of verification answers (app/services/verification.py says what
makes an answer reusable), and the PostgreSQL change feed it may trust instead of reading."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, event

from app.services.change_feed import ChangeFeed, conninfo

if TYPE_CHECKING:
    from app.services.verification import Verification

T = TypeVar("T")


class VerificationCache:
    """Results per label, each kept with a digest of the exact `State` it was computed from,
    the change feed's token when that state was read, and the day (bounded, least recently
    used first out). Per process: each gunicorn worker has its own."""

    def __init__(self, max_entries: int = 10_000, feed: ChangeFeed | None = None,
                 max_derived_bytes: int = 32 << 20):
        self.max_entries = max_entries
        self.max_derived_bytes = max_derived_bytes
        self.feed = feed
        # what callers derive from an answer (rendered responses), under the answer's version
        self._derived: OrderedDict[tuple[Any, ...], tuple[bytes, Any, int]] = OrderedDict()
        self._derived_bytes = 0
        self.derived_hits = self.derived_misses = 0
        self._entries: OrderedDict[str, tuple[bytes, Verification, int | None, date | None]] = (
            OrderedDict())
        self._shared: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()  # threaded servers (and tests) share one app
        self.hits = self.misses = self.unread = 0  # unread: hits served with no query

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A check every label shares (the key list, the status list's signature, the head's
        signature), computed once per exact input: `key` holds the whole input, not a
        version number, so an edited list or head is a different key."""
        with self._lock:
            if key in self._shared:
                self._shared.move_to_end(key)
                return self._shared[key]
        value = compute()
        with self._lock:
            self._shared[key] = value
            while len(self._shared) > 64:
                self._shared.popitem(last=False)
        return value

    def token(self) -> int | None:
        """Taken *before* the state is read: a change committed after the read moves it."""
        return self.feed.token() if self.feed is not None else None

    def unchanged(self, label_id: str, token: int | None, today: date, count: bool = True
                  ) -> tuple[Verification, bytes] | None:
        """The answer computed today under `token`, when the feed says nothing changed since,
        and the digest it was computed from. `count=False`: a look that may not be used
        (the caller counts it with `served_unread` if it is)."""
        if token is None:
            return None
        with self._lock:
            found = self._entries.get(label_id)
            if found is None or found[2] != token or found[3] != today:
                return None
            self._entries.move_to_end(label_id)
            if count:
                self.hits += 1
                self.unread += 1
            return found[1], found[0]

    def served_unread(self) -> None:
        with self._lock:
            self.hits += 1
            self.unread += 1

    def get(self, key: tuple[str, bytes], token: int | None = None,
            today: date | None = None) -> Verification | None:
        """The answer for an equal state; it is then current as of `token` too."""
        with self._lock:
            found = self._entries.get(key[0])
            if found is None or found[0] != key[1]:
                self.misses += 1
                return None
            self._entries[key[0]] = (found[0], found[1], token, today)
            self._entries.move_to_end(key[0])
            self.hits += 1
            return found[1]

    def put(self, key: tuple[str, bytes], result: Verification, token: int | None = None,
            today: date | None = None) -> None:
        with self._lock:
            self._entries[key[0]] = (key[1], result, token, today)
            self._entries.move_to_end(key[0])
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


    def derived(self, key: tuple[Any, ...], version: bytes) -> Any:
        """What `keep` stored under `key` for this `version` of the answer (the digest
        `verification.verify_versioned` returns), or None: a value kept for another version
        (the label changed, or the day) is never returned."""
        with self._lock:
            found = self._derived.get(key)
            if found is None or found[0] != version:
                self.derived_misses += 1
                return None
            self._derived.move_to_end(key)
            self.derived_hits += 1
            return found[1]

    def keep(self, key: tuple[Any, ...], version: bytes, value: Any, size: int) -> None:
        """Keep `value` (about `size` bytes) for `version`; the least recently used go first
        once the kept values pass `max_derived_bytes` (a value larger than that is not
        kept)."""
        if size > self.max_derived_bytes:
            return
        with self._lock:
            old = self._derived.pop(key, None)
            if old is not None:
                self._derived_bytes -= old[2]
            self._derived[key] = (version, value, size)
            self._derived_bytes += size
            while self._derived_bytes > self.max_derived_bytes:
                _, (_, _, dropped) = self._derived.popitem(last=False)
                self._derived_bytes -= dropped


def feed_for(engine: Engine, size: int, listen: bool) -> ChangeFeed | None:
    """A change feed for the cache on PostgreSQL (when `listen` and the cache holds
    anything), stopped when the engine is disposed; None elsewhere."""
    if size <= 0 or not listen or engine.dialect.name != "postgresql":
        return None
    feed = ChangeFeed(conninfo(engine.url))
    event.listen(engine, "engine_disposed", lambda _engine: feed.stop())
    return feed
