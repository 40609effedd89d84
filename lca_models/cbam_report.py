"""Outputs of a CBAM report: a JSON document and an XLSX for EU importers.

Importers copy values from the operator's "communication template" into their declaration,
so the XLSX summary sheet keeps the template's "Summary_Communication" layout and product
columns in the template's order (see NOTES.md in the shared CBAM standards folder); detail
sheets carry what a verifier needs to redo the numbers. The file is written to a temporary
name first so a failure never leaves half a workbook under the target name.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lca_models.cbam_data import Markup
from lca_models.cbam_results import (
    CarbonPriceResult,
    CbamReport,
    FootprintComparison,
    GoodResult,
    PrecursorResult,
    ProcessResult,
    StreamResult,
)
from lca_models.inert import inert_value, new_workbook

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

REPORT_FORMAT = "carbonlabel-cbam-report/1"
_PCT_FORMAT = "0.00%"
_SEE_FORMAT = "0.00000"


def _param(key: str) -> Callable[[GoodResult], Any]:
    return lambda g: g.parameters.get(key)


def _price(attr: str) -> Callable[[GoodResult], Any]:
    return lambda g: getattr(g.carbon_price, attr) if g.carbon_price else None


def _calcined(g: GoodResult) -> str | None:
    value = g.parameters.get("calcined")
    return None if value is None else ("calcined" if value else "not calcined")


#: The template's product table: (header exactly as in NOTES.md, value, number format).
PRODUCT_COLUMNS: tuple[tuple[str, Callable[[GoodResult], Any], str | None], ...] = (
    ("production process the product comes from", lambda g: g.process_name, None),
    ("type of aggregated good or precursor", lambda g: g.goods_category, None),
    ("CN code", lambda g: g.cn_code, None),
    ("CN name", lambda g: g.cn_name, None),
    ("product name used with the declarant (e.g. on invoices)", lambda g: g.name, None),
    ("SEE direct", lambda g: g.see_direct, _SEE_FORMAT),
    ("SEE indirect", lambda g: g.see_indirect, _SEE_FORMAT),
    ("SEE total", lambda g: g.see_total, _SEE_FORMAT),
    ("unit", lambda g: f"tCO2e/{g.unit}", None),
    ("share of emissions determined by default values", lambda g: g.default_share, _PCT_FORMAT),
    ("source of the electricity emission factor", lambda g: g.electricity_ef_source, None),
    ("embedded electricity (MWh/t)", lambda g: g.embedded_electricity_mwh_per_t, None),
    ("electricity EF (tCO2/MWh)", lambda g: g.electricity_ef_t_per_mwh, None),
    ("main reducing agent of the precursor", _param("main_reducing_agent"), None),
    ("steel mill identification number", _param("steel_mill_id"), None),
    ("% Mn", _param("mn_percent"), None),
    ("% Cr", _param("cr_percent"), None),
    ("% Ni", _param("ni_percent"), None),
    ("% other alloys", _param("other_alloys_percent"), None),
    ("% carbon", _param("carbon_percent"), None),
    ("t scrap per t steel", _param("scrap_t_per_t_steel"), None),
    ("% other materials", _param("other_materials_percent"), None),
    ("% pre-consumer scrap", _param("pre_consumer_scrap_percent"), None),
    ("t scrap per t aluminium", _param("scrap_t_per_t_aluminium"), None),
    ("% non-aluminium elements", _param("non_aluminium_percent"), None),
    ("clinker factor", _param("clinker_factor"), None),
    ("calcined or not", _calcined, None),
    ("concentration if hydrous solution", _param("hydrous_concentration_percent"), None),
    ("% nitric acid", _param("nitric_acid_percent"), None),
    ("% urea", _param("urea_percent"), None),
    ("% N contained", _param("n_total_percent"), None),
    ("% N as ammonium", _param("n_ammonium_percent"), None),
    ("% N as nitrate", _param("n_nitrate_percent"), None),
    ("% N as urea", _param("n_urea_percent"), None),
    ("% N in other (organic) forms", _param("n_other_percent"), None),
    ("type of carbon-pricing instrument", _price("instrument"), None),
    ("share of total embedded emissions covered by the carbon price", _price("share_covered"),
     _PCT_FORMAT),
    ("embedded emissions covered by the carbon price", _price("covered_t_per_unit"), None),
    ("currency", _price("currency"), None),
    ("carbon price due (per t or MWh)", _price("due_per_unit"), "0.00"),
    ("type of rebate", _price("rebate_type"), None),
    ("share of embedded emissions covered by the rebate", _price("rebate_share"), _PCT_FORMAT),
    ("embedded emissions covered by the rebate", _price("rebate_covered_t_per_unit"), None),
    ("amount of rebate (per t or MWh)", _price("rebate_per_unit"), "0.00"),
    ("effective carbon price due (per t or MWh)", _price("effective_per_unit"), "0.00"),
)
PRODUCT_HEADERS = tuple(c[0] for c in PRODUCT_COLUMNS)
PROCESS_HEADERS = (
    "production process", "aggregated goods category", "route",
    "calculation-based excluding PFC (tCO2e)", "PFC (tCO2e)", "measurement-based (tCO2e)",
    "other (tCO2e)", "total direct emissions (tCO2e)", "attributed direct emissions (tCO2e)",
    "indirect emissions (tCO2e)", "total attributed emissions (tCO2e)")


def to_json(report: CbamReport) -> dict[str, Any]:
    """The full report as JSON-ready data (dates as ISO text, SEE rounded, the rest exact)."""
    return {"format": REPORT_FORMAT, **_plain(report)}


def from_json(doc: Mapping[str, Any]) -> CbamReport:
    """The report back from its JSON document, so a stored report can be written as XLSX or
    PDF later exactly as computed, without recomputing against a newer factor release."""
    if doc.get("format") != REPORT_FORMAT:
        raise ValueError(f"not a {REPORT_FORMAT} document")
    inst = dict(doc["installation"])
    inst["reporting_period"] = {k: date.fromisoformat(v) if isinstance(v, str) else v
                                for k, v in inst["reporting_period"].items()}
    return CbamReport(
        installation=inst, data_quality=doc["data_quality"],
        source_streams=tuple(StreamResult(**s) for s in doc["source_streams"]),
        processes=tuple(ProcessResult(**{**p, "emissions_by_approach": MappingProxyType(
            p["emissions_by_approach"])}) for p in doc["processes"]),
        precursors=tuple(PrecursorResult(**{**p, "consumed_t": MappingProxyType(
            p["consumed_t"])}) for p in doc["precursors"]),
        goods=tuple(_good(g) for g in doc["goods"]),
        total_direct_t=doc["total_direct_t"], total_indirect_t=doc["total_indirect_t"],
        markup=Markup(**doc["markup"]) if doc["markup"] else None,
        default_values_source=doc["default_values_source"],
        factor_release=doc["factor_release"], notes=tuple(doc["notes"]))


def _good(g: Mapping[str, Any]) -> GoodResult:
    cp, fp = g["carbon_price"], g.get("product_footprint")
    return GoodResult(**{
        **g, "parameters": MappingProxyType(g["parameters"]),
        "carbon_price": cp and CarbonPriceResult(**{**cp, "evidence": tuple(cp["evidence"])}),
        "product_footprint": fp and FootprintComparison(**{
            **fp, "boundary_notes": tuple(fp["boundary_notes"])})})


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_xlsx(report: CbamReport, path: str | Path) -> Path:
    """Write the importer workbook; returns the path written."""
    path = Path(path)
    book, summary = new_workbook()
    summary.title = "Summary_Communication"
    _summary(summary, report)
    _detail(book.create_sheet("Processes"), report.processes)
    _detail(book.create_sheet("Source_streams"), report.source_streams)
    _detail(book.create_sheet("Precursors"), report.precursors)
    _footprints(book, report)
    notes = book.create_sheet("Notes")
    for line in ("Notes", *report.notes, f"Factor release: {report.factor_release}",
                 f"Default values: {report.default_values_source or 'not used'}"):
        _append(notes, [line])
    return save_workbook(book, path)


def _append(ws: Worksheet, row: list[Any]) -> None:
    """A row whose text cells can never run as formulas (names come from the operator), and
    whose numbers carry no binary noise (see `tidy_number`)."""
    ws.append([inert_value(tidy_number(v)) for v in row])


def tidy_number(value: Any) -> Any:
    """A float as a person would read it: 12 significant digits, so a sum such as
    836781.1900000001 is stored as 836781.19. Twelve digits keep every reported decimal
    (SEE has five, tonnes and money two) of any value below 10**6 t with room to spare."""
    if isinstance(value, float) and not isinstance(value, bool):
        return float(f"{value:.12g}")
    return value


def save_workbook(book: Workbook, path: Path) -> Path:
    """Save through a temporary file and a rename, so a failed write leaves no half file."""
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _summary(ws: Worksheet, report: CbamReport) -> None:
    inst = report.installation
    period, coords, op = inst["reporting_period"], inst["coordinates"], inst["operator"]
    quality = report.data_quality or {}
    from openpyxl.styles import Font

    bold = Font(bold=True)
    _append(ws, ["Summary of the communication to importers (CBAM, Regulation (EU) 2023/956)"])
    ws["A1"].font = bold
    block = (
        ("Name of the installation (English)", inst["name_en"]),
        ("Street and number", inst["address"]["street"]),
        ("City", inst["address"]["city"]),
        ("Postcode", inst["address"]["postcode"]),
        ("Economic activity", inst["economic_activity"]),
        ("Country", inst["country"]),
        ("Subdivision", inst["subdivision"]),
        ("UN/LOCODE", inst["unlocode"]),
        ("Latitude of the main emission source", coords["latitude"]),
        ("Longitude of the main emission source", coords["longitude"]),
        ("Start of the reporting period", period["start"]),
        ("End of the reporting period", period["end"]),
        ("Operator", op["name"]),
        (f"Operator identifier ({op['identifier_type']})", op["identifier"]),
        ("Operator address", op["address"]),
    )
    for label, value in block:
        _append(ws, [label, value])
        if isinstance(value, date):
            ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    _append(ws, [])
    _append(ws, ["Production processes"])
    ws.cell(ws.max_row, 1).font = bold
    _append(ws, list(PROCESS_HEADERS))
    for p in report.processes:
        a = p.emissions_by_approach
        _append(ws, [p.name, p.goods_category, p.route, a["calculation"], a["pfc"],
                   a["measurement"], a["other"], p.direct_emissions_t, p.attributed_direct_t,
                   p.attributed_indirect_t, p.attributed_direct_t + p.attributed_indirect_t])
    _append(ws, ["Total", None, None, None, None, None, None, report.total_direct_t, None,
               report.total_indirect_t, report.total_direct_t + report.total_indirect_t])
    _append(ws, [])
    instruments = sorted({g.carbon_price.name for g in report.goods if g.carbon_price})
    for label, value in (
            ("Data quality information", quality.get("information")),
            ("Justification for the use of default values",
             quality.get("default_value_justification")),
            ("Quality assurance", quality.get("quality_assurance")),
            ("Carbon price instrument", "; ".join(instruments) or None)):
        _append(ws, [label, value])
    for note in report.notes:
        _append(ws, ["Note", note])
    _append(ws, [])
    _append(ws, ["Products"])
    ws.cell(ws.max_row, 1).font = bold
    _append(ws, list(PRODUCT_HEADERS))
    for cell in ws[ws.max_row]:
        cell.font = bold
    for good in report.goods:
        _append(ws, [column(good) for _, column, _ in PRODUCT_COLUMNS])
        for cell, (_, _, fmt) in zip(ws[ws.max_row], PRODUCT_COLUMNS, strict=True):
            if fmt and cell.value is not None:
                cell.number_format = fmt
    ws.column_dimensions["A"].width = 42


def _detail(ws: Worksheet, items: tuple[Any, ...]) -> None:
    """One row per result, one column per field, so a verifier can filter and re-add."""
    if not items:
        _append(ws, ["(none)"])
        return
    names = [f.name for f in dataclasses.fields(items[0])]
    _append(ws, names)
    for item in items:
        _append(ws, [_cell(getattr(item, n)) for n in names])


def _footprints(book: Workbook, report: CbamReport) -> None:
    """Goods with a product footprint: both values per unit and why they differ."""
    goods = [(g, f) for g in report.goods if (f := g.product_footprint)]
    if not goods:
        return
    ws = book.create_sheet("Product_footprints")
    _append(ws, ["CN code", "product name", "SEE total (tCO2e per unit)",
               "footprint (kg CO2e per declared unit)", "declared unit", "boundary", "method",
               "reference", "footprint (tCO2e per unit)", "footprint - SEE (tCO2e per unit)",
               "differences in boundary"])
    for g, f in goods:
        _append(ws, [g.cn_code, g.name, f.see_total, f.kg_co2e_per_declared_unit,
                   f.declared_unit, f.boundary, f.method, f.reference, f.footprint_t_per_unit,
                   f.difference_t_per_unit, " ".join(f.boundary_notes)])


def _cell(value: Any) -> Any:
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={v}" for k, v in value.items()) or None
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value) or None
    return value
