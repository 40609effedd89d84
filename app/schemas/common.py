"""Shapes shared by several resources."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import RAISE, Schema, fields, validate

#: Highest page number a list accepts (page × page size stays far inside any OFFSET type).
MAX_PAGE = 1_000_000
#: Seeds the random generator accepts and the database stores (a 32-bit signed column).
SEED_RANGE = validate.Range(min=0, max=2**31 - 1)


class StrictSchema(Schema):
    """Request bodies refuse unknown fields, so a typo is an error rather than ignored."""

    class Meta:
        unknown = RAISE


class Instant(fields.DateTime):
    """An aware instant, always written in UTC with `Z` (the API never speaks a local zone;
    pages convert to the reader's zone, see app/web/timezones.py); a time without a zone
    is refused on input."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        return moment.astimezone(UTC)


class PageQuerySchema(StrictSchema):
    # a huge page would overflow the database's OFFSET (a 500); far past any real list anyway
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageSchema(Schema):
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class ReasonSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
