"""HTTP caching of the public documents a verifier fetches besides the verification itself:
the status lists and the issuer's identity (did.json, JWKS, the log's keys and discovery
document). Each answers with a strong ETag over its own content and a short public max-age,
304 with no body for a matching If-None-Match, and a new ETag once the content changes (a
revocation re-signs the list), so a CDN in front may keep a copy only as long as a
verification's."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.app.api.test_labels import issue

PUBLIC = ["/api/v1/status-lists/revocation", "/.well-known/did.json", "/.well-known/jwks.json",
          "/.well-known/carbonlabel-log-key", "/.well-known/carbonlabel-log.json"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_document_has_etag_short_max_age_and_304(world, client, path):
    issue(world)  # a label, so the status list exists and the log has a key
    first = client.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34
    assert first.headers["Cache-Control"] == "public, max-age=10"
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == tag
    stale = client.get(path, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_etag_is_the_documents_own_content(world, client):
    """The tag is SHA-256 over the canonical JSON (sorted keys, no spaces), first 32 hex
    digits: recomputed here from the body the client got."""
    issue(world)
    answer = client.get("/.well-known/jwks.json")
    canonical = json.dumps(answer.json, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode()
    assert answer.headers["ETag"] == f'"{hashlib.sha256(canonical).hexdigest()[:32]}"'
    key_file = client.get("/.well-known/carbonlabel-log-key")
    assert key_file.headers["ETag"] == f'"{hashlib.sha256(key_file.data).hexdigest()[:32]}"'


def test_revocation_changes_the_status_lists_etag(world, client):
    label, _credential = issue(world)
    before = client.get("/api/v1/status-lists/revocation")
    assert client.get("/api/v1/status-lists/revocation",
                      headers={"If-None-Match": before.headers["ETag"]}).status_code == 304
    revoked = world["certifier_c"].post(f"/api/v1/labels/{label['id']}/revocation",
                                        json={"reason": "the product was withdrawn"})
    assert revoked.status_code == 200, revoked.json
    after = client.get("/api/v1/status-lists/revocation",
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.json != before.json
