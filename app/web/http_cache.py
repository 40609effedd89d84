"""One cached path for a label's verification, as a page and as JSON, down to the bytes of
the response: the worker's verification cache (app/services/verification.py; a change
committed by any worker is seen by the next request on SQLite and within the change feed's
latency on PostgreSQL) gives the answer and its *version* (a digest of everything the answer
was computed from, and the UTC day), and the rendered body of each representation is kept
under that version (`respond`), so a repeat request is a lookup: no template, no schema, no
JSON encoding, and on PostgreSQL no query. Then HTTP caching so a browser or CDN absorbs
repeat scans: a strong ETag over the body itself, `Cache-Control: public,
max-age=VERIFY_MAX_AGE`, and 304 for an If-None-Match that still matches.

What a representation's body depends on besides the answer is its key: for JSON nothing;
for the page the language, the time zone and that zone's UTC offset now (the footer names
it, so a daylight-saving change is a new key), and the request's path and query (the
language and zone links repeat them). Whatever else the page shows is fixed by the answer:
instants in the chosen zone, and the status, whose one clock-dependent part (expired after
the last valid UTC day) is covered by the day in the version. So a kept body is never
served past a boundary: a new day, a new offset or a changed label is a different key or
version.

Why a short max-age and not longer: a revocation must reach a scanner quickly. The bound a
status change takes to reach every reader is the feed's latency (about a second at most)
plus VERIFY_MAX_AGE for a copy a cache already holds; after that any revalidation gets the
new answer, since the ETag is computed from the new body.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request

from app.extensions import db
from app.services import verification
from app.services.issuer import Issuer, issuer_from_config

VERIFY_MAX_AGE = 10  # seconds; README "Caching and the CDN"
RESPONSE_CACHE_BYTES = 32 << 20  # per worker: rendered pages are 5-20 kB


@dataclass(frozen=True)
class Rendered:
    """A representation's response as kept: the body, its ETag and its type."""

    body: bytes
    etag: str
    mimetype: str


def respond(label_id: str, representation: tuple[Any, ...],
            render: Callable[[verification.Verification], tuple[bytes, str]],
            vary: str | None = None) -> Response:
    """The one way the page and the JSON answer get a label's verification: 304 when the
    request's If-None-Match names the current body's ETag, else the body, kept per
    (label, `representation`) under the answer's version; `render` makes it (bytes and
    mimetype) when none is kept for this version."""
    cache = cache_for(current_app)
    canonical, version = verification.unchanged_version(label_id, cache)
    found = cache.derived((canonical, *representation), version) if version else None
    if found is not None:  # the feed vouches for the kept answer: nothing else to do
        cache.served_unread()
    else:
        result, version = verification.verify_versioned(db.session, label_id,
                                                        _issuer(current_app), cache)
        found = _rendered(cache, (result.label_id, *representation), version, render, result)
    gone = not_modified(found.etag, vary)
    if gone is not None:
        return gone
    return Response(found.body, 200, headers(found.etag, vary), mimetype=found.mimetype)


def _rendered(cache: verification.VerificationCache, key: tuple[Any, ...],
              version: bytes | None, render: Callable[[verification.Verification],
                                                      tuple[bytes, str]],
              result: verification.Verification) -> Rendered:
    found = cache.derived(key, version) if version is not None else None
    if found is None:
        body, mimetype = render(result)
        found = Rendered(body, content_etag(body), mimetype)
        if version is not None:
            cache.keep(key, version, found, len(body) + 200)
    return found


def _issuer(app: Flask) -> Issuer:
    return issuer_from_config(app.config)


def cache_for(app: Flask) -> verification.VerificationCache:
    """The app's cache (one per app object, so per worker process), holding the last
    verification of up to VERIFICATION_CACHE_SIZE labels and their rendered responses (up to
    VERIFICATION_RESPONSE_CACHE_BYTES; none when the size is 0: nothing is kept); on
    PostgreSQL with a change feed (VERIFICATION_LISTEN), stopped when the app's engine is
    disposed."""
    cache = app.extensions.get("carbonlabel.verification_cache")
    if cache is None:
        size = app.config.get("VERIFICATION_CACHE_SIZE", 10_000)
        with app.app_context():
            engine = db.engine
        feed = verification.feed_for(engine, size, app.config.get("VERIFICATION_LISTEN", True))
        cache = app.extensions.setdefault("carbonlabel.verification_cache",
                                          verification.VerificationCache(
                                              size, feed, app.config.get(
                                                  "VERIFICATION_RESPONSE_CACHE_BYTES",
                                                  RESPONSE_CACHE_BYTES) if size > 0 else 0))
    return cache


def headers(tag: str, vary: str | None = None) -> dict[str, Any]:
    found = {"ETag": f'"{tag}"', "Cache-Control": f"public, max-age={max_age()}"}
    if vary:
        found["Vary"] = vary
    return found


def max_age() -> int:
    return int(current_app.config.get("VERIFY_MAX_AGE", VERIFY_MAX_AGE))


def not_modified(tag: str, vary: str | None = None) -> Response | None:
    """A 304 when the request's If-None-Match names `tag` (or *), otherwise None."""
    sent = request.environ.get("HTTP_IF_NONE_MATCH")
    if sent is None:
        return None
    # A browser or CDN sends back the one ETag it was given, as given: compared as text
    # first, since werkzeug's parse of the header was most of a revalidation's extra cost.
    if sent == f'"{tag}"' or request.if_none_match.contains(tag) or (
            request.if_none_match.star_tag):
        return Response(status=304, headers=headers(tag, vary))
    return None


def conditional(tag: str, build: Callable[[], Any], vary: str | None = None) -> Any:
    """304, or what `build` answers with the caching headers added."""
    return not_modified(tag, vary) or (build(), 200, headers(tag, vary))


def content_etag(body: Any) -> str:
    """A strong ETag over a JSON document itself (canonical: sorted keys), or over bytes."""
    data = body if isinstance(body, bytes) else json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    return hashlib.sha256(data).hexdigest()[:32]


def published(body: Any) -> Any:
    """A public document answered with HTTP caching: the status lists (a revocation must
    reach verifiers within the same short max-age as a verification) and the issuer's
    identity (did.json, JWKS, the log's keys: a rotated key likewise). The ETag is the
    document's own content, so a revalidation after any change gets the new one and before
    it a 304 with no body. `body` is a JSON document (dict) or a Response (its bytes)."""
    if isinstance(body, Response):
        tag = content_etag(body.get_data())
        gone = not_modified(tag)
        if gone is not None:
            return gone
        body.headers.update(headers(tag))
        return body
    return conditional(content_etag(body), lambda: body)
