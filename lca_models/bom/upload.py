"""An uploaded model file, whatever its format: YAML/JSON as-is, CSV/XLSX read as a BOM and
built into a model, then validated by `load_model` with its errors mapped back to BOM cells.
The one entry point the web app and API call.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from lca_models.bom.build import _BomBuilder
from lca_models.bom.paths import to_bom_paths
from lca_models.bom.read import read_bom_csv, read_bom_xlsx
from lca_models.errors import ModelValidationError
from lca_models.inventory import InventoryModel
from lca_models.inventory_schema import load_model, parse_model_text
from lca_models.messages import N_


def load_model_upload(filename: str, content: bytes) -> InventoryModel:
    """A validated model from an uploaded file: YAML/JSON as-is, CSV/XLSX as a BOM."""
    return _upload(filename, content)[2]


def parse_upload(filename: str, content: bytes) -> tuple[dict[str, Any], str]:
    """The uploaded model as plain data (what a service stores) and its source format,
    validated exactly as `load_model_upload` does."""
    data, fmt, _ = _upload(filename, content)
    return data, fmt


def _upload(filename: str, content: bytes) -> tuple[dict[str, Any], str, InventoryModel]:
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        fmt = "json" if suffix == ".json" else "yaml"
        data = parse_model_text(_decode(content), fmt)
        return data, fmt, load_model(data)
    if suffix == ".csv":
        header, rows = read_bom_csv(_decode(content))
    elif suffix == ".xlsx":
        header, rows = read_bom_xlsx(content)
    else:
        raise ModelValidationError({"file": N_(
            "'%(file)s': unsupported file type; upload .yaml, .yml, .json, .csv or .xlsx",
            file=filename)})
    model, cells = _BomBuilder(header, rows).build()
    try:
        return model, suffix[1:], load_model(model)
    except ModelValidationError as exc:
        raise ModelValidationError(to_bom_paths(exc.errors, cells)) from None


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelValidationError({"file": N_(
            "not UTF-8 text (byte %(byte)s); save the file as UTF-8 ('CSV UTF-8' in Excel)",
            byte=exc.start)}) from None
