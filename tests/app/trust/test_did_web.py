"""did:web: the DID -> document URL mapping of the method spec, its inverse, and what is
refused (IP addresses, loopback and http without the development switch, odd segments)."""

from __future__ import annotations

import re

import pytest

from app.trust import did_web
from app.trust.did_web import DidWebError


@pytest.mark.parametrize(("did", "url"), [
    ("did:web:labels.example.org", "https://labels.example.org/.well-known/did.json"),
    ("did:web:example.org%3A8443", "https://example.org:8443/.well-known/did.json"),
    ("did:web:example.org:labels:gba", "https://example.org/labels/gba/did.json"),
    ("did:web:example.org%3A3000:user:alice", "https://example.org:3000/user/alice/did.json"),
    ("did:web:Example.ORG", "https://example.org/.well-known/did.json"),
])
def test_document_url_follows_the_method_spec(did, url):
    assert did_web.parse(did).document_url() == url


@pytest.mark.parametrize(("url", "did"), [
    ("https://labels.example.org", "did:web:labels.example.org"),
    ("https://example.org:8443", "did:web:example.org%3A8443"),
    ("https://example.org/labels/gba/", "did:web:example.org:labels:gba"),
])
def test_did_from_url_is_the_inverse(url, did):
    assert did_web.did_from_url(url.rstrip("/")) == did
    assert did_web.parse(did).base_url() == url.rstrip("/")


@pytest.mark.parametrize("did", [
    "did:key:z6Mk", "did:web:", "did:web:exa mple.org", "did:web:example.org::x",
    "did:web:example.org:..", "did:web:example.org:%2E%2E", "did:web:example.org%2Fx",
    "did:web:example.org%3A99999", "did:web:example.org:a%2Fb",
    "did:web:%5B%3A%3A1%5D%3A8000",  # an IPv6 literal: no did:web, not even in development
])
def test_malformed_dids_are_refused(did):
    with pytest.raises(DidWebError):
        did_web.parse(did).document_url()


@pytest.mark.parametrize("did", ["did:web:127.0.0.1%3A8000", "did:web:localhost",
                                 "did:web:dev.localhost", "did:web:10.0.0.7"])
def test_ip_and_loopback_need_the_development_switch(did):
    with pytest.raises(DidWebError, match="allow-insecure-dev"):
        did_web.parse(did).document_url()


def test_development_switch_uses_http_only_for_loopback_and_ip_hosts():
    assert did_web.parse("did:web:127.0.0.1%3A8000").document_url(allow_insecure=True) == (
        "http://127.0.0.1:8000/.well-known/did.json")
    # a real domain name is fetched over https even in development
    assert did_web.parse("did:web:labels.test").document_url(allow_insecure=True) == (
        "https://labels.test/.well-known/did.json")


@pytest.mark.parametrize("url", ["http://labels.example.org", "https://127.0.0.1",
                                 "https://localhost:8443", "http://127.0.0.1:8000"])
def test_public_urls_outside_development_mode(url):
    with pytest.raises(DidWebError, match="CARBONLABEL_DEV"):
        did_web.check_public_url(url, dev_mode=False)
    assert did_web.check_public_url(url, dev_mode=True).startswith("did:web:")


def test_https_domain_public_url_is_accepted():
    assert did_web.check_public_url("https://labels.example.org/gba", dev_mode=False) == (
        "did:web:labels.example.org:gba")
    with pytest.raises(DidWebError):
        did_web.check_public_url("https://labels.example.org/?x=1", dev_mode=False)


def test_resolve_fetches_where_the_did_says_and_refuses_another_id():
    calls = []

    def fetch(url):
        calls.append(url)
        return {"id": "did:web:evil.example"}

    expected = re.escape("is for 'did:web:evil.example', not did:web:a.test")
    with pytest.raises(DidWebError, match=expected):
        did_web.resolve("did:web:a.test", fetch)
    assert calls == ["https://a.test/.well-known/did.json"]


@pytest.mark.parametrize("url", ["http://mirror.example", "https://127.0.0.1:9", "ftp://x"])
def test_mirror_urls_are_https_domains_unless_development(url):
    with pytest.raises(DidWebError):
        did_web.check_url(url, False, "mirror")
