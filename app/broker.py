"""The embedded broker: kombu's SQLAlchemy transport on a SQLite file, polling faster.

kombu's virtual transports look for a message, and sleep `polling_interval` seconds (1 s by
default) when there is none, so on the embedded broker every job started up to a second late
(docs/benchmarks.md). The interval is a transport option, but kombu's SQLAlchemy channel
hands every transport option to `create_engine`, which refuses `polling_interval`; this
channel leaves it out of the engine's options, so the option can be set.

An idle poll is one short read of the SQLite file per queue; a publisher waits on SQLite's
lock for at most the driver's timeout (5 s), never fails because a worker polls. Redis does
not poll (it blocks on the server), so this concerns only the embedded default.
"""

from __future__ import annotations

from typing import Any

from kombu.transport.sqlalchemy import Channel as _Channel
from kombu.transport.sqlalchemy import Transport as _Transport

#: Options kombu reads itself and must not reach `create_engine` (kombu's own list, plus
#: `polling_interval`, which it forgets).
NOT_ENGINE_OPTIONS = frozenset({
    "queue_tablename", "message_tablename", "callback", "errback", "max_retries",
    "interval_start", "interval_step", "interval_max", "retry_errors", "polling_interval"})

#: The URL scheme this transport replaces (`sqla+sqlite:///...`).
PREFIX = "sqla+"


class Channel(_Channel):
    def _engine_from_config(self) -> Any:
        from sqlalchemy import create_engine

        client: Any = self.connection.client  # a kombu Connection (typed Optional)
        options = {k: v for k, v in client.transport_options.items()
                   if k not in NOT_ENGINE_OPTIONS}
        return create_engine(client.hostname, **options)


class Transport(_Transport):
    Channel = Channel


def embedded(url: str) -> str | None:
    """The database URL of an embedded-broker URL, or None for another broker."""
    return url[len(PREFIX):] if url.startswith(PREFIX) else None
