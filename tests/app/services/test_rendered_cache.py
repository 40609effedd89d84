"""Rendered PDFs are reused for the exact same HTML (an issued label's document asked for
again), re-rendered for any change, and the cache is bounded in bytes."""

from __future__ import annotations

import time

import pytest

from app.services import documents


@pytest.fixture
def fresh(monkeypatch) -> documents._RenderedCache:
    cache = documents._RenderedCache()
    monkeypatch.setattr(documents, "RENDERED", cache)
    return cache


def test_the_same_html_is_rendered_once(fresh, monkeypatch):
    import weasyprint

    calls = []
    real = weasyprint.HTML

    def counting(*args, **kwargs):
        calls.append(kwargs.get("string"))
        return real(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", counting)
    first = documents._pdf("<p>GBA-2026-TEST</p>", "Hans", "certificate.css")
    started = time.perf_counter()
    again = documents._pdf("<p>GBA-2026-TEST</p>", "Hans", "certificate.css")
    hit_seconds = time.perf_counter() - started
    assert again is first and first.startswith(b"%PDF")
    assert len(calls) == 1 and fresh.hits == 1 and fresh.misses == 1
    # any change in what is shown misses
    other = documents._pdf("<p>GBA-2026-OTHER</p>", "Hans", "certificate.css")
    assert len(calls) == 2 and other != first
    # the same HTML in the other script: another stylesheet (not in the HTML), another PDF
    documents._pdf("<p>GBA-2026-TEST</p>", "Hant", "certificate.css")
    assert len(calls) == 3 and fresh.misses == 3
    assert hit_seconds < 0.5  # a dictionary lookup, not a render (generous for a busy host)


def test_the_cache_is_bounded_in_bytes():
    cache = documents._RenderedCache(max_bytes=10)
    cache.put(b"a", b"12345")
    cache.put(b"b", b"12345")
    assert cache.get(b"a") == b"12345"  # now most recently used
    cache.put(b"c", b"123")
    assert cache.get(b"b") is None and cache.get(b"a") == b"12345"
    assert cache.size == 8
    cache.put(b"huge", b"x" * 11)
    assert cache.get(b"huge") is None
