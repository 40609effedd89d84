"""The one wall clock of the service: aware UTC instants and UTC dates.

Every stored or signed time and every validity comparison reads this clock, never the
server's local time (`date.today()` is the server's zone: on a host at UTC+8 it is tomorrow
for eight hours of every UTC day). The Flask app holds one clock (config `CLOCK`, default
the system clock) and makes it current for each of its application contexts; code outside
an app (the CLI's offline verifier, lca_models callers) gets the system clock. Tests fix or
move a clock with `FixedClock` and `using()`.

Services read it through `now()` / `today()` rather than an argument so that their
signatures, shared with many callers, stay as they are; the clock is still one object the
app injects, and this module imports nothing of Flask.

Validity convention (labels and credentials): `validFrom` is the issuance instant and
`validUntil` is 23:59:59Z of the chosen last day, both in UTC; a credential is valid while
`validFrom <= now <= validUntil`, compared at whole seconds, so it is valid for the whole
UTC day of `valid_until` and expired from 00:00:00Z of the next day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """The current UTC date."""
        ...


class SystemClock:
    """The machine's clock, read as UTC whatever the process's TZ says."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until moved: for tests of issuance, expiry and day edges."""

    def __init__(self, at: datetime) -> None:
        self.set(at)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)

    def now(self) -> datetime:
        return self._at

    def today(self) -> date:
        return self._at.date()

    def __repr__(self) -> str:
        return f"FixedClock({self._at.isoformat()})"


SYSTEM = SystemClock()
_current: ContextVar[Clock] = ContextVar("carbonlabel_clock", default=SYSTEM)


def current() -> Clock:
    return _current.get()


def now() -> datetime:
    """The current aware UTC instant of the current clock."""
    return _current.get().now()


def today() -> date:
    """The current UTC date of the current clock."""
    return _current.get().today()


def iso_z(moment: datetime) -> str:
    """An aware instant as the credentials and APIs spell it: YYYY-MM-DDTHH:MM:SSZ."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_of_day(day: date) -> datetime:
    """The last second of a UTC date: a label valid until `day` is valid up to this instant."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def activate(clock: Clock):
    """Make `clock` current in this context; returns the token for `deactivate`."""
    return _current.set(clock)


def deactivate(token) -> None:
    _current.reset(token)


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """`with using(FixedClock(...)):` runs the block on that clock."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)
