"""Knowing, without a query, that nothing a verification reads has changed since.

On PostgreSQL a trigger on every table a verification reads sends a NOTIFY at commit
(migration 0008). Each process listens on a connection of its own, in a daemon thread, and
counts what it hears: the count (`token`) moves on every committed change, whichever process,
CLI or psql made it. A verification cached under a token may be served again, with no query,
while the token is unchanged; otherwise the label's state is read as before.

What this trades: a change committed elsewhere reaches a worker when PostgreSQL delivers the
notification (milliseconds on one host), not before its next query. While the listener is not
connected, or its last round trip is older than `STALE_AFTER_S` (a connection that died
without a reset), `token()` is None and every verification reads the database again; a
reconnection counts as a change, since notifications may have been missed while it was down.
"""

from __future__ import annotations

import logging
import os
import threading
import time

CHANNEL = "carbonlabel_verification"
HEARTBEAT_S = 1.0  # the listener proves its connection alive this often
STALE_AFTER_S = 3.0  # ...and is not trusted once its last proof is older than this
RETRY_S = 1.0
APPLICATION_NAME = "carbonlabel-change-feed"  # how an operator spots it in pg_stat_activity

log = logging.getLogger(__name__)


class ChangeFeed:
    """One listener per process (started on first use, again after a fork or a stop)."""

    def __init__(self, conninfo: str):
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._generation = 0
        self._confirmed: float | None = None  # monotonic time of the last live round trip
        self._pid: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def token(self) -> int | None:
        """The change count, or None when this process cannot be sure it hears every change
        (not listening yet, connection lost or silent)."""
        if not self._running():
            self._start()
            return None
        confirmed = self._confirmed
        if confirmed is None or time.monotonic() - confirmed > STALE_AFTER_S:
            return None
        return self._generation

    def wait_for_token(self, timeout: float, unlike: int | None = None) -> int | None:
        """The token once this process listens and it differs from `unlike` (None after
        `timeout` seconds): for benchmarks and tests, which must know the feed is live."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.token()
            if current is not None and current != unlike:
                return current
            time.sleep(0.005)
        return None

    def wait_for_change(self, token: int | None, timeout: float) -> bool:
        """Whether the token moved away from `token` within `timeout` seconds."""
        return self.wait_for_token(timeout, unlike=token) is not None

    def stop(self) -> None:
        """Ask the listener to close (within HEARTBEAT_S); `token` starts a new one if asked."""
        self._stop.set()
        self._confirmed = None
        self._changed()

    def _changed(self) -> None:
        with self._lock:
            self._generation += 1

    def _running(self) -> bool:
        """This process's listener thread is alive (a forked child has none of its own)."""
        thread = self._thread
        return self._pid == os.getpid() and thread is not None and thread.is_alive()

    def _start(self) -> None:
        with self._lock:
            if self._running() and not self._stop.is_set():
                return
            # A forked child has the parent's object but not its thread, nor may it use the
            # parent's connection: it listens afresh, and nothing cached before counts.
            self._pid, self._confirmed = os.getpid(), None
            self._generation += 1
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,), daemon=True,
                                            name="carbonlabel-change-feed")
            self._thread.start()

    def _run(self, stop: threading.Event) -> None:
        import psycopg

        while not stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5,
                                     application_name=APPLICATION_NAME) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._changed()  # whatever committed before LISTEN was not heard
                    while not stop.is_set():
                        self._confirm(stop, time.monotonic())
                        for _ in connection.notifies(timeout=HEARTBEAT_S):
                            self._changed()
                        connection.execute("SELECT 1")
            except Exception as exc:  # any failure: stop trusting, say why, retry
                log.warning("verification change feed lost its connection (%s); "
                            "verifications read the database until it is back", exc)
            finally:
                self._confirm(stop, None)
                self._changed()
            stop.wait(RETRY_S)

    def _confirm(self, stop: threading.Event, when: float | None) -> None:
        """Only the current listener speaks for the process (a stopped one may still be
        finishing its last wait)."""
        with self._lock:
            if stop is self._stop:
                self._confirmed = None if stop.is_set() else when


def conninfo(url) -> str:
    """A libpq URI for psycopg from the engine's SQLAlchemy URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
