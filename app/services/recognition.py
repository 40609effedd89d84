"""Recognition metadata of a label, and its evaluation against the scheme registry.

Most of the metadata is derived from the model and the calculation the certifier reviewed;
the rest is what the exporter declared on the request. Approval confirms both, and the
result travels inside the signed credential, so any partner can re-run the evaluation.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from app.domain import InvalidInput, NotFound
from app.persistence import LabelRequest, Organisation
from app.services import DbSession, pcrs
from lca_models.messages import N_
from lca_models.recognition import (
    Evaluation,
    MetadataError,
    RecognitionMetadata,
    Scheme,
    evaluate,
    load_schemes,
)

RELEASE_DATABASE = "carbonlabel GBA emission-factor release"


@lru_cache(maxsize=1)
def schemes() -> dict[str, Scheme]:
    return load_schemes()


def metadata_for(req: LabelRequest, body: Organisation, valid_until: date,
                 issue_date: date) -> dict[str, Any]:
    calc = req.calculation
    model, result = calc.model_version.content, calc.result
    declared = req.declared_metadata or {}
    period = model.get("reference_period")
    if not period:
        raise InvalidInput(N_("recognition needs the model's reference_period (start, end)"),
                           field="model.reference_period")
    processes = [p for stage in model["stages"] for p in stage["processes"]]
    unit = result["declared_unit"]
    pcr = pcrs.named(model)
    data = {
        "standards": declared.get("standards") or [],
        "product_rules": pcrs.product_rules(pcr) if pcr else declared.get("product_rules"),
        "boundary": result["boundary"],
        "declared_unit": f"{unit['amount']:g} {unit['unit']}",
        "gwp_set": result["gwp_set"],
        "lcia_method": result["method"],
        "electricity": declared.get("electricity") or {"approach": "location-based",
                                                       "certificates_used": False},
        "secondary_databases": [{"name": RELEASE_DATABASE,
                                 "version": result["factor_release"]["version"]}],
        "reference_period": {"start": str(period["start"]), "end": str(period["end"])},
        "primary_data_share": result["primary_data_share"],
        "data_quality_rating": result["data_quality"]["dqr"],
        "uncertainty_statement": declared.get("uncertainty_statement") or _uncertainty(result),
        "exemptions": declared.get("exemptions") or [e["description"] for e in
                                                     model.get("exclusions", [])],
        "exclusions_percent": result["exclusions_percent"],
        "allocation_methods": sorted({p["allocation"] for p in processes
                                      if p.get("allocation")}),
        "assurance": {"type": "third_party", "verification_body": body.name,
                      "accreditation_body": body.accreditation_body,
                      "accreditation_number": body.accreditation_number,
                      "standard": body.accreditation_standard,
                      "scope": ", ".join(f"HS {c}" for c in body.accreditation_scope or [])},
        "validity": {"valid_from": issue_date.isoformat(), "valid_until": valid_until.isoformat()},
        "home_scheme_id": req.home_scheme,
        "label_type": req.label_type,
        "issue_date": issue_date.isoformat(),
    }
    try:
        return RecognitionMetadata.from_dict(data).to_dict()
    except MetadataError as exc:
        raise InvalidInput(str(exc), field="declared") from None


def _uncertainty(result: dict[str, Any]) -> str | None:
    mc = result.get("monte_carlo")
    if not mc:
        return None
    return (f"Monte Carlo, {mc['iterations']} runs: 95 % interval {mc['p2_5']:.4g} to "
            f"{mc['p97_5']:.4g} kg CO2e per declared unit (mean {mc['mean']:.4g})")


def evaluate_credential(credential: dict[str, Any], scheme_id: str | None = None,
                        on: date | None = None) -> list[Evaluation]:
    """Evaluate the metadata a signed credential carries, against one or every scheme."""
    raw = credential.get("credentialSubject", {}).get("recognitionMetadata")
    if raw is None:
        raise NotFound(N_("this label carries no recognition metadata"))
    metadata = RecognitionMetadata.from_dict(raw)
    registry = schemes()
    if scheme_id is not None:
        if scheme_id not in registry:
            raise InvalidInput(N_("unknown scheme '%(scheme)s'; known: %(known)s",
                                  scheme=scheme_id, known=", ".join(registry)),
                               field="scheme")
        return [evaluate(metadata, registry[scheme_id], on=on)]
    return [evaluate(metadata, scheme, on=on) for scheme in registry.values()]


def home_evaluation(session: DbSession, req: LabelRequest, valid_until: date,
                    today: date) -> Evaluation | None:
    """What the label would be judged against its own scheme if approved now with
    `valid_until`: the certifier sees it before approving. None when the request cannot be
    described yet (e.g. the model has no reference period) or names no known scheme."""
    registry = schemes()
    if req.home_scheme not in registry:
        return None
    body = session.get_one(Organisation, req.certification_body_id)
    try:
        raw = metadata_for(req, body, valid_until, today)
    except InvalidInput:
        return None
    return evaluate(RecognitionMetadata.from_dict(raw), registry[req.home_scheme])
