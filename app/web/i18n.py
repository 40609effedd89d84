"""Which language a page speaks: 简体中文, 繁體中文 or English, the visitor's choice.

Texts are gettext messages (`_()` in templates and Python) with catalogues in
app/translations/<locale>/LC_MESSAGES (extracted with pybabel, see babel.cfg and
docs/i18n.md). The choice is made with `?lang=zh-Hans|zh-Hant|en` on any page (the old
`zh` means zh-Hans) and kept in a cookie and, for a signed-in user, on the user (so it follows
them to another browser); before that the browser's Accept-Language decides, with Hong Kong,
Macao and Taiwan (zh-HK, zh-MO, zh-TW, zh-Hant) served Traditional Chinese.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from urllib.parse import quote

from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from app.services import accounts, transaction

log = logging.getLogger(__name__)

# The tag used in URLs, cookies and <html lang>, and the catalogue it reads.
CATALOGUES = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "en": "en"}
LANGUAGES = tuple(CATALOGUES)
NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}
DEFAULT = "zh-Hans"
COOKIE = "lang"
MAX_PATH = 200
_TRADITIONAL_REGIONS = ("hant", "hk", "mo", "tw")


def normalise(tag: str | None) -> str | None:
    """A language tag as a visitor or browser writes it, as one of ours (None if not ours)."""
    if not tag:
        return None
    parts = tag.replace("_", "-").lower().split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] != "zh":
        return None
    if "hans" in parts[1:]:  # an explicit script wins over the region (zh-Hans-HK)
        return "zh-Hans"
    return "zh-Hant" if any(p in _TRADITIONAL_REGIONS for p in parts[1:]) else "zh-Hans"


def from_accept_language() -> str:
    """The first of the browser's languages (by its weights) that we speak."""
    return _from_header(request.headers.get("Accept-Language", ""))


@lru_cache(maxsize=256)
def _from_header(header: str) -> str:
    """`from_accept_language` of one header text: a browser sends the same one with every
    request, and parsing it cost a tenth of a cached verification page."""
    for value, _quality in parse_accept_header(header, LanguageAccept):
        found = normalise(value)
        if found:
            return found
    return DEFAULT


def signed_in_user():
    """The user signed in to the pages (API tokens speak problem+json, not pages)."""
    caller = g.get("caller")
    return caller.user if caller is not None and caller.via == "session" else None


def choose() -> str:
    """`?lang=` first, then the signed-in user's kept choice, the cookie, the browser."""
    user = signed_in_user()
    return (normalise(request.args.get("lang")) or normalise(user.language if user else None)
            or normalise(request.cookies.get(COOKIE)) or from_accept_language())


def current() -> str:
    """The page's language tag (zh-Hans, zh-Hant or en), decided once per request."""
    if "lang" not in g:
        g.lang = choose()
    return g.lang


def decided(lang: str) -> None:
    """The page's language, already chosen by the caller as `choose` would (the public
    verification page keeps its choices, app/web/verify.py)."""
    g.lang = lang


def catalogue() -> str:
    """Flask-Babel's locale; outside a request (CLI, jobs) texts stay in English."""
    return CATALOGUES[current()] if has_request_context() else "en"


def switch_url(lang: str) -> str:
    """This page in another language (a GET link, so it works without JavaScript)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    query = "&".join(f"{quote(k)}={quote(v)}" for k, vs in args.items() for v in vs)
    # A mistyped ID can make the path thousands of characters long: never repeat it.
    path = request.path if len(request.path) <= MAX_PATH else "/verify"
    return f"{quote(path)}?{query}"


def _remember(response: Response) -> Response:
    wanted = normalise(request.args.get("lang"))
    user = signed_in_user()
    if wanted and user is not None and response.status_code < 400:
        _keep_for_user(user, wanted)
    if wanted and request.cookies.get(COOKIE) != wanted:
        response.set_cookie(COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


def _keep_for_user(user, wanted: str) -> None:
    """Store a signed-in user's switch on the user. Its own small transaction after the
    page's work; a failure to store a preference is logged, never turned into an error
    page (the cookie still carries the choice)."""
    try:
        with transaction():
            accounts.set_language(user, wanted)
    except Exception:  # a preference must not break the page it was set on
        log.exception("could not keep the language choice of user %s", user.id)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=catalogue)
    app.jinja_env.globals.update(lang=current, switch_url=switch_url, languages=NAMES)
    app.after_request(_remember)
