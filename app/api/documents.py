"""PDF and SVG documents: label artwork and certificate (public), calculation report."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.labels import public_limit
from app.auth import caller, requires
from app.extensions import db, limiter
from app.services import certification, documents, labels, pact_host, review
from app.services.doc_language import script_for
from app.services.issuer import issuer_from_config
from app.web import timezones

blp = Blueprint("documents", __name__, url_prefix="/api/v1",
                description="Label artwork, certificates and calculation reports")


class ScriptQuerySchema(Schema):
    script = fields.String(load_default="Hans", validate=validate.OneOf(["Hans", "Hant"]),
                           metadata={"description": "the Chinese printed beside the English: "
                                                    "Hans (简体) or Hant (繁體)"})
    tz = fields.String(metadata={"description": "IANA zone the validity is written in (else "
                                                "the reader's tz cookie, else the service's)"})


class SizeQuerySchema(ScriptQuerySchema):
    size = fields.String(load_default="medium", validate=validate.OneOf(sorted(documents.SIZES)))


def _file(data: bytes | str, mimetype: str, name: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@blp.route("/labels/<string:label_id>/artwork.svg", methods=["GET"])
@limiter.limit(public_limit)
@blp.arguments(SizeQuerySchema, location="query")
@blp.response(200)
def artwork_svg(args: dict, label_id: str) -> Response:
    """Bilingual label artwork with its QR code, as SVG (small, medium or large)."""
    label = labels.get_label(db.session, label_id)
    svg = documents.label_svg(label, issuer_from_config(current_app.config), args["size"],
                              timezones.current(), args["script"])
    return _file(svg, "image/svg+xml", f"{label.id}.svg")


@blp.route("/labels/<string:label_id>/artwork.pdf", methods=["GET"])
@limiter.limit(public_limit)
@blp.arguments(SizeQuerySchema, location="query")
@blp.response(200)
def artwork_pdf(args: dict, label_id: str) -> Response:
    """The label artwork as a print-ready PDF at its size in millimetres."""
    label = labels.get_label(db.session, label_id)
    pdf = documents.label_pdf(label, issuer_from_config(current_app.config), args["size"],
                              timezones.current(), args["script"])
    return _file(pdf, "application/pdf", f"{label.id}.pdf")


class CertificateQuerySchema(ScriptQuerySchema):
    lang = fields.String(validate=validate.OneOf(["zh-Hans", "zh-Hant"]), metadata={
        "description": "alias of `script`: zh-Hans (Hans) or zh-Hant (Hant)"})


def _script(args: dict) -> str:
    return script_for(args["lang"]) if args.get("lang") else args["script"]


@blp.route("/labels/<string:label_id>/certificate.pdf", methods=["GET"])
@limiter.limit(public_limit)
@blp.arguments(CertificateQuerySchema, location="query")
@blp.response(200)
def certificate(args: dict, label_id: str) -> Response:
    """The A4 certificate of an issued label, English with 简体 or 繁體 Chinese (`script`;
    `lang=zh-Hans|zh-Hant` is accepted as an alias)."""
    label = labels.get_label(db.session, label_id)
    pdf = documents.certificate_for(db.session, label, issuer_from_config(current_app.config),
                                    timezones.current(), _script(args))
    return _file(pdf, "application/pdf", f"{label.id}-certificate.pdf")


@blp.route("/labels/<string:label_id>/pact-footprint", methods=["GET"])
@requires("certifier", "exporter", "admin")
@blp.response(200, description="a PACT v3 ProductFootprint (spec 3.0.3)")
def pact_footprint(label_id: str) -> Response:
    """The label as a PACT v3 footprint, for the exporter (and its certifier) to download;
    buyers' systems pull the same document from /3/footprints with their own credentials."""
    label = labels.get_label(db.session, label_id)
    certification.get_request(db.session, caller().user, label.request_id)  # 404 to others
    footprint = pact_host.footprint_for_label(db.session, label,
                                              issuer_from_config(current_app.config))
    return Response(json.dumps(footprint, ensure_ascii=False, indent=2),
                    mimetype="application/json", headers={
                        "Content-Disposition": f'attachment; filename="{label.id}-pact.json"'})


@blp.route("/label-requests/<string:request_id>/report.pdf", methods=["GET"])
@requires("certifier", "exporter", "admin")
@blp.arguments(CertificateQuerySchema, location="query")
@blp.response(200)
def report(args: dict, request_id: str) -> Response:
    """The certifier's calculation report: inputs, factors, charts, uncertainty, changes;
    English with 简体 or 繁體 Chinese (`script`, or `lang=zh-Hans|zh-Hant`)."""
    view = review.review(db.session, caller().user, request_id)
    comparison = view["comparison"]
    changes = comparison["model_changes"] if comparison else None
    pdf = documents.calculation_report_pdf(view["calculation"], changes,
                                           product=view["request"].product,
                                           script=_script(args))
    return _file(pdf, "application/pdf",
                 f"report-{certification.etag(view['request']).strip(chr(34))}.pdf")
