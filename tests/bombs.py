"""Small generated files that would blow up an unbounded reader (issue 19), and a way to run
a reader under a memory ceiling.

Every bomb is generated here, never stored: a billion-laughs YAML of a few hundred bytes, a
workbook of six million cells that zips to about a megabyte (the sheet XML is streamed into
the zip, so the test never holds it), a zip with one huge member.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="bom" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
               'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"


def _package(zf: zipfile.ZipFile) -> None:
    zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
    zf.writestr("_rels/.rels", _ROOT_RELS)
    zf.writestr("xl/workbook.xml", _WORKBOOK)
    zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)


def workbook(rows: list[str], extra: dict[str, bytes] | None = None,
             head: str = _SHEET_HEAD) -> bytes:
    """A minimal one-sheet workbook ('bom') whose sheetData is the given <row> elements."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        _package(zf)
        zf.writestr("xl/worksheets/sheet1.xml", head + "".join(rows) + _SHEET_TAIL)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


def cell_bomb(rows: int = 60_000, columns: int = 100) -> bytes:
    """rows × columns numeric cells (6 million by default), streamed into the zip."""
    row_xml = ("<row>" + "<c><v>1</v></c>" * columns + "</row>").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _package(zf)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode())
            block = row_xml * 1000
            for _ in range(rows // 1000):
                sheet.write(block)
            sheet.write(_SHEET_TAIL.encode())
    return buffer.getvalue()


def zip_bomb_member(size: int = 128 * 1024 * 1024) -> bytes:
    """A valid workbook plus one member that inflates to `size` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _package(zf)
        zf.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD + _SHEET_TAIL)
        with zf.open("xl/media/image1.png", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """Nested YAML aliases: width**levels strings from a few hundred bytes."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def run_bounded(code: str, *, memory_mib: int = 1024, timeout: float = 60) -> dict:
    """Run `code` in a fresh interpreter whose address space is capped (RLIMIT_AS) and return
    the JSON it prints last; a reader that needs more memory fails there, not in pytest."""
    prelude = textwrap.dedent(f"""
        import json, resource, sys, time
        sys.path.insert(0, {str(REPO)!r})
        resource.setrlimit(resource.RLIMIT_AS, ({memory_mib} << 20, {memory_mib} << 20))

        def peak_mib():
            # this process's own high-water mark (ru_maxrss would include the parent's
            # resident size at fork, which Linux keeps across exec)
            with open("/proc/self/status") as status:
                line = next(x for x in status if x.startswith("VmHWM:"))
            return int(line.split()[1]) // 1024
    """)
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
