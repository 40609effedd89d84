"""Reduced Chinese faces for the documents, built once from the installed Noto Sans CJK.

Why: WeasyPrint embeds a subset of every face a document uses, and HarfBuzz's subsetting
costs in proportion to the face it starts from, not to the few dozen glyphs kept: with the
full Noto Sans CJK (65,535 glyphs, a 20 MB collection) that was about a quarter of a
label's render. A face holding only the characters documents are likely to print (the
catalogues' Chinese, GB 2312 level 1, Big5 level 1, ASCII, Latin-1 and the punctuation
used, with the regional forms of `locl`) keeps about 14,400 glyphs, and the documents
register it by `@font-face` before the full face, so a rare character (a product named
with 𠮷) falls back to the full face and is still printed as real, extractable text. Smaller
tiers come first (`TIERS`: a label's own words, the documents' words), and a face cut from
DejaVu Sans (`SYMBOLS`) after the Chinese ones holds the signs Noto Sans CJK lacks.

The faces are built on first use (HarfBuzz's subsetter through cffi, about a second each)
into a cache folder (`CARBONLABEL_FONT_CACHE`, else `$XDG_CACHE_HOME/carbonlabel/fonts`,
else ~/.cache/carbonlabel/fonts), named by a digest of the source font and the character
set, so a changed font or catalogue builds anew and nothing is committed to git (WeasyPrint
copies each face a thread's documents use into its own temporary folder once: up to 16 MB
a rendering thread);
`python -m app.services.doc_fonts` (run by scripts/setup.sh) builds them ahead. If the
source font or the library is missing, documents use the installed faces as before.
No Flask here: the CLI renders documents too.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import subprocess
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.services.doc_language import FONTS, SCRIPTS, TRANSLATIONS, chinese
from app.services.document_words import ARTWORK_WORDS

LOG = logging.getLogger(__name__)
#: Bump when the way faces are built changes (the digest covers the characters and features).
RECIPE = "1"
WEIGHTS = {400: "Regular", 700: "Bold"}
_BUILD_LOCK = threading.Lock()


#: The reduced faces built for each script and weight, smallest first, as documents list
#: them: "label" holds what a label's artwork prints (its own words' Chinese, Latin and a
#: little punctuation: about 220 characters), "core" what the documents' own words need (the
#: catalogues' Chinese, Latin and punctuation: about 1,700), "common" the common characters
#: of both scripts besides (about 7,400). WeasyPrint subsets every face a document uses in
#: two passes, the second keeping every glyph up to the highest one used (desubroutinised),
#: so the cost follows the face's size and where the used glyphs sit in it, not the few
#: glyphs kept: a label's words from the label face cost a fifth of what they cost from
#: "core" (docs/benchmarks.md). A character outside a face falls back to the next, and a
#: rare one to the full face, still as text.
#: tier -> the word its faces' names carry, in the order documents list them
TIERS = {"label": "Label", "core": "Core", "common": ""}
#: The punctuation a label prints besides ASCII and Latin-1 (its type line's separator, a
#: shortened name's ellipsis, dashes and quotes in names)
LABEL_PUNCTUATION = "·–—…‘’“”"


def family(script: str, tier: str = "common") -> str:
    """A reduced face's family name in CSS (its own, so it never shadows the full face)."""
    return " ".join(filter(None, ("Doc", TIERS[tier], FONTS[script])))


def cache_dir() -> Path:
    given = os.environ.get("CARBONLABEL_FONT_CACHE")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "carbonlabel" / "fonts"


def _gb2312_level1() -> set[str]:
    """GB 2312 rows 16-55: the 3,755 most common Simplified characters."""
    found = set()
    for row in range(16, 56):
        for cell in range(1, 95):
            with contextlib.suppress(UnicodeDecodeError):
                found.add(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
    return found


def _big5_level1() -> set[str]:
    """Big5 0xA440-0xC67E: the 5,401 frequently used Traditional characters."""
    found = set()
    for code in range(0xA440, 0xC67F):
        with contextlib.suppress(UnicodeDecodeError):
            found.add(code.to_bytes(2, "big").decode("big5"))
    return found


def _catalogue_text() -> set[str]:
    """Every character of the Chinese catalogues' translations (msgstr lines)."""
    found: set[str] = set()
    for folder in SCRIPTS.values():
        for po in (TRANSLATIONS / folder).rglob("*.po"):
            for line in po.read_text("utf-8").splitlines():
                if line.startswith(("msgstr", '"')):
                    found.update(line)
    return found


#: Punctuation and signs the documents print: general punctuation, super/subscripts (CO₂),
#: letterlike symbols, arrows, math operators, CJK symbols and full-width forms
SIGNS = ((0x2010, 0x2060), (0x2070, 0x20A0), (0x2100, 0x2150), (0x2190, 0x21A0),
         (0x2200, 0x2270), (0x3000, 0x3020), (0xFF01, 0xFF5F), (0xFE30, 0xFE50))
#: The face documents list after the Chinese ones for the signs those lack (CO₂'s subscript
#: two above all), cut from DejaVu Sans to `SIGNS`: the whole DejaVu face it replaces cost
#: WeasyPrint over a millisecond of subsetting a document for that one glyph.
SYMBOLS = "Doc Symbols"
SYMBOL_SOURCE = "DejaVu Sans"


@lru_cache(maxsize=len(TIERS))
def characters(tier: str = "common") -> tuple[int, ...]:
    """The code points the reduced faces of `tier` keep, sorted."""
    if tier == "label":
        return _sorted(_label_text() | set(LABEL_PUNCTUATION) | _latin())
    chars = _catalogue_text()
    if tier != "core":
        chars |= _gb2312_level1() | _big5_level1()
    return _sorted(chars | _latin() | _signs())


def symbol_characters() -> tuple[int, ...]:
    """The code points the symbols face keeps."""
    return _sorted(_signs())


def _signs() -> set[str]:
    return {chr(c) for start, end in SIGNS for c in range(start, end)}


def _latin() -> set[str]:
    """ASCII and Latin-1."""
    return set(map(chr, range(0x20, 0x7F))) | set(map(chr, range(0xA0, 0x100)))


def _label_text() -> set[str]:
    """Every character of a label's own words in either script's Chinese."""
    return {c for script in SCRIPTS for word in ARTWORK_WORDS for c in chinese(script)(word)}


def _sorted(chars: set[str]) -> tuple[int, ...]:
    return tuple(sorted(ord(c) for c in chars if c.isprintable() or c == " "))


def _source(script: str, weight: int) -> tuple[str, int] | None:
    """The installed face (file, index in its collection) of `script`'s full family."""
    return _installed(FONTS[script], weight)


def _installed(family_name: str, weight: int) -> tuple[str, int] | None:
    """The installed face (file, index in its collection) of `family_name` at `weight`, or
    None."""
    pattern = f"{family_name}:weight={80 if weight == 400 else 200}"
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\t%{file}\t%{index}", pattern],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, rest = out.partition("\t")
    path, _, index = rest.partition("\t")
    if family_name not in families.split(",") or not path:
        return None
    return path, int(index or 0)


def _name(stem: str, weight: int, path: str, index: int, codepoints: tuple[int, ...]) -> str:
    stat = os.stat(path)
    digest = hashlib.sha256(repr((RECIPE, FEATURES, path, index, stat.st_size, int(stat.st_mtime),
                                  codepoints)).encode()).hexdigest()[:16]
    return f"{stem}-{WEIGHTS[weight]}-{digest}.otf"


_CDEF = """
typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
unsigned int hb_face_get_glyph_count (const hb_face_t *face);
void hb_set_add (hb_set_t *set, unsigned int codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_set_clear (hb_set_t *set);
unsigned int hb_tag_from_string (const char *str, int len);
"""
#: hb_subset_sets_t's HB_SUBSET_SETS_LAYOUT_FEATURE_TAG
_LAYOUT_FEATURE_TAG = 6
#: The OpenType features kept: what Pango applies to horizontal text. Vertical, full-,
#: half- and proportional-width forms and Japanese variants are left out. `locl` (the
#: regional forms a document's `lang` selects, e.g. zh-Hant's in the HK face) doubles the
#: glyphs kept (about 14,400 instead of 7,200) and costs about 10 % of a label's render,
#: but without it a certificate's glyphs could differ from those printed so far.
FEATURES = ("ccmp", "locl", "rlig", "liga", "clig", "calt", "kern", "mark", "mkmk")


@lru_cache(maxsize=1)
def _harfbuzz() -> tuple[Any, Any, Any]:
    import cffi  # type: ignore[import-untyped]

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    return ffi, ffi.dlopen("harfbuzz"), ffi.dlopen("harfbuzz-subset")


def subset_face(path: str, index: int, codepoints: tuple[int, ...]) -> tuple[bytes, int]:
    """The face `index` of `path` cut down to `codepoints` (layout tables kept, so Pango
    shapes it as the full face), with its glyph count."""
    ffi, hb, hb_subset = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        raise OSError(f"cannot read {path}")
    face = hb.hb_face_create(blob, index)
    hb.hb_blob_destroy(blob)
    request = hb_subset.hb_subset_input_create_or_fail()
    try:
        unicodes = hb_subset.hb_subset_input_unicode_set(request)
        for codepoint in codepoints:
            hb.hb_set_add(unicodes, codepoint)
        features = hb_subset.hb_subset_input_set(request, _LAYOUT_FEATURE_TAG)
        hb.hb_set_clear(features)
        for tag in FEATURES:
            hb.hb_set_add(features, hb.hb_tag_from_string(tag.encode(), 4))
        reduced = hb_subset.hb_subset_or_fail(face, request)
        if reduced == ffi.NULL:
            raise ValueError(f"HarfBuzz could not subset {path}#{index}")
        out = hb.hb_face_reference_blob(reduced)
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(hb.hb_blob_get_data(out, length), length[0]))
        glyphs = hb.hb_face_get_glyph_count(reduced)
        hb.hb_blob_destroy(out)
        hb.hb_face_destroy(reduced)
    finally:
        hb_subset.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
    return data, glyphs


def renamed(data: bytes, family_name: str) -> bytes:
    """The face with its family (and full and PostScript names) changed, so fontconfig
    never offers it for the full face's name. Only the name table is rewritten: fontTools
    copies the other tables (the glyphs) as they are."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    font = TTFont(io.BytesIO(data), lazy=True)
    names = font["name"]
    style = names.getDebugName(2) or "Regular"
    postscript = family_name.replace(" ", "") + "-" + style.replace(" ", "")
    for record in names.names:
        if record.nameID in (1, 16):
            record.string = family_name
        elif record.nameID == 4:
            record.string = f"{family_name} {style}"
        elif record.nameID == 6:
            record.string = postscript
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def build(script: str, weight: int, folder: Path | None = None, tier: str = "common"
          ) -> Path | None:
    """The reduced face of `script` at `weight` (400 or 700) holding the characters of
    `tier`, built if not yet cached; None if the full face is not installed or cannot be
    subset (documents then use the installed faces alone)."""
    stem = "-".join(filter(None, (FONTS[script].replace(" ", ""), TIERS[tier])))
    return _build(_source(script, weight), stem, family(script, tier), weight,
                  characters(tier), folder)


def build_symbols(weight: int, folder: Path | None = None) -> Path | None:
    """The symbols face (`SYMBOLS`) at `weight`, built if not yet cached; None if DejaVu
    Sans is not installed (documents then fall back to whatever face has the sign)."""
    return _build(_installed(SYMBOL_SOURCE, weight), SYMBOLS.replace(" ", ""), SYMBOLS,
                  weight, symbol_characters(), folder)


def _build(source: tuple[str, int] | None, stem: str, family_name: str, weight: int,
           codepoints: tuple[int, ...], folder: Path | None) -> Path | None:
    if source is None:
        return None
    folder = folder or cache_dir()
    target = folder / _name(stem, weight, *source, codepoints)
    if target.exists():
        return target
    with _BUILD_LOCK:
        if target.exists():
            return target
        try:
            data, glyphs = subset_face(*source, codepoints)
            data = renamed(data, family_name)
            folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            partial.write_bytes(data)
            os.replace(partial, target)  # atomic: another process may build the same face
            for stale in folder.glob(target.name.rsplit("-", 1)[0] + "-*.otf"):
                if stale != target:  # built from another font or recipe
                    stale.unlink(missing_ok=True)
        except (OSError, ValueError) as error:
            LOG.warning("documents use the installed faces: no reduced %s (%s)", stem, error)
            return None
        LOG.info("built reduced face %s (%d glyphs, %d bytes)", target.name, glyphs,
                 len(data))
        return target


@lru_cache(maxsize=8)
def font_faces(script: str, weights: tuple[int, ...] = (400, 700)) -> str:
    """The `@font-face` rules of the reduced faces of `script` ("" when none could be
    built). Cached per process: the files are immutable once written."""
    rules = []
    for tier in TIERS:
        for weight in weights:
            path = build(script, weight, tier=tier)
            if path is not None:
                rules.append(_rule(family(script, tier), path, weight))
    for weight in weights:
        path = build_symbols(weight)
        if path is not None:
            rules.append(_rule(SYMBOLS, path, weight))
    return "\n".join(rules)


def _rule(family_name: str, path: Path, weight: int) -> str:
    return (f'@font-face {{ font-family: "{family_name}"; src: url("{path.resolve().as_uri()}");'
            f' font-weight: {weight}; }}')


def main() -> None:
    """Build every reduced face now (scripts/setup.sh), printing where they are."""
    for tier in TIERS:
        for script in SCRIPTS:
            for weight in WEIGHTS:
                print(build(script, weight, tier=tier)
                      or f"{script} {weight} {tier}: no source face, skipped")
    for weight in WEIGHTS:
        print(build_symbols(weight) or f"{SYMBOLS} {weight}: no {SYMBOL_SOURCE}, skipped")


if __name__ == "__main__":
    main()
