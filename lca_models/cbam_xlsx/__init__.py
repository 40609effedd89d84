"""A CBAM report input as an Excel workbook, for exporters who keep monitoring data in
spreadsheets rather than YAML.

The workbook has one sheet per section of the input document: `Installation`,
`DefaultValues`, `DataQuality` and `Document` (top-level scalars) as field/value rows;
`SourceStreams`, `Processes`, `Precursors`, `Goods`, `CarbonPrices` as tables with one row
per item; and one table per list inside an item (`ProcessPrecursors`, `CarbonPriceRebates`,
...), whose first column names the parent item (a process by its `id`, a carbon price by its
`name`). Column headers are the schema's field names, nested fields dotted
(`coordinates.latitude`), a good's qualifying parameters as `parameters.<key>`, and a list of
ids (`processes` of a carbon price) as one cell separated by commas.

The layout is derived from `cbam_schema.CbamInputSchema` (and `QUALIFYING_PARAMETERS`) when
first used, so a field added to the schema gets its column without a second list to keep in
step; a new section or list without a sheet name here fails loudly instead of being dropped.

The reader only translates cells to the plain document the YAML loader gets (types, required
cells, unknown sheets and columns); the document is then validated by `load_report_data` like
any other, and every error — including those `compute_report` finds later — is reported at
the cell it came from (`Goods!C5: not a number`).
"""

from lca_models.cbam_xlsx.layout import (
    CHILD_SHEETS,
    DOCUMENT_SHEET,
    FIELD_HEADERS,
    PARENT_KEYS,
    SECTION_SHEETS,
    Column,
    SheetSpec,
    layout,
    sheet_headers,
)
from lca_models.cbam_xlsx.read import load_input_xlsx, read_input_xlsx
from lca_models.cbam_xlsx.write import write_input_xlsx

__all__ = ["CHILD_SHEETS", "DOCUMENT_SHEET", "FIELD_HEADERS", "PARENT_KEYS", "SECTION_SHEETS",
           "Column", "SheetSpec", "layout", "load_input_xlsx", "read_input_xlsx",
           "sheet_headers", "write_input_xlsx"]
