"""Which language a page speaks: Chinese or English, the visitor's choice.

The choice is made once with `?lang=zh|en` (any page) and kept in a cookie; before that the
browser's Accept-Language decides. Templates write both texts side by side with `t(zh, en)`,
so a page and its translation cannot drift apart the way separate catalogues do.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Response, g, request

LANGUAGES = ("zh", "en")
COOKIE = "lang"


def choose() -> str:
    wanted = request.args.get("lang") or request.cookies.get(COOKIE)
    if wanted in LANGUAGES:
        return wanted
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-HK", "zh-TW", "en"],
                                               default="zh")
    return "zh" if best.startswith("zh") else "en"


def current() -> str:
    if "lang" not in g:
        g.lang = choose()
    return g.lang


def t(zh: str, en: str) -> str:
    return zh if current() == "zh" else en


def switch_url(lang: str) -> str:
    """This page in the other language (a GET link, so it works without JavaScript)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    query = "&".join(f"{quote(k)}={quote(v)}" for k, vs in args.items() for v in vs)
    return f"{request.path}?{query}"


def _remember(response: Response) -> Response:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES and request.cookies.get(COOKIE) != wanted:
        response.set_cookie(COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(t=t, lang=current, switch_url=switch_url)
    app.after_request(_remember)
