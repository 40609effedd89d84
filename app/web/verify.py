"""The public verification page: type a label ID or scan the QR code. No account, no
JavaScript; the same checks as the verification API, in the reader's language.

Only a valid label shows its evaluation against schemes' published rules, and it is called
an evaluation: the page says "recognised" only for a recognition agreement recorded in the
scheme files (`Agreement.status == "mutual_recognition"`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from app import clock, ratelimit
from app.domain import NotFound
from app.extensions import db, limiter
from app.services import labels, recognition, verification
from app.services.issuer import issuer_from_config
from app.trust import label_ids
from app.web import http_cache, i18n, timezones
from app.web.requests import outcome_counts
from app.web.typos import typo_message

blp = Blueprint("verify_pages", __name__)
SHOWN_CHARS = 64  # a label ID has 20; a longer text is cut when the page repeats it


def _limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


@blp.route("/verify", methods=["GET"])
@blp.route("/verify/", methods=["GET"])
@limiter.limit(_limit)
def form():
    label_id = (request.args.get("id") or "").strip()
    if label_id:
        return redirect(url_for("verify_pages.label", label_id=label_id))
    return render_template("verify.html", result=None, error=None, label_id="")


@blp.route("/verify/<path:label_id>", methods=["GET"])
@ratelimit.public
def label(label_id: str):
    """`path`, not `string`: an ID with a slash (typed or pasted) is a typo like any other and
    gets this page, not the API's JSON 404. A typo answers 404: there is no such label."""
    try:
        label_ids.normalise(label_id)
    except label_ids.LabelIdError as exc:
        return _typo(label_id, exc)
    choice = _choice()
    if choice.query is not None:
        path = url_for("verify_pages.label", label_id=label_id)
        return redirect(f"{path}?{choice.query}" if choice.query else path)
    i18n.decided(choice.language)
    timezones.decided(choice.zone)
    try:
        return http_cache.respond(label_id, _representation(choice), _page,
                                  vary="Accept-Language, Cookie")
    except NotFound:
        return render_template("verify.html", result=None, error=("unknown", _shown(label_id)),
                               label_id=_shown(label_id)), 404


#: The page's only parameters; each takes one value.
PAGE_PARAMETERS = ("lang", "tz")


@dataclass(frozen=True)
class Choice:
    """What a request for the page asks besides the label: `query` is the canonical query to
    redirect to (None when the request's is canonical already), and the page's language and
    zone."""

    query: str | None
    language: str
    zone: str


#: Choices by the request's inputs they depend on (see `_choice`); at most CHOICES_KEPT,
#: emptied when full (a scanner's browser sends one of a few dozen combinations).
_CHOICES: dict[tuple[str, ...], Choice] = {}
CHOICES_KEPT = 4096


def _choice() -> Choice:
    """`_choose`, looked up by the raw query string, Accept-Language and Cookie headers and
    the configured zone: nothing else goes into it for a visitor who is not signed in (a
    signed-in user's own language does, so theirs is not kept). A repeat scan then parses no
    query, cookie or header: that was a third of the page's cost over the JSON answer's."""
    if i18n.signed_in_user() is not None:
        return _choose()
    env = request.environ
    key = (env.get("QUERY_STRING", ""), env.get("HTTP_ACCEPT_LANGUAGE", ""),
           env.get("HTTP_COOKIE", ""), current_app.config["DISPLAY_TIMEZONE"])
    found = _CHOICES.get(key)
    if found is None:
        if len(_CHOICES) >= CHOICES_KEPT:
            _CHOICES.clear()
        found = _CHOICES[key] = _choose()
    return found


def _choose() -> Choice:
    return Choice(_canonical_query(), i18n.choose(), timezones.choose())


def _canonical_query() -> str | None:
    """The query to redirect to when the request's is not in a canonical form, else None.

    Each distinct query string is its own cache entry (the page's links repeat it), so
    without this anyone could fill the workers' response caches with `?x=1`, `?x=2`… or
    with spellings of one value (`%65n` for `en`) and push the labels people scan out of
    them; a CDN keys on the URL too. Canonical: only the page's parameters, each once,
    not empty, written as the page's own language and zone links write them, in either
    order (a language link keeps the zone first if it came first)."""
    raw = request.query_string.decode("latin-1")
    pairs = [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in raw.split("&") if raw]
    kept = [(k, request.args[k]) for k in PAGE_PARAMETERS if request.args.get(k)]
    written = [f"{quote(k)}={quote(v)}" for k, v in kept]
    if sorted(f"{k}={v}" for k, v in pairs) == sorted(written):
        return None
    return "&".join(written)


def _representation(choice: Choice) -> tuple[Any, ...]:
    """Everything the page's bytes depend on besides the verification (app/web/http_cache.py
    says why this is all): the language, the zone and its UTC offset now (named in the
    footer), and the path and query its language and zone links repeat."""
    return ("page", choice.language, choice.zone,
            clock.now().astimezone(ZoneInfo(choice.zone)).utcoffset(),
            request.environ.get("PATH_INFO", ""), request.environ.get("QUERY_STRING", ""))


def _page(result: verification.Verification) -> tuple[bytes, str]:
    try:
        matrix = (recognition.evaluate_credential(result.credential)
                  if result.credential is not None else [])
    except NotFound:
        matrix = []
    home = next((e for e in matrix if e.home_scheme), None)
    others = [e for e in matrix if not e.home_scheme]
    counts = outcome_counts(others)
    return render_template("verify.html", result=result, error=None, label_id=result.label_id,
                           home=home, others=others, counts=counts,
                           schemes=recognition.schemes()).encode(), "text/html"


def _typo(label_id: str, exc: label_ids.LabelIdError):
    return render_template("verify.html", result=None, error=("typo", typo_message(exc)),
                           label_id=_shown(label_id)), 404


def _shown(label_id: str) -> str:
    """What the page repeats of the typed text: enough to compare, never a wall of it."""
    return label_id if len(label_id) <= SHOWN_CHARS else label_id[:SHOWN_CHARS] + "…"


@blp.route("/01/<string:gtin>", methods=["GET"])
@limiter.limit(_limit)
def digital_link(gtin: str):
    """GS1 Digital Link entry (the QR on a product with a GTIN): on to the label's page."""
    label_id = request.args.get("label")
    if not label_id:
        return render_template("verify.html", result=None, label_id="",
                               error=("unknown", f"GTIN {gtin}")), 404
    return redirect(url_for("verify_pages.label", label_id=label_id))


@blp.route("/api/v1/labels/<string:label_id>/qr.svg", methods=["GET"])
@limiter.limit(_limit)
def qr(label_id: str) -> Response:
    """The label's QR code (SVG): its verification URL, or a GS1 Digital Link with a GTIN."""
    import io

    import segno

    found = labels.get_label(db.session, label_id)
    target = labels.qr_target(found, issuer_from_config(current_app.config))
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="svg", scale=4, border=4)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")
