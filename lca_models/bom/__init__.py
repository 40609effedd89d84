"""Flat bills of materials (CSV or Excel) read as inventory models.

Exporters keep a product's inventory as a spreadsheet, one row per exchange, long before anyone
writes YAML. This package turns such a table into the documented model dict, so the very same
validation (`inventory_schema.load_model`) applies, and reports every problem at the cell the
user can see (`bom.rows[7].unit`: row 7 as numbered in Excel or a text editor) instead of at a
model path (`stages[0].processes[1].inputs[0].unit`) they never wrote.

The flat format covers products, processes, stages and their exchanges; parameters,
co-products/allocation, locations, exclusions and data-quality overrides need YAML or JSON.

The package's parts: format (header keys, columns, cell values), read (CSV and XLSX readers),
build (rows to the model dict), paths (model errors back to BOM cells) and upload (any model
file to a validated model). Callers import from `lca_models.bom`.
"""

from lca_models.bom.build import model_from_bom
from lca_models.bom.format import (
    COLUMNS,
    HEADER_KEYS,
    KINDS,
    REQUIRED_COLUMNS,
    REQUIRED_HEADER_KEYS,
    ROW,
)
from lca_models.bom.paths import to_bom_paths
from lca_models.bom.read import read_bom_csv, read_bom_xlsx
from lca_models.bom.upload import load_model_upload, parse_upload

__all__ = ["COLUMNS", "HEADER_KEYS", "KINDS", "REQUIRED_COLUMNS", "REQUIRED_HEADER_KEYS", "ROW",
           "load_model_upload", "model_from_bom", "parse_upload", "read_bom_csv",
           "read_bom_xlsx", "to_bom_paths"]
