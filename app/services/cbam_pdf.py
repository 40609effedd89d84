"""The CBAM communication as a bilingual PDF, for importers who want a document to file.

The numbers are the same `CbamReport` the XLSX and JSON are written from; this module only
formats them (SEE with five decimals as reported, tonnes and money with two) and hands them to
the shared WeasyPrint renderer, so the PDF looks like the service's other documents.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.services.documents import render_pdf
from lca_models.cbam_report import PRODUCT_COLUMNS
from lca_models.cbam_results import CbamReport, GoodResult

DASH = "—"
#: Words for the enumerations of the input schema (lca_models/cbam_schema.py), both languages;
#: an importer should never read `free_allocation`.
WORDS = {
    "free_allocation": "免费配额 free allocation", "compensation": "补偿 compensation",
    "tax_deduction": "税收减免 tax deduction", "other": "其他 other",
    "actual": "实际数据 actual data", "default": "默认值 default values",
    "own": "自产 own production", "purchased": "外购 purchased",
}


def words(value: str | None) -> str:
    """The words for an enumeration value; anything else (free text) unchanged."""
    return DASH if not value else WORDS.get(value, value)


def cbam_report_pdf(report: CbamReport) -> bytes:
    return render_pdf("cbam_report.html.j2", r=cbam_context(report))


def see(value: float | None) -> str:
    return DASH if value is None else f"{value:.5f}"


def tonnes(value: float | None) -> str:
    return DASH if value is None else f"{value:,.2f}"


def share(value: float | None) -> str:
    return DASH if value is None else f"{value:.2%}"


def cbam_context(report: CbamReport) -> dict[str, Any]:
    """Everything the template shows, as display text."""
    inst = report.installation
    op, period, coords = inst["operator"], inst["reporting_period"], inst["coordinates"]
    address = ", ".join(x for x in (inst["address"]["street"], inst["address"]["city"],
                                    inst["address"]["postcode"]) if x)
    installation = [
        ("装置名称", "Installation (English name)", inst["name_en"]),
        ("本地名称", "Local name", inst["name_local"] or DASH),
        ("地址", "Street and number, city", address),
        ("经济活动", "Economic activity", inst["economic_activity"]),
        ("国家和地区", "Country, subdivision",
         ", ".join(x for x in (inst["country"], inst["subdivision"]) if x)),
        ("联合国地点代码", "UN/LOCODE", inst["unlocode"]),
        ("主要排放源坐标", "Coordinates of the main emission source",
         f"{coords['latitude']:g}, {coords['longitude']:g}"),
        ("报告期", "Reporting period", f"{_day(period['start'])} – {_day(period['end'])}"),
        ("运营者", "Operator", f"{op['name']} ({op['identifier_type']} {op['identifier']})"),
        ("运营者地址", "Operator address", op["address"]),
    ]
    processes = [{
        "name": p.name, "category": p.goods_category, "route": p.route,
        "activity": f"{p.activity_level:,.2f} {p.unit}", "direct": tonnes(p.direct_emissions_t),
        "attributed_direct": tonnes(p.attributed_direct_t),
        "indirect": tonnes(p.attributed_indirect_t),
        "see": f"{see(p.see_direct)} / {see(p.see_indirect)}"} for p in report.processes]
    precursors = [{
        "name": p.name, "category": p.goods_category, "cn_code": p.cn_code or "",
        "origin": words(p.origin) + (" (EU)" if p.eu_origin else ""),
        "source": "EU origin, zero" if p.eu_origin else words(p.see_source),
        "see_direct": see(p.see_direct), "see_indirect": see(p.see_indirect),
        "consumed": "; ".join(f"{k} {v:,.2f}" for k, v in p.consumed_t.items()) or DASH}
        for p in report.precursors]
    quality = report.data_quality or {}
    markup = report.markup
    sources = [
        ("默认值来源", "Source of default values", report.default_values_source or "not used"),
        ("加成", "Mark-up on default values", DASH if markup is None else
         f"{markup.year}: {markup.percent:g} %" + ("" if markup.confirmed else
                                                   " (UNCONFIRMED)")),
        ("排放因子版本", "Emission factor release", report.factor_release),
        ("数据质量", "Data-quality information", quality.get("information") or DASH),
        ("使用默认值的理由", "Justification for default values",
         quality.get("default_value_justification") or DASH),
        ("质量保证", "Quality assurance", quality.get("quality_assurance") or DASH),
    ]
    instruments: dict[str, Any] = {}
    for g in report.goods:
        c = g.carbon_price
        if c and c.name not in instruments:
            instruments[c.name] = {
                "name": c.name, "instrument": c.instrument, "legal_act": c.legal_act,
                "country": c.country, "price": f"{c.price_per_tco2e:,.2f} {c.currency} per tCO2e",
                "share": share(c.share_covered),
                "rebates": f"{words(c.rebate_type)} ({share(c.rebate_share)})" if c.rebate_type
                else "none",
                "evidence": "; ".join(f"{e['title']} ({e['reference']})" for e in c.evidence)}
    return {
        "installation_name": inst["name_en"], "installation": installation,
        "processes": processes, "total_direct": tonnes(report.total_direct_t),
        "total_indirect": tonnes(report.total_indirect_t),
        "goods": [_good(g) for g in report.goods], "precursors": precursors,
        "prices": list(instruments.values()), "sources": sources, "notes": report.notes,
        "footprints": [_footprint(g) for g in report.goods if g.product_footprint],
        "column_tables": _column_tables(report.goods),
    }


def _column_tables(goods: tuple[GoodResult, ...], per_table: int = 3) -> list[dict[str, Any]]:
    """The template's product table turned on its side (a row per column, a column per
    good), in chunks that fit the width of an A4 page."""
    tables = []
    for at in range(0, len(goods), per_table):
        chunk = goods[at:at + per_table]
        tables.append({"goods": [{"cn_code": g.cn_code, "name": g.name} for g in chunk],
                       "rows": [(header, [_column(value(g), fmt) for g in chunk])
                                for header, value, fmt in PRODUCT_COLUMNS]})
    return tables


def _good(g: GoodResult) -> dict[str, Any]:
    c = g.carbon_price
    price = c and {
        "due": f"{c.due_per_unit:,.2f} {c.currency}/{g.unit}",
        "rebate": f"{c.rebate_per_unit:,.2f} {c.currency}/{g.unit}",
        "effective": f"{c.effective_per_unit:,.2f} {c.currency}/{g.unit}",
        "per_tco2e": f"{c.effective_per_tco2e:,.2f} {c.currency}/tCO2e"}
    return {
        "cn_code": g.cn_code, "name": g.name, "cn_name": g.cn_name or "",
        "see_direct": see(g.see_direct), "see_indirect": see(g.see_indirect),
        "see_total": see(g.see_total), "unit": f"tCO2e/{g.unit}",
        "default_share": share(g.default_share),
        "effective": price["effective"] if price else DASH, "price": price,
    }


def _column(value: Any, fmt: str | None) -> str:
    """A product-table cell as the XLSX shows it (its number format), empty as a dash."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return words(value)
    if isinstance(value, int | float):
        return {"0.00000": see, "0.00%": share}.get(fmt or "", lambda v: (
            f"{v:,.2f}" if fmt == "0.00" else f"{v:g}"))(value)
    return str(value)


def _footprint(g: GoodResult) -> dict[str, Any]:
    f = g.product_footprint
    return {"cn_code": g.cn_code, "name": g.name,
            "see_total": f"{see(f.see_total)} tCO2e/{g.unit}",
            "footprint": f"{f.kg_co2e_per_declared_unit:,.2f} kg CO2e / {f.declared_unit}",
            "per_unit": f"{see(f.footprint_t_per_unit)} tCO2e/{g.unit}",
            "difference": f"{f.difference_t_per_unit:+.5f} tCO2e/{g.unit}",
            "boundary": f"Boundary of the footprint: {f.boundary}"
                        + (f", {f.method}" if f.method else ""),
            "reference": f.reference, "notes": f.boundary_notes}


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
