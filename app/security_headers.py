"""Security headers on every response.

The pages need no JavaScript, so their policy allows none; styles and images come from our
own origin only. Swagger UI at /api/docs is the one page that runs script: it gets its own
policy naming its bundle (same origin) and the hash of its one inline start-up script, worked
out from the page itself so an upgrade of the template cannot silently widen the policy.
SVG documents (label artwork, QR codes) carry their styles inline and may only use those.
Nothing may frame any of our responses (the approve and revoke forms would otherwise be
click-jackable), browsers may not sniff types, referrers stay on our origin, and with an
https public URL browsers are told to use https only.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

PAGE_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SVG_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
              "font-src data:; frame-ancestors 'none'")
DOCS_POLICY = ("default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")
HSTS = "max-age=31536000; includeSubDomains"
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def script_hashes(html: str) -> list[str]:
    """CSP source expressions for each inline <script> of a page."""
    digests = (hashlib.sha256(body.encode()).digest() for body in _INLINE_SCRIPT.findall(html))
    return [f"'sha256-{base64.b64encode(d).decode()}'" for d in digests]


def policy_for(response: Response) -> str:
    if request.endpoint == DOCS_ENDPOINT and response.mimetype == "text/html":
        return DOCS_POLICY.format(hashes=" ".join(script_hashes(response.get_data(True))))
    if response.mimetype == "image/svg+xml":
        return SVG_POLICY
    return PAGE_POLICY


def init_app(app: Flask) -> None:
    https = str(app.config.get("PUBLIC_URL", "")).startswith("https://")

    fixed = [("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
             ("Referrer-Policy", "same-origin")]
    if https:
        fixed.append(("Strict-Transport-Security", HSTS))

    @app.after_request
    def _headers(response: Response) -> Response:
        # One pass over the headers the response has (a view may set its own), instead of a
        # search per header: this runs on every response.
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        if "content-security-policy" not in present:
            headers.add("Content-Security-Policy", policy_for(response))
        headers.extend([(name, value) for name, value in fixed
                        if name.lower() not in present])
        return response
