"""Progressive lock-out of password guessing, per account and per client address.

Every wrong password counts against the e-mail it named and the address it came from. The
first few failures are free; after that each further failure locks that account (or address)
for twice as long as the one before, up to a ceiling. A locked attempt is refused before the
password is hashed, so guessing costs us nothing while the lock lasts. A right password
clears the account's count (not the address's: one good login must not launder a botnet's).

Counts live in the rate limiter's storage (memory, or Redis with several workers), so
they are shared the same way the page rate limits are.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from limits.storage import Storage

from app.domain import TooManyRequests
from lca_models.messages import N_


@dataclass(frozen=True)
class ThrottlePolicy:
    free_per_account: int = 5
    free_per_address: int = 20
    first_lock_seconds: int = 30
    max_lock_seconds: int = 3600
    #: how long a failure is remembered (counted from the first of a run)
    memory_seconds: int = 24 * 3600

    @classmethod
    def from_config(cls, config: dict) -> ThrottlePolicy:
        return cls(free_per_account=config["LOGIN_FREE_FAILURES_ACCOUNT"],
                   free_per_address=config["LOGIN_FREE_FAILURES_ADDRESS"],
                   first_lock_seconds=config["LOGIN_LOCK_SECONDS"],
                   max_lock_seconds=config["LOGIN_LOCK_MAX_SECONDS"])

    def lock_seconds(self, failures: int, free: int) -> int:
        """0 while failures <= free, then first_lock doubled per further failure, capped."""
        if failures <= free:
            return 0
        return min(self.max_lock_seconds, self.first_lock_seconds * 2 ** (failures - free - 1))


def _keys(kind: str, value: str) -> tuple[str, str]:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"carbonlabel:login:fail:{kind}:{digest}", f"carbonlabel:login:lock:{kind}:{digest}"


def check(storage: Storage, email: str, address: str) -> None:
    """Refuse (TooManyRequests, with the seconds to wait) while account or address is locked."""
    wait = 0.0
    for kind, value in (("account", email), ("address", address)):
        _, lock = _keys(kind, value)
        if storage.get(lock) > 0:
            wait = max(wait, storage.get_expiry(lock) - time.time())
    if wait > 0:
        raise TooManyRequests(N_("too many failed log-ins; wait before trying again"),
                              retry_after=max(1, math.ceil(wait)))


def failed(storage: Storage, policy: ThrottlePolicy, email: str, address: str) -> None:
    for kind, value, free in (("account", email, policy.free_per_account),
                              ("address", address, policy.free_per_address)):
        count_key, lock = _keys(kind, value)
        count = storage.incr(count_key, policy.memory_seconds)
        seconds = policy.lock_seconds(count, free)
        if seconds:
            storage.clear(lock)
            storage.incr(lock, seconds)


def succeeded(storage: Storage, email: str) -> None:
    count_key, _ = _keys("account", email)
    storage.clear(count_key)
