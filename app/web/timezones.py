"""Which zone a page shows times in: the reader's choice, else the service's display zone.

Like the language, the choice is made with `?tz=Area/City` on any page and kept in a cookie;
without one, config DISPLAY_TIMEZONE (default Asia/Hong_Kong) applies. Unknown names are
ignored. Pages and documents name the zone they use; the API and credentials stay UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, g, request

from app import display_time

COOKIE = "tz"
#: Offered in the page footer; any IANA zone works through ?tz=.
CHOICES = ("Asia/Hong_Kong", "Asia/Macau", "Asia/Shanghai", "UTC", "Europe/Brussels",
           "Europe/London", "America/New_York", "America/Los_Angeles")


def choose() -> str:
    wanted = request.args.get("tz") or request.cookies.get(COOKIE)
    return wanted if display_time.is_zone(wanted) else current_app.config["DISPLAY_TIMEZONE"]


def current_name() -> str:
    if "tz_name" not in g:
        g.tz_name = choose()
    return g.tz_name


def decided(name: str) -> None:
    """The reader's zone, already chosen by the caller as `choose` would."""
    g.tz_name = name


def current() -> ZoneInfo:
    return ZoneInfo(current_name())


def when(value: datetime | str | None, seconds: bool = False) -> str:
    """Jinja filter: an instant in the reader's zone, e.g. `2026-12-05 07:30 HKT`."""
    return "" if value is None else display_time.local(value, current(), seconds=seconds)


def day(value: datetime | str | None) -> str:
    """Jinja filter: the reader's calendar date of an instant."""
    return "" if value is None else display_time.local_day(value, current())


def until(value: date | None) -> str:
    """Jinja filter: the end of a label's last valid (UTC) day, in the reader's zone."""
    return "" if value is None else display_time.valid_until(value, current())


def zone_label() -> str:
    """`Asia/Hong_Kong (UTC+08:00)`: the zone a page uses, shown on the page."""
    return f"{current_name()} ({display_time.utc_offset(current())})"


def zone_url(name: str) -> str:
    """This page in zone `name` (a GET link, so it works without JavaScript)."""
    args = request.args.to_dict(flat=False)
    args["tz"] = [name]
    query = "&".join(f"{quote(k)}={quote(v)}" for k, vs in args.items() for v in vs)
    return f"{request.path}?{query}"


def here() -> tuple[str, list[tuple[str, str]]]:
    """This page's path and its query arguments other than tz, for the zone form (templates
    may name a variable `request` of their own, so they do not read Flask's)."""
    return request.path, [(k, v) for k, vs in request.args.lists() if k != "tz" for v in vs]


def _remember(response: Response) -> Response:
    wanted = request.args.get("tz")
    if display_time.is_zone(wanted) and request.cookies.get(COOKIE) != wanted:
        response.set_cookie(COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


def init_app(app: Flask) -> None:
    display_time.zone(app.config["DISPLAY_TIMEZONE"])  # an unknown zone fails at start-up
    app.jinja_env.filters.update(when=when, day=day, until=until)
    app.jinja_env.globals.update(tz_name=current_name, tz_label=zone_label, tz_url=zone_url,
                                 tz_here=here, tz_choices=CHOICES)
    app.after_request(_remember)
