"""What a rating or reduction label claims beyond the footprint, for its credential.

A rating's grade comes from the footprint against its PCR's sourced benchmark; a reduction
states the change against the baseline request's reviewed footprint, which must follow the
same PCR and declared unit. Both are checked when the request is made and again when the
label is issued, since a resubmission can change the calculation in between.
"""

from __future__ import annotations

from typing import Any

from app.domain import InvalidInput
from app.persistence import Calculation, Label, LabelRequest
from app.services import DbSession, pcrs
from lca_models.messages import N_


def check_reduction(baseline: LabelRequest, calc: Calculation) -> float:
    """The reduction in percent (positive: lower than the baseline); refused naming
    `baseline_request_id` when the two are not comparable or nothing was reduced."""
    base_calc = baseline.calculation
    base_pcr = (base_calc.model_version.content.get("pcr") or {})
    pcr = calc.model_version.content.get("pcr") or {}
    if base_pcr != pcr:
        raise InvalidInput(N_(
            "the baseline follows another product-category rule (%(baseline)s) than this model "
            "(%(model)s); a reduction compares like with like", baseline=_ref(base_pcr),
            model=_ref(pcr)), field="baseline_request_id")
    if base_calc.result["declared_unit"] != calc.result["declared_unit"]:
        raise InvalidInput(N_("the baseline is per another declared unit (%(baseline)s, here "
                              "%(here)s)", baseline=_unit(base_calc.result),
                              here=_unit(calc.result)),
                           field="baseline_request_id")
    before = base_calc.result["kg_co2e_per_declared_unit"]
    after = calc.result["kg_co2e_per_declared_unit"]
    if not before > 0 or after >= before:
        raise InvalidInput(N_("no reduction: %(after)s kg CO2e now against %(before)s in the "
                              "baseline", after=format(after, ".6g"),
                              before=format(before, ".6g")), field="baseline_request_id")
    return (before - after) / before * 100


def claims(session: DbSession, req: LabelRequest) -> dict[str, Any]:
    """The credential subject's `productCategoryRules`, `rating` and `reduction`, as apply."""
    content, result = req.calculation.model_version.content, req.calculation.result
    out: dict[str, Any] = {}
    pcr = pcrs.named(content)
    if pcr is not None:
        out["productCategoryRules"] = {"pcrId": pcr.id, "pcrVersion": pcr.version,
                                       "name": pcr.name, "publisher": pcr.publisher}
    if req.label_type == "rating":
        pcr, rated = pcrs.rating(content, result)
        out["rating"] = {"grade": rated.grade, "ratioToBenchmark": round(rated.ratio, 6),
                         "benchmark": {"kgCO2ePerDeclaredUnit": rated.benchmark_value,
                                       "unit": rated.benchmark_unit,
                                       "year": rated.benchmark_year,
                                       "sourceUrl": rated.source["url"],
                                       "sourceDocument": rated.source["document"]}}
    if req.label_type == "reduction":
        baseline = session.get_one(LabelRequest, req.baseline_request_id)
        percent = check_reduction(baseline, req.calculation)
        base_label = session.query(Label).filter(Label.request_id == baseline.id).one_or_none()
        out["reduction"] = _compact({
            "baselineLabelId": base_label.id if base_label else None,
            "baselineKgCO2ePerDeclaredUnit":
                baseline.calculation.result["kg_co2e_per_declared_unit"],
            "reductionPercent": round(percent, 4)})
    return out


def _ref(ref: dict[str, Any]) -> str:
    return f"{ref['id']} {ref['version']}" if ref else "none"


def _unit(result: dict[str, Any]) -> str:
    unit = result["declared_unit"]
    return f"{unit['amount']:g} {unit['unit']}"


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
