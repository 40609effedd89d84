"""CBAM installations and their reports, within organisation boundaries.

An installation stores the operator's CBAM input document, validated by `lca_models` on every
write so a stored document always computes (apart from what needs the factor release or
default values, which compute-time errors name just the same). A report stores the input it
was computed from, the full result as JSON and the factor release, and every download (XLSX,
JSON, PDF) is written from that stored result, never recomputed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.domain import NotFound, PreconditionFailed, PreconditionRequired
from app.persistence import CbamInstallation, CbamReportRecord, User
from app.persistence.types import utcnow
from app.services import DbSession, audit, keyset, products
from lca_models.canonical import sha256_hex
from lca_models.cbam import compute_report, load_report_data
from lca_models.cbam_report import from_json, to_json, to_xlsx
from lca_models.errors import ModelValidationError
from lca_models.factors import load_release
from lca_models.messages import N_

#: Download formats: media type and file extension.
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
}


def visible_installations(user: User):
    query = select(CbamInstallation).order_by(CbamInstallation.created_at, CbamInstallation.id)
    if user.role != "admin":
        query = query.where(CbamInstallation.organisation_id == user.organisation_id)
    return query


def list_installations(session: DbSession, user: User, after: str | None, size: int
                       ) -> keyset.Page:
    return keyset.page(session, visible_installations(user), after, size)


def _owns(user: User, installation: CbamInstallation) -> bool:
    """Another organisation's installation answers exactly like a missing one (no leak)."""
    return user.role == "admin" or installation.organisation_id == user.organisation_id


def get_installation(session: DbSession, user: User, installation_id: str) -> CbamInstallation:
    installation = session.get(CbamInstallation, installation_id)
    if installation is None or not _owns(user, installation):
        raise NotFound(N_("no such CBAM installation"))
    return installation


def etag(installation: CbamInstallation) -> str:
    return f'"{installation.id}.{installation.version}"'


def checked_input(session: DbSession, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """The input as stored (JSON-safe), validated, with errors named as the request spells
    them (`input.…`). Product footprints given as `calculation_id` are filled in from the
    organisation's stored calculation, so the report shows what was certified."""
    data = products.plain(data)
    errors: dict[str, list[str]] = {}
    ref = data.get("default_values")
    if isinstance(ref, dict) and ref.get("workbook") is not None:
        errors["default_values.workbook"] = [
            "the service reads no files named in a document: give the default values inline "
            "(default_values.values) or use the command line with the workbook"]
    for i, good in enumerate(data.get("goods") or []):
        footprint = good.get("product_footprint") if isinstance(good, dict) else None
        if isinstance(footprint, dict) and footprint.get("calculation_id"):
            try:
                good["product_footprint"] = _footprint_of(session, user, footprint)
            except NotFound:
                errors[f"goods[{i}].product_footprint.calculation_id"] = [
                    "no such calculation of your organisation"]
    try:
        load_report_data(data)
    except ModelValidationError as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ModelValidationError(errors).under("input")
    return data


def _footprint_of(session: DbSession, user: User, given: dict[str, Any]) -> dict[str, Any]:
    calc = products.get_calculation(session, user, str(given["calculation_id"]))
    result = calc.result
    return {"calculation_id": calc.id,
            "kg_co2e_per_declared_unit": result["kg_co2e_per_declared_unit"],
            "declared_unit": result["declared_unit"], "boundary": result["boundary"],
            "method": result["method"],
            "reference": given.get("reference") or (
                f"calculation {calc.id} of {result['product']} (factor release "
                f"{calc.factor_release_version})")}


def create_installation(session: DbSession, user: User, data: dict[str, Any]) -> CbamInstallation:
    content = checked_input(session, user, data)
    installation = CbamInstallation(
        organisation_id=user.organisation_id, name=content["installation"]["name_en"],
        content=content, content_sha256=sha256_hex(content), created_by=user.id)
    session.add(installation)
    session.flush()
    audit.append(session, user, "cbam_installation.created", target_type="cbam_installation",
                 target_id=installation.id, details={"name": installation.name,
                                                     "sha256": installation.content_sha256})
    return installation


def update_installation(session: DbSession, user: User, installation_id: str,
                        data: dict[str, Any], if_match: str | None) -> CbamInstallation:
    installation = get_installation(session, user, installation_id)
    if not if_match:
        raise PreconditionRequired(N_("send If-Match with the ETag of the installation you read"))
    tags = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if etag(installation) not in tags and "*" not in tags:
        raise PreconditionFailed(N_("the installation changed since you read it (now %(etag)s)",
                                    etag=etag(installation)))
    content = checked_input(session, user, data)
    installation.content, installation.content_sha256 = content, sha256_hex(content)
    installation.name, installation.updated_at = content["installation"]["name_en"], utcnow()
    session.flush()
    audit.append(session, user, "cbam_installation.updated", target_type="cbam_installation",
                 target_id=installation.id, details={"sha256": installation.content_sha256,
                                                     "version": installation.version})
    return installation


def compute(session: DbSession, user: User, installation_id: str) -> CbamReportRecord:
    """Compute the installation's current input and store the result; a compute-time error
    (unknown factor, missing default value) names its field and stores nothing."""
    installation = get_installation(session, user, installation_id)
    release = load_release()
    try:
        report = compute_report(load_report_data(installation.content), release)
    except ModelValidationError as exc:
        raise exc.under("input") from None
    result = products.plain(to_json(report))
    record = CbamReportRecord(
        installation_id=installation.id, installation_version=installation.version,
        inputs=installation.content, inputs_sha256=installation.content_sha256,
        result=result, result_sha256=sha256_hex(result),
        factor_release_version=release.version, factor_release_sha256=release.sha256,
        created_by=user.id)
    session.add(record)
    session.flush()
    audit.append(session, user, "cbam_report.computed", target_type="cbam_report",
                 target_id=record.id, details={"installation_id": installation.id,
                                               "inputs_sha256": record.inputs_sha256,
                                               "result_sha256": record.result_sha256})
    return record


def visible_reports(installation: CbamInstallation):
    return (select(CbamReportRecord)
            .where(CbamReportRecord.installation_id == installation.id)
            .order_by(CbamReportRecord.computed_at, CbamReportRecord.id))


def list_reports(session: DbSession, user: User, installation_id: str, after: str | None,
                 size: int) -> keyset.Page:
    """Reports of one of the user's installations, oldest first."""
    installation = get_installation(session, user, installation_id)
    return keyset.page(session, visible_reports(installation), after, size)


def reports_newest_first(session: DbSession, installation: CbamInstallation
                         ) -> list[CbamReportRecord]:
    return list(reversed(session.scalars(visible_reports(installation)).all()))


def get_report(session: DbSession, user: User, report_id: str) -> CbamReportRecord:
    record = session.get(CbamReportRecord, report_id)
    if record is None or not _owns(user, record.installation):
        raise NotFound(N_("no such CBAM report"))
    return record


def download(record: CbamReportRecord, fmt: str,
             script: str = "Hans") -> tuple[bytes, str, str]:
    """(content, media type, file name) of a stored report in `fmt`; a PDF prints its Chinese
    in `script` (Hans or Hant) beside the English."""
    name = f"cbam-report-{record.id}.{fmt}"
    if fmt == "json":
        data = json.dumps(record.result, indent=2, ensure_ascii=False).encode("utf-8")
    elif fmt == "xlsx":
        with tempfile.TemporaryDirectory() as tmp:
            data = to_xlsx(from_json(record.result), Path(tmp) / name).read_bytes()
    else:
        from app.services.cbam_pdf import cbam_report_pdf

        data = cbam_report_pdf(from_json(record.result), script)
    return data, FORMATS[fmt], name
