"""Reading rendered PDFs back, as a reader's tools would: poppler's pdftotext (with word
boxes) and pdftoppm, and ZXing-C++ for QR codes. Shared by the document tests."""

from __future__ import annotations

import os
import re
import subprocess
from html import unescape
from pathlib import Path


def words(pdf: bytes, tmp_path: Path) -> list[tuple[int, float, float, float, float, str]]:
    """Every word with its page number and box (points), plus each page's size as a word
    "" with box (0, 0, width, height)."""
    path = tmp_path / "boxes.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    found: list[tuple[int, float, float, float, float, str]] = []
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", html, re.S), start=1):
        size = re.match(r'width="([\d.]+)" height="([\d.]+)"', page)
        assert size, page[:80]
        found.append((number, 0.0, 0.0, float(size[1]), float(size[2]), ""))
        for box in re.finditer(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" '
                               r'yMax="([\d.-]+)">(.*?)</word>', page):
            found.append((number, *map(float, box.groups()[:4]), unescape(box[5])))
    return found


def outside_page(pdf: bytes, tmp_path: Path) -> list[str]:
    """Words whose box leaves the page (clipped in print); empty when all text fits."""
    pages: dict[int, tuple[float, float]] = {}
    out = []
    for page, x0, y0, x1, y1, text in words(pdf, tmp_path):
        if not text:
            pages[page] = (x1, y1)
            continue
        width, height = pages[page]
        if x0 < -0.5 or y0 < -0.5 or x1 > width + 0.5 or y1 > height + 0.5:
            out.append(f"page {page}: {text!r} at ({x0:.1f},{y0:.1f})-({x1:.1f},{y1:.1f})")
    return out


def png_pages(pdf: bytes, tmp_path: Path, dpi: int = 150) -> list[Path]:
    """Each page as a PNG at `dpi`; kept in $CARBONLABEL_DOC_PNG_DIR when set, to look at."""
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")],
                   check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    keep = os.environ.get("CARBONLABEL_DOC_PNG_DIR")
    if keep:
        for png in pngs:
            (Path(keep) / f"{tmp_path.name}-{png.name}").write_bytes(png.read_bytes())
    return pngs


def qr_texts(png: Path) -> list[str]:
    """The QR codes ZXing-C++ finds in an image, as text."""
    import zxingcpp
    from PIL import Image

    with Image.open(png) as image:
        return [r.text for r in zxingcpp.read_barcodes(image)
                if r.format == zxingcpp.BarcodeFormat.QRCode]
