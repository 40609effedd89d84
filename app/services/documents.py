"""Documents rendered from label_templates/: label artwork (SVG, and PDF via WeasyPrint),
the A4 certificate, and the certifier's calculation report. WeasyPrint is imported only
when a PDF is asked for, so the web app starts fast."""

from __future__ import annotations

import atexit
import base64
import hashlib
import threading
from collections import OrderedDict
from datetime import UTC, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import display_time
from app.numbers import kg_co2e
from app.persistence import Calculation, Label, LabelRequest, Organisation, Product, User
from app.services import DbSession, doc_fonts, recognition, seal
from app.services import document_words as words
from app.services import labels as label_service
from app.services.bar_chart import bar_chart
from app.services.doc_language import FONTS, LANG_TAGS, N_, chinese
from app.services.issuer import Issuer
from app.services.message_text import in_language
from lca_models.canonical import sha256_hex
from lca_models.recognition import read_standards

TEMPLATES = Path(__file__).resolve().parents[2] / "label_templates"
#: Artwork sizes in millimetres (width, height); the design is drawn on a 3:4 canvas.
SIZES = {"small": (30, 40), "medium": (60, 80), "large": (90, 120)}


def _language(script: str) -> dict[str, Any]:
    """What a template needs to print its Chinese in `script` beside the English."""
    return {"zh": chinese(script), "lang_tag": LANG_TAGS[script], "font": FONTS[script],
            "doc_label_font": doc_fonts.family(script, "label"),
            "doc_core_font": doc_fonts.family(script, "core"),
            "doc_font": doc_fonts.family(script), "doc_symbols_font": doc_fonts.SYMBOLS}


def _font_faces(script: str) -> str:
    """The `@font-face` rules of the reduced CJK faces (app/services/doc_fonts.py), for the
    PDF only: documents list the reduced face first and the full face after it."""
    return doc_fonts.font_faces(script)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),  # stylesheets not escaped
                       autoescape=select_autoescape(["html", "svg", "html.j2", "svg.j2"]))


class _RenderedCache:
    """PDFs already rendered, keyed by SHA-256 of the exact HTML they were rendered from
    (a label's artwork: of what that HTML is made from, `label_pdf_key`),
    bounded in bytes (least recently used out). Why the HTML and not the label: the HTML
    holds everything the document shows (the credential's values, the reader's zone, the
    certifier's name, the template as it is now), and the key adds the script and a digest
    of the stylesheets (`_design`), so an equal key can only mean an equal document, and a
    changed template or label simply misses. Per process."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self._entries: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def put(self, key: bytes, pdf: bytes) -> None:
        if len(pdf) > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = pdf
            self.size += len(pdf)
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)


RENDERED = _RenderedCache()


#: The A4 documents' shared stylesheet (certificate, calculation report, CBAM report); each
#: document adds its own rules from the .css file named like its template.
DOCUMENT_CSS = "documents.css.j2"


def _pdf(html: str, script: str, own_css: str) -> bytes:
    """An A4 document from its HTML, with the shared stylesheet of `script` and its own
    (`own_css`); cached under the HTML, the script and the design (the stylesheets are not
    in the HTML)."""
    key = hashlib.sha256(repr((_design(DOCUMENT_CSS, "base.css", own_css), script, html))
                         .encode("utf-8", "surrogatepass")).digest()
    cached = RENDERED.get(key)
    if cached is not None:
        return cached
    pdf = _render(html, (_stylesheet(DOCUMENT_CSS, script), _stylesheet(own_css, script)))
    RENDERED.put(key, pdf)
    return pdf


def _render(html: str, stylesheets: tuple[Any, ...] = (), images: dict[str, Any] | None = None
            ) -> bytes:
    """`images`: WeasyPrint's cache of images, by URL (None: a new one for this render)."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=str(TEMPLATES),
                           url_fetcher=_fetcher()).write_pdf(stylesheets=list(stylesheets),
                                                             font_config=_font_config(),
                                                             cache=images)


def _stylesheet(template: str, script: str, **values: Any) -> Any:
    """A stylesheet of label_templates/ (`template`, rendered with the faces and fonts of
    `script` and `values`), parsed once per thread and reused: parsing a document's
    stylesheet, with its `@font-face` rules, was about a tenth of a render. Per thread, as
    the font configuration its faces are registered in is. WeasyPrint takes it as a user
    stylesheet, so a document's own `<style>` (the author's) wins where the two differ."""
    kept = _LOCAL.__dict__.setdefault("stylesheets", {})
    key = (template, script, tuple(sorted(values.items())))
    found = kept.get(key)
    if found is None:
        import weasyprint

        text = _env().get_template(template).render(font_faces=_font_faces(script),
                                                    **_language(script), **values)
        found = kept[key] = weasyprint.CSS(string=text, base_url=str(TEMPLATES),
                                           url_fetcher=_fetcher(), font_config=_font_config())
    return found


def _label_stylesheet(script: str, size: str) -> Any:
    """The label PDF's stylesheet (label.css.j2) at `size`."""
    width, height = SIZES[size]
    return _stylesheet("label.css.j2", script, width_mm=width, height_mm=height)


@lru_cache(maxsize=8)
def _design(*templates: str) -> str:
    """A digest of what documents are drawn with besides their data (`templates` and the
    reduced faces' rules), per process: a deployment with another design restarts."""
    sources = "".join((TEMPLATES / name).read_text("utf-8") for name in templates)
    return hashlib.sha256((sources + "".join(map(_font_faces, ("Hans", "Hant")))).encode()
                          ).hexdigest()


_LOCAL = threading.local()


@atexit.register
def _release() -> None:
    """Drop this thread's font configuration and the stylesheets holding it while the
    interpreter is whole: its finaliser removes the folder of copied faces, and run during
    shutdown it finds its module already emptied and leaves the folder behind."""
    _LOCAL.__dict__.clear()


def _font_config() -> Any:
    """One WeasyPrint FontConfiguration per thread, reused across renders: fontconfig's
    configuration and Pango's font map (with the faces already opened) are built once
    instead of per document. Per thread because Pango's font map is not thread-safe."""
    found = getattr(_LOCAL, "font_config", None)
    if found is None:
        from weasyprint.text.fonts import FontConfiguration

        found = _LOCAL.font_config = FontConfiguration()
    return found


def _allowed(url: str) -> bool:
    """Documents draw only what they carry (data: URLs: QR, seal), files of label_templates/
    and the reduced faces; an uploaded SVG seal can make no request to the network."""
    if url.startswith("data:"):
        return True
    if not url.startswith("file://"):
        return False
    path = Path(unquote(url[7:].split("?")[0])).resolve()
    return path.is_relative_to(TEMPLATES) or (path.suffix == ".otf" and path.is_relative_to(
        doc_fonts.cache_dir().resolve()))


def _fetcher() -> Any:
    import weasyprint.urls as urls

    base = getattr(urls, "URLFetcher", None)
    if base is None:  # WeasyPrint before 68: a plain function
        def fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
            if not _allowed(url):
                raise ValueError(f"documents do not fetch {url[:60]}")
            return urls.default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)

        return fetch

    class Fetcher(base):  # type: ignore[misc, valid-type]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not _allowed(url):
                raise ValueError(f"documents do not fetch {url[:60]}")
            return super().fetch(url, headers)

    return Fetcher(allowed_protocols=("data", "file"))


def render_pdf(template: str, script: str = "Hans", **context: Any) -> bytes:
    """An A4 document of label_templates/ (`name.html.j2`, its own rules in `name.css`)
    with the shared stylesheet (documents.css.j2) and the words and fonts of `script`
    (`zh`, `lang_tag`, `font`, `doc_core_font`, `doc_font`), as PDF."""
    html = _env().get_template(template).render(**_language(script), **context)
    return _pdf(html, script, template.removesuffix(".html.j2") + ".css")


@lru_cache(maxsize=1024)
def qr_data_uri(target: str) -> str:
    """Cached: segno's mask selection costs about a tenth of a label's render, and a label's
    verification address never changes."""
    return segno.make(target, error="m").svg_data_uri(scale=4, border=2)


@lru_cache(maxsize=1024)
def qr_png_data_uri(target: str) -> str:
    """The same QR code as a PNG of one pixel per module, for the PDFs: drawn unsmoothed
    (`image-rendering: pixelated`, PDF /Interpolate false) every module prints as an exact
    square at any size, and WeasyPrint embeds it in well under a millisecond where parsing
    and drawing the SVG's path of a few hundred modules cost a fifth of a label's render."""
    return segno.make(target, error="m").png_data_uri(scale=1, border=2)


def _value(number: float) -> str:
    return kg_co2e(number)


def scheme_name(scheme_id: str) -> str:
    """A scheme's published name without its parenthesised gloss, for print; the raw id
    (`gba-home`) means nothing to a shopper."""
    scheme = recognition.schemes().get(scheme_id) if scheme_id else None
    return scheme.name.split(" (")[0] if scheme else scheme_id


def claim_text(subject: dict[str, Any], script: str = "Hans") -> tuple[str, str]:
    """What a rating or reduction label claims, in Chinese (`script`) and English ("" for
    neither): the grade and the benchmark it was measured against, or the reduction and its
    baseline."""
    rating, reduction = subject.get("rating"), subject.get("reduction")
    zh = chinese(script)
    if rating:
        bench = rating["benchmark"]
        values = {"grade": rating["grade"], "basis": (
            f"{_value(bench['kgCO2ePerDeclaredUnit'])} kg CO₂e, {bench['year']}")}
        text = words.ARTWORK_CLAIMS["rating"]
        return zh(text) % values, text % values
    if reduction:
        values = {"base": reduction.get("baselineLabelId") or _value(
            reduction["baselineKgCO2ePerDeclaredUnit"]) + " kg CO₂e",
            "percent": f"{reduction['reductionPercent']:.1f} %"}
        text = words.ARTWORK_CLAIMS["reduction"]
        return zh(text) % values, text % values
    return "", ""


def _pcr_text(subject: dict[str, Any]) -> str:
    pcr = subject.get("productCategoryRules")
    return f"{pcr['pcrId']} {pcr['pcrVersion']} ({pcr['publisher']})" if pcr else ""


#: Where the label PDF's HTML lines put their baseline below their box's top, in font sizes
#: (line-height 1, Noto Sans CJK's ascent and descent), so they print where the SVG's do.
BASELINE = 0.936


def label_svg(label: Label, issuer: Issuer, size: str = "medium", zone: tzinfo = UTC,
              script: str = "Hans", text_as: str = "svg") -> str:
    """The artwork; its validity end is written in `zone` (the reader's), with the zone.
    `text_as="html"`: for the PDF, the SVG without its text and the lines after it as HTML
    (label.svg.j2)."""
    width, height = SIZES[size]
    subject = label.credential["credentialSubject"]
    value = _value(subject["footprint"]["kgCO2ePerDeclaredUnit"])
    unit = subject["declaredUnit"]
    en = words.ARTWORK_TYPES.get(subject["labelType"], subject["labelType"])
    claim_zh, claim_en = claim_text(subject, script)
    compact = size == "small"
    return _env().get_template("label.svg.j2").render(
        **_language(script), claim_zh=claim_zh, claim_en=claim_en, text_as=text_as,
        baseline=BASELINE,
        width_mm=width, height_mm=height, label_id=label.id, value=value, compact=compact,
        value_font=(110 if len(value) <= 6 else 80) if compact else
        (120 if len(value) <= 6 else 90), id_font=44 if len(label.id) <= 20 else 38,
        unit=f"{unit['amount']:g} {unit['unit']}", type_en=en,
        qr_data_uri=(qr_png_data_uri if text_as == "html" else qr_data_uri)(
            label_service.qr_target(label, issuer)),
        certifier=_short(subject["certifier"]["name"]),
        valid_until=display_time.valid_until(label.valid_until, zone),
        scheme=_short(scheme_name(subject.get("homeScheme", ""))))


def label_pdf_key(label: Label, issuer: Issuer, size: str, zone: tzinfo, script: str) -> bytes:
    """The key of a label's PDF in the cache of rendered documents, from everything its
    bytes depend on, without rendering anything: the credential (by its hash: the values,
    product, certifier, scheme), the label's ID and validity, the service's address (the QR
    code), size, the reader's zone and script, and the design. Not the label's status: the
    artwork does not show it (the QR code leads to the live status), so a revoked or
    suspended label's artwork is the same file, as printed labels are."""
    return hashlib.sha256(repr((
        "label.pdf", _design("label.html.j2", "label.css.j2", "label.svg.j2"), label.id,
        label.credential_sha256, label.valid_until.isoformat(), issuer.public_url, size,
        str(zone), script,
    )).encode("utf-8", "surrogatepass")).digest()


def label_pdf(label: Label, issuer: Issuer, size: str = "medium", zone: tzinfo = UTC,
              script: str = "Hans") -> bytes:
    """The artwork as a print-ready PDF; served from the cache of rendered documents when
    the same label was rendered before at the same size, zone and script."""
    key = label_pdf_key(label, issuer, size, zone, script)
    cached = RENDERED.get(key)
    if cached is not None:
        return cached
    frame, _, over = label_svg(label, issuer, size, zone, script, text_as="html").partition(
        "</svg>")
    url = _frame_url(frame + "</svg>")
    html = _env().get_template("label.html.j2").render(frame_url=url, over=over)
    kept = _LOCAL.__dict__.setdefault("frames", {})
    images = {url: kept[url]} if url in kept else {}
    pdf = _render(html, (_label_stylesheet(script, size),), images)
    if url not in kept and url in images:
        if len(kept) >= FRAMES_KEPT:  # more designs than sizes and scripts: start again
            kept.clear()
        kept[url] = images[url]
    RENDERED.put(key, pdf)
    return pdf


#: Parsed label frames each rendering thread keeps (one a size and script: six in use)
FRAMES_KEPT = 16


@lru_cache(maxsize=FRAMES_KEPT)
def _frame_url(svg: str) -> str:
    """A label's frame (label.svg.j2 without its title, text and QR code: the same for every
    label of a size and script) as a data: URL. WeasyPrint keys its cache of images by URL,
    so the frame parsed once for a thread's first label of a size is drawn from that parse
    for every later one: parsing the inline SVG on every render was a seventh of a label."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def certificate_for(session: DbSession, label: Label, issuer: Issuer, zone: tzinfo = UTC,
                    script: str = "Hans") -> bytes:
    """The certificate of an issued label with its body and signatory looked up."""
    body = session.get_one(Organisation, label.certification_body_id)
    request = session.get(LabelRequest, label.request_id)
    signatory = session.get(User, request.reviewer_id) if request and request.reviewer_id \
        else None
    return certificate_pdf(label, issuer, body, zone, signatory=signatory, script=script)


def certificate_pdf(label: Label, issuer: Issuer, body: Organisation, zone: tzinfo = UTC, *,
                    signatory: User | None = None, script: str = "Hans") -> bytes:
    """The A4 certificate, Chinese (`script`: Hans or Hant) beside English: number, date
    of issue, signatory and seal, the body's address and registration; validity from the
    instant of issue to the end of the last (UTC) day, written in `zone` and naming it."""
    lang = LANG_TAGS[script]
    locale = words.DOCUMENT_LOCALES[lang]
    subject = label.credential["credentialSubject"]
    meta = subject.get("recognitionMetadata") or {}
    unit = subject["declaredUnit"]
    iso = subject["footprint"]["iso14067"]
    rules = meta.get("product_rules")
    type_zh, type_en = words.pairs(words.LABEL_TYPES, locale).get(
        subject["labelType"], (subject["labelType"], subject["labelType"]))
    claim_zh, claim_en = claim_text(subject, script)
    context = {
        "claim_zh": claim_zh, "claim_en": claim_en, "lang": lang,
        "t": words.pairs(words.CERTIFICATE, locale),
        "number": certificate_number(label.id), "label_id": label.id,
        "issued": display_time.local_day(label.issued_at, zone),
        "value": _value(subject["footprint"]["kgCO2ePerDeclaredUnit"]),
        "unit": f"{unit['amount']:g} {unit['unit']}", "type_zh": type_zh, "type_en": type_en,
        "product": subject["product"]["name"],
        "product_zh": subject["product"].get("nameZh", ""),
        "producer": subject["producer"]["name"],
        "boundary": words.both(words.BOUNDARIES, subject["boundary"], locale),
        "standards": ", ".join(f"{s.name}:{s.version}" if s.version else s.name
                               for s in read_standards(meta.get("standards"))),
        "pcr": _pcr_text(subject) or (f"{rules['name']} ({rules['operator']})" if rules
                                      else ""),
        "method": subject["footprint"]["method"],
        "release": f"factor release {subject['factorRelease']['version']}",
        "split": "; ".join(f"{words.both(words.ISO_GROUPS, k, locale)} {v:.4g}"
                           for k, v in iso.items()),
        "certifier": body.name, "address": body.address or "—",
        "registration": body.identifier or "—",
        "accreditation": " ".join(x for x in (body.accreditation_body,
                                              body.accreditation_number,
                                              body.accreditation_standard) if x),
        "signatory": signatory.name if signatory else "—",
        "seal": seal.data_uri(body),
        "valid_from": display_time.local(label.issued_at, zone),
        "valid_until": display_time.valid_until(label.valid_until, zone), "zone": str(zone),
        "verify_url": issuer.verify_page(label.id),
        "credential_url": issuer.url(f"/api/v1/labels/{label.id}/credential"),
        "fingerprint": sha256_hex(label.credential),
        "qr_data_uri": qr_png_data_uri(label_service.qr_target(label, issuer)),
    }
    return render_pdf("certificate.html.j2", script, c=context)


def certificate_number(label_id: str) -> str:
    """One certificate per label, so its number is the label's ID marked as a certificate:
    stable, unique, and checkable with the label ID's own check symbol."""
    return f"CERT-{label_id}"


def _short(name: str, limit: int = 44) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


def grouped(warnings: list[str]) -> list[str]:
    """Each distinct warning once, in first-seen order, with a count when repeated."""
    counts: dict[str, int] = {}
    for w in warnings:
        counts[w] = counts.get(w, 0) + 1
    return [w if n == 1 else f"{w} (×{n})" for w, n in counts.items()]


def _warnings_both(warnings: list[str], script: str) -> list[tuple[str, str]]:
    """The stored (English) warnings, each once, as (Chinese, English); the Chinese is empty
    for a text that matches no known template (app/services/message_text.py)."""
    zh = chinese(script)
    out = []
    for english in grouped(warnings):
        text, _x, count = english.rpartition(" (×")
        base, suffix = (text, f" (×{count}") if text and count.endswith(")") else (english, "")
        chinese_text = in_language(base, zh)
        out.append((chinese_text + suffix if chinese_text != base else "", english))
    return out


def calculation_report_pdf(calc: Calculation, changes: list[dict[str, Any]] | None,
                           recognition: list[dict[str, Any]] | None = None,
                           product: Product | None = None, script: str = "Hans") -> bytes:
    """The certifier's report, titled with the product the label is for (`product`, the
    certified product) and naming the model's own product line beneath it; Chinese in
    `script` (Hans or Hant) beside English, like the certificate."""
    result = calc.result
    unit = result["declared_unit"]
    context = {
        "product": " ".join(x for x in (product.name_zh, product.name) if x) if product
        else result["product"], "model_product": result["product"],
        "value": _value(result["kg_co2e_per_declared_unit"]),
        "unit": f"{unit['amount']:g} {unit['unit']}", "method": result["method"],
        "boundary": result["boundary"],
        "release": f"{calc.factor_release_version} ({calc.factor_release_sha256[:16]}…)",
        "inputs_sha256": calc.inputs_sha256,
        "stage_chart": bar_chart(list(result["by_stage"].items())),
        "process_chart": bar_chart([(p["name"], p["kg_co2e"]) for p in result["by_process"]]),
        "gas_chart": bar_chart(list(result["by_gas"].items())),
        "uncertainty": _uncertainty(result.get("monte_carlo")),
        "quality": _quality(result),
        "inputs": result["by_input"], "recognition": recognition, "changes": changes,
        "warnings": _warnings_both(result.get("warnings", []), script),
    }
    return render_pdf("calculation_report.html.j2", script, r=context)


def _uncertainty(mc: dict[str, Any] | None) -> tuple[str, dict[str, str]]:
    """The report's uncertainty sentence as (English msgid, values), printed in both languages."""
    if not mc:
        return N_("No Monte Carlo run was stored with this calculation."), {}
    return (N_("Monte Carlo, %(runs)s runs (seed %(seed)s): mean %(mean)s, standard deviation "
               "%(sd)s, 95 %% interval %(low)s to %(high)s kg CO2e."),
            {"runs": str(mc["iterations"]), "seed": str(mc["seed"]), "mean": f"{mc['mean']:.4g}",
             "sd": f"{mc['std']:.3g}", "low": f"{mc['p2_5']:.4g}", "high": f"{mc['p97_5']:.4g}"})


def _quality(result: dict[str, Any]) -> tuple[str, dict[str, str]]:
    dq = result["data_quality"]
    share = f"{result['primary_data_share']:.1%}"
    if dq.get("dqr") is None:
        return N_("Primary data share %(share)s; not rated."), {"share": share}
    return (N_("Primary data share %(share)s; data-quality rating %(dqr)s (1 best … 5 worst) "
               "over %(rated)s of emissions."),
            {"share": share, "dqr": f"{dq['dqr']:.2f}", "rated": f"{dq['rated_share']:.0%}"})
