"""The CBAM communication as a bilingual PDF, for importers who want a document to file.

The numbers are the same `CbamReport` the XLSX and JSON are written from; this module only
formats them (SEE with five decimals as reported, tonnes and money with two) and hands them to
the shared WeasyPrint renderer, so the PDF looks like the service's other documents.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.services.doc_language import N_, chinese
from app.services.documents import render_pdf
from lca_models.cbam_report import PRODUCT_COLUMNS
from lca_models.cbam_results import CbamReport, GoodResult

DASH = "—"
#: Words for the enumerations of the input schema (lca_models/cbam_schema.py), both languages;
#: an importer should never read `free_allocation`.
WORDS = {
    "free_allocation": N_("free allocation"), "compensation": N_("compensation"),
    "tax_deduction": N_("tax deduction"), "other": N_("other"),
    "actual": N_("actual data"), "default": N_("default values"),
    "own": N_("own production"), "purchased": N_("purchased"),
}


def words(value: str | None, script: str = "Hans") -> str:
    """The words for an enumeration value, Chinese (`script`) then English; anything else
    (free text) unchanged."""
    if not value:
        return DASH
    english = WORDS.get(value)
    return both(english, script) if english else value


def both(english: str, script: str) -> str:
    """A fixed text as "中文 English"."""
    return f"{chinese(script)(english)} {english}"


def cbam_report_pdf(report: CbamReport, script: str = "Hans") -> bytes:
    """The report with its Chinese in `script` (Hans or Hant) beside the English."""
    return render_pdf("cbam_report.html.j2", script, r=cbam_context(report, script))


def see(value: float | None) -> str:
    return DASH if value is None else f"{value:.5f}"


def tonnes(value: float | None) -> str:
    return DASH if value is None else f"{value:,.2f}"


def share(value: float | None) -> str:
    return DASH if value is None else f"{value:.2%}"


def cbam_context(report: CbamReport, script: str = "Hans") -> dict[str, Any]:
    """Everything the template shows, as display text; labels as English msgids the template
    prints with their Chinese."""
    inst = report.installation
    op, period, coords = inst["operator"], inst["reporting_period"], inst["coordinates"]
    address = ", ".join(x for x in (inst["address"]["street"], inst["address"]["city"],
                                    inst["address"]["postcode"]) if x)
    installation = [
        (N_("Installation (English name)"), inst["name_en"]),
        (N_("Local name"), inst["name_local"] or DASH),
        (N_("Street and number, city"), address),
        (N_("Economic activity"), inst["economic_activity"]),
        (N_("Country, subdivision"),
         ", ".join(x for x in (inst["country"], inst["subdivision"]) if x)),
        (N_("UN/LOCODE"), inst["unlocode"]),
        (N_("Coordinates of the main emission source"),
         f"{coords['latitude']:g}, {coords['longitude']:g}"),
        (N_("Reporting period"), f"{_day(period['start'])} – {_day(period['end'])}"),
        (N_("Operator"), f"{op['name']} ({op['identifier_type']} {op['identifier']})"),
        (N_("Operator address"), op["address"]),
    ]
    processes = [{
        "name": p.name, "category": p.goods_category, "route": p.route,
        "activity": f"{p.activity_level:,.2f} {p.unit}", "direct": tonnes(p.direct_emissions_t),
        "attributed_direct": tonnes(p.attributed_direct_t),
        "indirect": tonnes(p.attributed_indirect_t),
        "see": f"{see(p.see_direct)} / {see(p.see_indirect)}"} for p in report.processes]
    precursors = [{
        "name": p.name, "category": p.goods_category, "cn_code": p.cn_code or "",
        "origin": words(p.origin, script) + (" (EU)" if p.eu_origin else ""),
        "source": both(N_("EU origin, zero"), script) if p.eu_origin
        else words(p.see_source, script),
        "see_direct": see(p.see_direct), "see_indirect": see(p.see_indirect),
        "consumed": "; ".join(f"{k} {v:,.2f}" for k, v in p.consumed_t.items()) or DASH}
        for p in report.precursors]
    quality = report.data_quality or {}
    markup = report.markup
    sources = [
        (N_("Source of default values"),
         report.default_values_source or both(N_("not used"), script)),
        (N_("Mark-up on default values"), DASH if markup is None else
         f"{markup.year}: {markup.percent:g} %" + ("" if markup.confirmed else
                                                   " (" + both(N_("UNCONFIRMED"), script) + ")")),
        (N_("Emission factor release"), report.factor_release),
        (N_("Data-quality information"), quality.get("information") or DASH),
        (N_("Justification for default values"),
         quality.get("default_value_justification") or DASH),
        (N_("Quality assurance"), quality.get("quality_assurance") or DASH),
    ]
    instruments: dict[str, Any] = {}
    for g in report.goods:
        c = g.carbon_price
        if c and c.name not in instruments:
            instruments[c.name] = {
                "name": c.name, "instrument": c.instrument, "legal_act": c.legal_act,
                "country": c.country, "price": f"{c.price_per_tco2e:,.2f} {c.currency} per tCO2e",
                "share": share(c.share_covered),
                "rebates": f"{words(c.rebate_type, script)} ({share(c.rebate_share)})"
                if c.rebate_type else both(N_("none"), script),
                "evidence": "; ".join(f"{e['title']} ({e['reference']})" for e in c.evidence)}
    return {
        "installation_name": inst["name_en"], "installation": installation,
        "processes": processes, "total_direct": tonnes(report.total_direct_t),
        "total_indirect": tonnes(report.total_indirect_t),
        "goods": [_good(g) for g in report.goods], "precursors": precursors,
        "prices": list(instruments.values()), "sources": sources, "notes": report.notes,
        "footprints": [_footprint(g) for g in report.goods if g.product_footprint],
        "column_tables": _column_tables(report.goods, script),
    }


def _column_tables(goods: tuple[GoodResult, ...], script: str,
                   per_table: int = 3) -> list[dict[str, Any]]:
    """The template's product table turned on its side (a row per column, a column per
    good), in chunks that fit the width of an A4 page."""
    tables = []
    for at in range(0, len(goods), per_table):
        chunk = goods[at:at + per_table]
        tables.append({"goods": [{"cn_code": g.cn_code, "name": g.name} for g in chunk],
                       "rows": [(header, [_column(value(g), fmt, script) for g in chunk])
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


def _column(value: Any, fmt: str | None, script: str) -> str:
    """A product-table cell as the XLSX shows it (its number format), empty as a dash."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return both(N_("yes") if value else N_("no"), script)
    if isinstance(value, str):
        return words(value, script)
    if isinstance(value, int | float):
        return {"0.00000": see, "0.00%": share}.get(fmt or "", lambda v: (
            f"{v:,.2f}" if fmt == "0.00" else f"{v:g}"))(value)
    return str(value)


def _footprint(g: GoodResult) -> dict[str, Any]:
    f = g.product_footprint
    if f is None:
        raise ValueError(f"good {g.cn_code} has no product footprint to show")
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
