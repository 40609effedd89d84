"""A refused form names its field by the label the reader sees, in the reader's language
(app/web/field_names.py)."""

from __future__ import annotations

import pytest

from app.web import field_names

#: fields a page's form never shows a reader (filled in by the page itself)
HIDDEN = {"action", "calculation_id", "declared", "parent_id", "path"}


def _page_schemas():
    from app.schemas.accounts import (
        AccreditationSchema,
        ActiveChangeSchema,
        OrganisationInSchema,
        RoleChangeSchema,
        UserInSchema,
    )
    from app.schemas.certification import (
        CommentInSchema,
        LabelRequestInSchema,
        TransitionInSchema,
    )
    from app.schemas.common import ReasonSchema
    from app.schemas.products import CalculationInSchema, ProductInSchema
    from app.web.impact import ImpactFormSchema

    return (OrganisationInSchema, AccreditationSchema, UserInSchema, RoleChangeSchema,
            ActiveChangeSchema, ReasonSchema, ProductInSchema, CalculationInSchema,
            LabelRequestInSchema, TransitionInSchema, CommentInSchema, ImpactFormSchema)


def test_every_field_a_page_form_shows_has_a_name():
    """A field added to a form's schema without a name here would be shown by its key."""
    shown = {key for schema in _page_schemas() for key in schema().load_fields} - HIDDEN
    assert shown - set(field_names.NAMES) == set()


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_every_name_is_translated(app, lang):
    with app.test_request_context("/?lang=en"):
        english = {key: str(name) for key, name in field_names.NAMES.items()}
    with app.test_request_context(f"/?lang={lang}"):
        same = {key for key, name in field_names.NAMES.items() if str(name) == english[key]}
    assert same == {"gtin"}  # an identifier's name in every language


def test_a_path_keeps_its_tail_and_an_unknown_key_is_shown_as_it_is(app):
    with app.test_request_context("/?lang=en"):
        assert field_names.shown("accreditation_scope.0") == (
            "Accreditation scope (HS chapters).0")
        assert field_names.shown("hs_code") == "HS code"
        assert field_names.shown("model.pcr") == "model.pcr"
        assert field_names.shown("no_such_field") == "no_such_field"
