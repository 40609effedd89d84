"""CBAM installations and reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import Instant, PageSchema, StrictSchema

FORMATS = ("xlsx", "json", "pdf")


class InstallationInSchema(StrictSchema):
    input = fields.Dict(required=True, metadata={
        "description": "a CBAM report input (docs/cbam.md), e.g. examples/cbam/*.yaml as JSON"})


class InstallationSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    name = fields.String()
    content_sha256 = fields.String()
    version = fields.Integer()
    created_by = fields.String()
    created_at = Instant()
    updated_at = Instant()


class InstallationDetailSchema(InstallationSchema):
    input = fields.Dict(attribute="content")


class InstallationPageSchema(PageSchema):
    items = fields.List(fields.Nested(InstallationSchema))


class ReportSchema(Schema):
    id = fields.String()
    installation_id = fields.String()
    installation_version = fields.Integer()
    inputs_sha256 = fields.String()
    result_sha256 = fields.String()
    factor_release_version = fields.String()
    factor_release_sha256 = fields.String()
    created_by = fields.String()
    computed_at = Instant()


class ReportDetailSchema(ReportSchema):
    result = fields.Dict(metadata={"description": "the full report (carbonlabel-cbam-report/1)"})


class ReportPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReportSchema))


class DownloadQuerySchema(StrictSchema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS))
    script = fields.String(load_default="Hans", validate=validate.OneOf(["Hans", "Hant"]),
                           metadata={"description": "the PDF's Chinese beside the English: "
                                                    "Hans (简体) or Hant (繁體)"})
