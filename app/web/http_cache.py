"""One cached path for a label's verification, as a page and as JSON: the worker's
verification cache (app/services/verification.py; a change committed by any worker is seen
by the next request on SQLite and within the change feed's latency on PostgreSQL), then HTTP
caching so a browser or CDN absorbs repeat scans: a strong ETag over what the answer says
(and the page's language), `Cache-Control: public, max-age=VERIFY_MAX_AGE`, and 304 for an
If-None-Match that still matches.

Why a short max-age and not longer: a revocation must reach a scanner quickly. The bound a
status change takes to reach every reader is the feed's latency (about a second at most)
plus VERIFY_MAX_AGE for a copy a cache already holds; after that any revalidation gets the
new answer, since the ETag is computed from the verification itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request

from app.extensions import db
from app.services import verification
from app.services.issuer import issuer_from_config

VERIFY_MAX_AGE = 10  # seconds; README "Caching and the CDN"


def verify(label_id: str) -> verification.Verification:
    """The label's verification through the worker's cache (the only way both the page and
    the JSON answer get it)."""
    return verification.verify_label(db.session, label_id,
                                     issuer_from_config(current_app.config),
                                     cache=cache_for(current_app))


def cache_for(app: Flask) -> verification.VerificationCache:
    """The app's cache (one per app object, so per worker process), holding the last
    verification of up to VERIFICATION_CACHE_SIZE labels; on PostgreSQL with a change feed
    (VERIFICATION_LISTEN), stopped when the app's engine is disposed."""
    cache = app.extensions.get("carbonlabel.verification_cache")
    if cache is None:
        size = app.config.get("VERIFICATION_CACHE_SIZE", 10_000)
        with app.app_context():
            engine = db.engine
        feed = verification.feed_for(engine, size, app.config.get("VERIFICATION_LISTEN", True))
        cache = app.extensions.setdefault("carbonlabel.verification_cache",
                                          verification.VerificationCache(size, feed))
    return cache


def etag(result: verification.Verification, representation: str) -> str:
    """Changes whenever anything the answer shows changes (status, checks, reasons, details,
    log position) or the representation (JSON, or the page in a language)."""
    said = {"id": result.label_id, "status": result.status, "checks": result.checks,
            "reasons": result.reasons, "details": result.details, "log": result.log,
            "as": representation}
    text = json.dumps(said, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def headers(tag: str, vary: str | None = None) -> dict[str, Any]:
    found = {"ETag": f'"{tag}"', "Cache-Control": f"public, max-age={max_age()}"}
    if vary:
        found["Vary"] = vary
    return found


def max_age() -> int:
    return int(current_app.config.get("VERIFY_MAX_AGE", VERIFY_MAX_AGE))


def not_modified(tag: str, vary: str | None = None) -> Response | None:
    """A 304 when the request's If-None-Match names `tag` (or *), otherwise None."""
    if request.if_none_match.contains(tag) or request.if_none_match.star_tag:
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
