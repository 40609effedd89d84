"""The reduced CJK faces the documents embed first: built from the installed Noto Sans CJK,
a label face with a label's own words, a core face with the documents' words, then the
common characters, backed by the full face, so a less common or rare character is still
printed as real text; and a symbols face cut from DejaVu Sans for the signs those lack."""

from __future__ import annotations

import subprocess
from datetime import date
from types import SimpleNamespace

import pytest
from fontTools.ttLib import TTFont

from app.services import doc_fonts, documents
from app.services.issuer import Issuer

RARE = "𠮷龘"  # Unicode Ext. B and a character of neither GB 2312 level 1 nor Big5 level 1
COMMON_ONLY = "梨"  # GB 2312 level 1, in no catalogue


def test_the_character_set_is_the_common_characters_of_both_scripts():
    chars = set(map(chr, doc_fonts.characters()))
    assert {"碳", "足", "迹", "跡", "證", "书", "A", "é", "·", "—", "、", "。"} <= chars
    assert not set(RARE) & chars
    assert 6500 < len(chars) < 9000  # GB 2312 L1 3,755 ∪ Big5 L1 5,401 ∪ catalogues, Latin


def test_the_core_characters_are_the_documents_own_words():
    core = set(map(chr, doc_fonts.characters("core")))
    assert {"碳", "足", "迹", "跡", "證", "书", "A", "é", "·", "—", "、", "。", "₂"} <= core
    assert core < set(map(chr, doc_fonts.characters()))
    assert COMMON_ONLY not in core and COMMON_ONLY in set(map(chr, doc_fonts.characters()))
    assert 1200 < len(core) < 2500


def test_a_core_face_is_a_fraction_of_the_common_one(tmp_path):
    core = TTFont(doc_fonts.build("Hans", 700, tmp_path, tier="core"))
    common = TTFont(doc_fonts.build("Hans", 700, tmp_path))
    assert core["maxp"].numGlyphs * 4 < common["maxp"].numGlyphs
    assert core["name"].getDebugName(1) == "Doc Core Noto Sans CJK SC"
    assert ord("碳") in core.getBestCmap() and ord(COMMON_ONLY) not in core.getBestCmap()


def test_a_reduced_face_is_under_a_quarter_of_the_full_face_and_named_apart(tmp_path):
    path = doc_fonts.build("Hant", 400, tmp_path)
    assert path is not None and path.parent == tmp_path
    assert doc_fonts.build("Hant", 400, tmp_path) == path  # built once
    font = TTFont(path)
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "碳足跡證書有效期至")
    assert not any(ord(c) in cmap for c in RARE)
    assert font["maxp"].numGlyphs < 65535 / 4
    assert font["name"].getDebugName(1) == "Doc Noto Sans CJK HK"


def test_each_character_comes_from_the_smallest_face_holding_it_and_stays_text(tmp_path):
    words = documents._language("Hans")
    html = (f"<p style='font-family: "
            f"\"{words['doc_core_font']}\", \"{words['doc_font']}\", \"{words['font']}\"'>"
            f"碳足迹 {COMMON_ONLY} {RARE} Carbon</p>")
    pdf = tmp_path / "rare.pdf"
    pdf.write_bytes(documents._render(html, (documents._stylesheet(documents.DOCUMENT_CSS,
                                                                   "Hans"),)))
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert f"碳足迹 {COMMON_ONLY} {RARE} Carbon" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                           text=True).stdout
    embedded = [line.split()[0].split("+")[1] for line in fonts.splitlines()[2:]]
    assert "Doc-Core-Noto-Sans-CJK-SC" in embedded  # the documents' words: the core face
    assert "Doc-Noto-Sans-CJK-SC" in embedded  # a common character: the common face
    assert "Noto-Sans-CJK-SC" in embedded  # the rare ones: the full face


def test_the_label_characters_are_a_labels_own_words():
    label = set(map(chr, doc_fonts.characters("label")))
    assert {"碳", "足", "迹", "跡", "有", "效", "期", "至", "A", "é", "·", "…"} <= label
    assert label < set(map(chr, doc_fonts.characters("core")))
    assert "證" not in label  # the certificate's word: in the core face, not a label's
    assert 150 < len(label) < 400


def _label(label_type: str, claim: dict) -> SimpleNamespace:
    """A label as documents.label_pdf reads one, of `label_type` with its claim."""
    subject = {"footprint": {"kgCO2ePerDeclaredUnit": 404.2}, "labelType": label_type,
               "declaredUnit": {"amount": 1, "unit": "t"}, "homeScheme": "gba-home",
               "certifier": {"name": "Demo Verification Body (fictional)"},
               "product": {"name": "Rebar"}, **claim}
    return SimpleNamespace(id="GBA-2026-7K3M-Q9TD-1", credential_sha256=label_type,
                           credential={"credentialSubject": subject},
                           valid_until=date(2027, 12, 31))


CLAIMS = {
    "footprint_disclosure": {},
    "rating": {"rating": {"grade": "A", "benchmark": {"kgCO2ePerDeclaredUnit": 500.0,
                                                      "year": 2025}}},
    "reduction": {"reduction": {"reductionPercent": 12.5,
                                "baselineLabelId": "GBA-2025-7K3M-Q9TD-1"}},
}


@pytest.mark.parametrize("script", ["Hans", "Hant"])
def test_a_label_embeds_only_the_label_and_symbol_faces(tmp_path, script):
    """What the label tier is for: every type of label, with its claim, in either script
    and every size, prints from the label faces alone (and CO₂'s subscript from the
    symbols face): a word missing from document_words.ARTWORK_WORDS would bring in a larger
    face here."""
    issuer = Issuer(public_url="https://labels.example.org", keys_dir=tmp_path)
    for label_type, claim in CLAIMS.items():
        for size in documents.SIZES:
            pdf = tmp_path / f"{label_type}-{size}.pdf"
            pdf.write_bytes(documents.label_pdf(_label(label_type, claim), issuer, size,
                                                script=script))
            fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                                   text=True).stdout
            embedded = {line.split()[0].split("+")[1] for line in fonts.splitlines()[2:]}
            region = "SC" if script == "Hans" else "HK"
            assert embedded <= {f"Doc-Label-Noto-Sans-CJK-{region}",
                                f"Doc-Label-Noto-Sans-CJK-{region}-Bold", "Doc-Symbols",
                                "Doc-Symbols-Bold"}, (
                label_type, size, embedded)
            assert "Doc-Symbols" in embedded  # kg CO₂e


def test_without_the_source_face_documents_use_the_installed_faces(monkeypatch, tmp_path):
    monkeypatch.setattr(doc_fonts, "_installed", lambda family_name, weight: None)
    monkeypatch.setenv("CARBONLABEL_FONT_CACHE", str(tmp_path))
    monkeypatch.setattr(documents._LOCAL, "stylesheets", {}, raising=False)  # none kept
    doc_fonts.font_faces.cache_clear()
    try:
        assert doc_fonts.build("Hans", 400) is None and doc_fonts.font_faces("Hans") == ""
        assert list(tmp_path.iterdir()) == []
        pdf = tmp_path / "plain.pdf"
        html = "<p style='font-family: \"Noto Sans CJK SC\"'>碳足迹</p>"
        pdf.write_bytes(documents._render(html, (documents._stylesheet(
            documents.DOCUMENT_CSS, "Hans"),)))
        fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                               text=True).stdout
        assert "Noto-Sans-CJK-SC" in fonts and "Doc-Noto" not in fonts
    finally:
        doc_fonts.font_faces.cache_clear()


def test_setup_builds_every_face_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CARBONLABEL_FONT_CACHE", str(tmp_path))
    doc_fonts.main()
    built = sorted(tmp_path.glob("*.otf"))
    # 3 tiers × 2 scripts × 2 weights, and the symbols face in 2 weights
    assert len(built) == 14 and not list(tmp_path.glob("*.tmp"))
    stamps = [p.stat().st_mtime_ns for p in built]
    doc_fonts.main()  # a second run (scripts/setup.sh again) keeps them
    assert [p.stat().st_mtime_ns for p in sorted(tmp_path.glob("*.otf"))] == stamps
    monkeypatch.setattr(doc_fonts, "RECIPE", "another")  # a new recipe replaces them
    doc_fonts.main()
    rebuilt = sorted(tmp_path.glob("*.otf"))
    assert len(rebuilt) == 14 and not set(rebuilt) & set(built)


def test_a_rendering_process_leaves_no_copied_faces_behind(tmp_path):
    """WeasyPrint copies the faces a thread's documents use into a temporary folder, removed
    when its font configuration is dropped; the kept label stylesheets hold that
    configuration, so it must be dropped before the interpreter is taken apart."""
    import os
    import sys
    from pathlib import Path

    script = (  # the service's modules loaded, as in a worker
        "from app import create_app\n"
        "app = create_app({'DEV_MODE': True})\n"
        "from app.services import documents\n"
        "documents._render('<p>碳足迹</p>', (documents._label_stylesheet('Hans', 'small'),))\n"
        "import tempfile; print(tempfile.gettempdir())\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[3], check=True,
                          env={**os.environ, "TMPDIR": str(temp),
                               "CARBONLABEL_INSTANCE": str(tmp_path / "instance")})
    assert done.stdout.strip() == str(temp)
    assert "Exception ignored" not in done.stderr
    assert list(temp.iterdir()) == []
