"""Shapes shared by several resources."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import RAISE, Schema, fields, validate

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
    """Keyset paging (app/api/pagination.py): `after` is the `next` of the previous page."""

    after = fields.String(load_default=None, validate=validate.Length(max=512), metadata={
        "description": "the previous page's `next` cursor (opaque); omit for the first page"})
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    # Offset paging is gone (it scanned every row before the page): page=1 is still the
    # first page, a later page is refused with what to do instead, never silently page 1.
    page = fields.Integer(load_default=None, load_only=True, validate=validate.Equal(
        1, error="offset paging was replaced: follow the previous page's `next` as `after`"))


class PageSchema(Schema):
    page_size = fields.Integer()
    next = fields.String(allow_none=True, metadata={
        "description": "cursor of the next page (pass as `after`); null on the last page"})


class ReasonSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
