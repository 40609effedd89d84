"""CBAM installations of exporters, and the reports they compute and download."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, request
from flask_smorest import Blueprint

from app.api.pagination import Page, cursor, paginate
from app.auth import caller, requires
from app.extensions import db
from app.schemas.cbam import (
    DownloadQuerySchema,
    InstallationDetailSchema,
    InstallationInSchema,
    InstallationPageSchema,
    ReportDetailSchema,
    ReportPageSchema,
)
from app.schemas.common import PageQuerySchema
from app.services import cbam, transaction

if TYPE_CHECKING:  # for the annotations only: queries live in app/services
    from app.persistence import CbamReportRecord


blp = Blueprint("cbam", __name__, url_prefix="/api/v1/cbam",
                description="CBAM installations and the communication to EU importers")

IF_MATCH = [{"in": "header", "name": "If-Match", "required": True,
             "schema": {"type": "string"}}]
FILE_DOC = {"responses": {"200": {"content": {t: {"schema": {"type": "string",
                                                             "format": "binary"}}
                                              for t in cbam.FORMATS.values()}}}}


@blp.route("/installations", methods=["GET"])
@requires("exporter", "admin")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, InstallationPageSchema)
def list_installations(args: dict) -> Page:
    """Your organisation's installations."""
    return paginate(cbam.list_installations(db.session, caller().user, *cursor(args)), args)


@blp.route("/installations", methods=["POST"])
@requires("exporter", scope="write")
@blp.arguments(InstallationInSchema)
@blp.response(201, InstallationDetailSchema)
def create_installation(body: dict) -> tuple:
    """Add an installation with its CBAM input (validated; 422 names the field)."""
    with transaction() as session:
        installation = cbam.create_installation(session, caller().user, body["input"])
    return installation, 201, {"ETag": cbam.etag(installation)}


@blp.route("/installations/<string:installation_id>", methods=["GET"])
@requires("exporter", "admin")
@blp.response(200, InstallationDetailSchema)
def get_installation(installation_id: str) -> tuple:
    """One installation with its input; its ETag is what If-Match needs for an update."""
    installation = cbam.get_installation(db.session, caller().user, installation_id)
    return installation, 200, {"ETag": cbam.etag(installation)}


@blp.route("/installations/<string:installation_id>", methods=["PUT"])
@requires("exporter", scope="write")
@blp.arguments(InstallationInSchema)
@blp.response(200, InstallationDetailSchema)
@blp.doc(parameters=IF_MATCH)
def update_installation(body: dict, installation_id: str) -> tuple:
    """Replace the input (428 without If-Match, 412 if someone changed it first)."""
    with transaction() as session:
        installation = cbam.update_installation(session, caller().user, installation_id,
                                                body["input"], request.headers.get("If-Match"))
    return installation, 200, {"ETag": cbam.etag(installation)}


@blp.route("/installations/<string:installation_id>/reports", methods=["GET"])
@requires("exporter", "admin")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, ReportPageSchema)
def list_reports(args: dict, installation_id: str) -> Page:
    """Reports computed for an installation, oldest first."""
    return paginate(cbam.list_reports(db.session, caller().user, installation_id,
                                      *cursor(args)), args)


@blp.route("/installations/<string:installation_id>/reports", methods=["POST"])
@requires("exporter", scope="write")
@blp.response(201, ReportDetailSchema)
def compute_report(installation_id: str) -> CbamReportRecord:
    """Compute the installation's current input against the shipped factor release and
    store the report."""
    with transaction() as session:
        return cbam.compute(session, caller().user, installation_id)


@blp.route("/reports/<string:report_id>", methods=["GET"])
@requires("exporter", "admin")
@blp.response(200, ReportDetailSchema)
def get_report(report_id: str) -> CbamReportRecord:
    """A stored report with its full result."""
    return cbam.get_report(db.session, caller().user, report_id)


@blp.route("/reports/<string:report_id>/download", methods=["GET"])
@requires("exporter", "admin")
@blp.arguments(DownloadQuerySchema, location="query")
@blp.response(200)
@blp.doc(**FILE_DOC)
def download_report(args: dict, report_id: str) -> Response:
    """The stored report as XLSX (the importer template's summary), JSON or PDF."""
    record = cbam.get_report(db.session, caller().user, report_id)
    data, mimetype, name = cbam.download(record, args["format"], args["script"])
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
