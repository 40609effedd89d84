"""Workbook bombs against the BOM and CBAM readers: refused before openpyxl builds anything,
in a process whose address space is capped (issue 19, finding 1). Time bounds are on CPU
time (`time.process_time`): the work a bomb makes us do, which a busy CI machine does not
inflate as it does wall time."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from lca_models.bom import read_bom_xlsx
from lca_models.cbam_xlsx import read_input_xlsx
from lca_models.errors import InputLimitError, InputTooLarge, MalformedInput
from lca_models.safe_load import InputLimits, using_limits
from lca_models.safe_xlsx import open_workbook
from tests.bombs import cell_bomb, run_bounded, workbook, zip_bomb_member

_READ = """
    from lca_models.errors import InputLimitError
    from lca_models.safe_load import InputLimits, using_limits
    from {module} import {reader} as read
    data = open({path!r}, "rb").read()
    started = time.process_time()
    with using_limits(InputLimits(**{limits!r})):
        try:
            read(data)
            outcome = "read"
        except InputLimitError as exc:
            outcome = exc.limit
    peak = peak_mib()
    print(json.dumps({{"outcome": outcome, "seconds": time.process_time() - started,
                       "peak_mib": peak}}))
"""


@pytest.fixture(scope="module")
def six_million_cells(tmp_path_factory):
    path = tmp_path_factory.mktemp("bombs") / "cells.xlsx"
    path.write_bytes(cell_bomb())
    return path


def test_the_bomb_is_small_and_really_holds_six_million_cells(six_million_cells):
    data = six_million_cells.read_bytes()
    assert len(data) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("xl/worksheets/sheet1.xml") as sheet:
        cells, tail = 0, b""
        for chunk in iter(lambda: sheet.read(1 << 20), b""):
            cells += (tail + chunk).count(b"<c>")
            tail = chunk[-2:]  # so a "<c>" split across two chunks is counted once
    assert cells == 6_000_000


@pytest.mark.parametrize(("module", "reader"), [("lca_models.bom", "read_bom_xlsx"),
                                                ("lca_models.cbam_xlsx", "read_input_xlsx")])
def test_six_million_cells_refused_by_the_expanded_size(six_million_cells, module, reader):
    result = run_bounded(_READ.format(module=module, reader=reader,
                                      path=str(six_million_cells), limits={}),
                         memory_mib=1024)
    assert result["outcome"] in ("max_xlsx_expanded_bytes", "max_xlsx_ratio")
    assert result["seconds"] < 2
    assert result["peak_mib"] < 120  # openpyxl imported: about 60 MiB


def test_six_million_cells_refused_while_streaming_when_size_limits_allow_it(
        six_million_cells):
    """With the archive limits opened wide, the streaming count stops at the cell limit:
    memory stays flat because no cell is kept, and no more is read than the limit."""
    wide = {"max_xlsx_expanded_bytes": 1 << 40, "max_xlsx_ratio": 1 << 30,
            "max_rows": 100_000}
    result = run_bounded(_READ.format(module="lca_models.bom", reader="read_bom_xlsx",
                                      path=str(six_million_cells), limits=wide),
                         memory_mib=1024)
    assert result["outcome"] == "max_xlsx_cells"
    assert result["seconds"] < 20
    assert result["peak_mib"] < 120  # openpyxl imported: about 60 MiB


def test_a_huge_member_is_refused_before_inflating():
    data = zip_bomb_member()
    assert len(data) < 1024 * 1024
    started = time.process_time()
    with pytest.raises(InputTooLarge) as caught:
        read_bom_xlsx(data)
    assert caught.value.limit == "max_xlsx_expanded_bytes"
    assert caught.value.where == "xl/media/image1.png"
    assert time.process_time() - started < 1
    with using_limits(InputLimits(max_xlsx_expanded_bytes=1 << 40)), \
            pytest.raises(InputTooLarge) as ratio:
        read_bom_xlsx(data)
    assert ratio.value.limit == "max_xlsx_ratio"


def test_a_claimed_dimension_does_not_pad_rows():
    """openpyxl pads each row to the sheet's <dimension>; we pad to the cells written."""
    head = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>')
    data = workbook(['<row r="1"><c r="A1" t="inlineStr"><is><t>stage</t></is></c>'
                     '<c r="B1"><v>2</v></c></row>'], head=head)
    with open_workbook(data) as book:
        assert list(book.rows("bom")) == [(1, ("stage", 2))]


@pytest.mark.parametrize(("row", "limit"), [
    ('<row r="1048576"><c r="A1048576"><v>1</v></c></row>', "max_rows"),
    ('<row r="1"><c r="XFD1"><v>1</v></c></row>', "max_columns"),
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 40_000 + "</t></is></c></row>",
     "max_cell_chars"),
])
def test_rows_columns_and_cell_text_are_capped(row, limit):
    with pytest.raises(InputLimitError) as caught:
        read_bom_xlsx(workbook([row]))
    assert caught.value.limit == limit


def test_a_dtd_is_refused():
    head = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet xmlns="'
            'http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    with pytest.raises(MalformedInput, match="declares a DTD"):
        read_input_xlsx(workbook([], head=head))


def test_not_a_zip_is_malformed_input():
    with pytest.raises(MalformedInput, match=r"not a readable \.xlsx workbook"):
        read_bom_xlsx(b"stage,process\n")
