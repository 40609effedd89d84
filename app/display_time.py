"""Times as people read them: a stored UTC instant written in a reader's zone, with the zone.

Everything the service stores, signs and answers over the API is UTC (app.clock); only pages
and documents convert, at the edge, with the zone the edge chose (app/web/timezones.py:
the reader's `tz` choice, else config DISPLAY_TIMEZONE). No Flask here, so the document
renderers take the zone as an argument.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import TypeGuard
from zoneinfo import ZoneInfo, available_timezones

from app import clock
from app.clock import end_of_day


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def is_zone(name: object) -> TypeGuard[str]:
    """Whether `name` is an IANA zone this machine knows (a reader's choice is checked
    against the list, never handed to the file system as it is)."""
    return isinstance(name, str) and name in _known()


def zone(name: str) -> ZoneInfo:
    if not is_zone(name):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as "
                         f"Asia/Hong_Kong or UTC")
    return ZoneInfo(name)


def instant(value: datetime | str) -> datetime:
    """An aware datetime, or an RFC 3339 text such as a credential's validFrom."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC")
    return moment


def abbreviation(moment: datetime, tz: tzinfo) -> str:
    """HKT, PST, UTC; zones without a letter abbreviation get their offset (UTC+04)."""
    local = instant(moment).astimezone(tz)
    name = local.tzname() or ""
    if name[:1] in "+-" or not name:
        offset = local.strftime("%z")
        name = "UTC" + offset[:3] + (":" + offset[3:] if offset[3:] != "00" else "")
    return name


def local(value: datetime | str, tz: tzinfo, *, seconds: bool = False) -> str:
    """`2026-12-05 07:30 HKT` for 2026-12-04T23:30:00Z in Asia/Hong_Kong."""
    moment = instant(value).astimezone(tz)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " " + \
        abbreviation(moment, tz)


def local_day(value: datetime | str, tz: tzinfo) -> str:
    """The reader's calendar date of an instant."""
    return instant(value).astimezone(tz).date().isoformat()


def valid_until(day: date, tz: tzinfo) -> str:
    """The end of a label's validity (23:59:59Z of its last UTC day) in the reader's zone."""
    return local(end_of_day(day), tz)


def utc_offset(tz: tzinfo, at: datetime | None = None) -> str:
    """`UTC+08:00`: the offset of `tz` at `at` (default now), for naming the zone in use."""
    offset = (at or clock.now()).astimezone(tz).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"
