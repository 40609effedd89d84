"""Organisations, users, tokens and login."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.persistence.accounts import ORG_KINDS, ROLES
from app.schemas.common import Instant, PageSchema, StrictSchema


class LoginSchema(StrictSchema):
    email = fields.Email(required=True)
    password = fields.String(required=True, load_only=True)


class OrganisationInSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    identifier = fields.String(load_default=None, validate=validate.Length(max=64))
    address = fields.String(load_default=None, validate=validate.Length(max=500))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    subdivision = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Z]{2}-\w{1,3}$"))
    accreditation_body = fields.String(load_default=None, validate=validate.Length(max=32))
    accreditation_number = fields.String(load_default=None, validate=validate.Length(max=64))
    accreditation_standard = fields.String(load_default=None, validate=validate.Length(max=64))
    accreditation_scope = fields.List(fields.String(validate=validate.Regexp(r"^\d{2}$")),
                                      load_default=list,
                                      metadata={"description": "HS chapters (2 digits)"})
    accredited_from = fields.Date(load_default=None)
    accredited_to = fields.Date(load_default=None)


class OrganisationSchema(OrganisationInSchema):
    class Meta:
        unknown = "exclude"

    id = fields.String(dump_only=True)
    created_at = Instant(dump_only=True)


class OrganisationPageSchema(PageSchema):
    items = fields.List(fields.Nested(OrganisationSchema))


class UserInSchema(StrictSchema):
    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=12, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    organisation_id = fields.String(load_default=None)


class UserSchema(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    organisation_id = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = Instant()


class UserPageSchema(PageSchema):
    items = fields.List(fields.Nested(UserSchema))


class RoleChangeSchema(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ActiveChangeSchema(StrictSchema):
    active = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AccreditationSchema(StrictSchema):
    accreditation_body = fields.String(required=True, validate=validate.Length(min=1, max=32))
    accreditation_number = fields.String(required=True,
                                         validate=validate.Length(min=1, max=64))
    accreditation_standard = fields.String(required=True,
                                           validate=validate.Length(min=1, max=64))
    accreditation_scope = fields.List(fields.String(validate=validate.Regexp(r"^\d{2}$")),
                                      load_default=list,
                                      metadata={"description": "HS chapters (2 digits)"})
    accredited_from = fields.Date(required=True)
    accredited_to = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class TokenInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(fields.String(), required=True)
    days = fields.Integer(load_default=90)


class TokenSchema(Schema):
    id = fields.String()
    name = fields.String()
    prefix = fields.String()
    scopes = fields.List(fields.String())
    created_at = Instant()
    expires_at = Instant()
    revoked_at = Instant(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "shown once; store it now"})


class SessionSchema(Schema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String(metadata={"description": "send as X-CSRF-Token on changes"})
