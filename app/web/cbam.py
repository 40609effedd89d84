"""The exporter's CBAM pages: installations, computed reports and their downloads
(XLSX for the EU template's summary, JSON, PDF)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.services import cbam, transaction
from app.web.common import paged, register_errors, signed_in, user
from lca_models.errors import ModelValidationError
from lca_models.safe_load import load_yaml

blp = Blueprint("cbam_pages", __name__, url_prefix="/app/cbam")
register_errors(blp)


@blp.route("", methods=["GET"])
@signed_in("exporter", "admin")
def installations():
    rows, pages = paged(lambda after, size: cbam.list_installations(db.session, user(),
                                                                    after, size))
    return render_template("pages/cbam_installations.html", installations=rows,
                           pages=pages)


@blp.route("", methods=["POST"])
@signed_in("exporter")
def create():
    with transaction() as session:
        installation = cbam.create_installation(session, user(), _posted_input())
    flash(_("Installation saved."), "info")
    return redirect(url_for(".installation", installation_id=installation.id))


@blp.route("/<string:installation_id>", methods=["GET"])
@signed_in("exporter", "admin")
def installation(installation_id: str):
    found = cbam.get_installation(db.session, user(), installation_id)
    reports = cbam.reports_newest_first(db.session, found)
    return render_template("pages/cbam_installation.html", installation=found,
                           reports=reports, latest=reports[0] if reports else None)


@blp.route("/<string:installation_id>/reports", methods=["POST"])
@signed_in("exporter")
def compute(installation_id: str):
    with transaction() as session:
        cbam.compute(session, user(), installation_id)
    flash(_("CBAM report computed."), "info")
    return redirect(url_for(".installation", installation_id=installation_id))


def _posted_input() -> dict[str, Any]:
    """The report input from an uploaded YAML/JSON file (the format of examples/cbam/) or
    the input workbook (docs/cbam.md)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ModelValidationError({"file": [_("Choose a CBAM input file.")]})
    if upload.filename.lower().endswith(".xlsx"):  # the workbook of `carbonlabel cbam template`
        from lca_models.cbam_xlsx import read_input_xlsx

        return read_input_xlsx(upload.read())
    data = load_yaml(upload.read())  # bounded: aliases, nodes, depth (lca_models.safe_load)
    if not isinstance(data, dict):
        raise ModelValidationError({"file": ["the file must hold one CBAM input document"]})
    return data
