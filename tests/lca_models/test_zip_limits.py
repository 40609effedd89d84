"""Uploaded workbooks are ZIP archives: one that would expand past the limits is refused
before openpyxl reads it, with a message that says why."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from lca_models.bom import read_bom_xlsx
from lca_models.cbam_data import import_default_values
from lca_models.cbam_xlsx import read_input_xlsx
from lca_models.errors import FactorFileError, InputTooLarge
from lca_models.zip_limits import MAX_EXPANDED_BYTES, ZipLimitError, check_zip


def _bomb(expanded: int, members: int = 1) -> bytes:
    """An XLSX-shaped archive whose sheet XML expands to `expanded` bytes (written in 1 MiB
    chunks, so the test never holds it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for n in range(members):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as sheet:
                chunk = b" " * 2**20
                for _ in range(expanded // members // 2**20):
                    sheet.write(chunk)
    return buffer.getvalue()


def test_a_workbook_bomb_is_refused_by_every_reader(tmp_path):
    bomb = _bomb(200 * 2**20)
    assert len(bomb) < 400 * 2**10
    started = time.perf_counter()
    with pytest.raises(ZipLimitError, match=r"expands to 209715\d+ bytes; at most 67108864"):
        check_zip(bomb)
    # the upload readers check the same declared sizes in lca_models.safe_xlsx
    with pytest.raises(InputTooLarge, match="expands to"):
        read_bom_xlsx(bomb)
    with pytest.raises(InputTooLarge, match="expands to"):
        read_input_xlsx(bomb)
    path = tmp_path / "defaults.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(FactorFileError) as caught:
        import_default_values(path)
    assert "expands to" in str(caught.value.errors)
    assert time.perf_counter() - started < 2.0


def test_too_many_members_are_refused():
    with pytest.raises(ZipLimitError, match="has 5 members; at most 4"):
        check_zip(_bomb(0, members=4), max_members=4)


def test_an_archive_within_the_limits_passes_and_non_zip_is_left_to_the_reader():
    check_zip(_bomb(2**20))
    check_zip(b"not a zip file")
    assert MAX_EXPANDED_BYTES == 64 * 2**20
