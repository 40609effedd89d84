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


def test_a_labels_frame_is_parsed_once_for_every_label_of_its_size(fresh, monkeypatch, tmp_path):
    """The frame (the same for every label of a size and script) reaches WeasyPrint as one
    data: URL its image cache keeps per thread: two labels of one size parse it once; the
    QR code, which differs, is not kept, and another size is another frame."""
    import weasyprint.images

    from app.services.issuer import Issuer
    from tests.app.services.test_doc_fonts import CLAIMS, _label

    parsed = []
    real = weasyprint.images.SVGImage.__init__

    def counting(self, *args, **kwargs):
        parsed.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.images.SVGImage, "__init__", counting)
    monkeypatch.setattr(documents._LOCAL, "frames", {}, raising=False)
    issuer = Issuer(public_url="https://labels.example.org", keys_dir=tmp_path)
    first, second = _label("rating", CLAIMS["rating"]), _label("reduction", CLAIMS["reduction"])
    second.id = "GBA-2026-9ZZZ-ZZZZ-5"
    one = documents.label_pdf(first, issuer, "medium")
    other = documents.label_pdf(second, issuer, "medium")
    assert one != other and len(parsed) == 1
    assert len(documents._LOCAL.frames) == 1
    documents.label_pdf(first, issuer, "large")
    assert len(parsed) == 2 and len(documents._LOCAL.frames) == 2
