"""The exporter's pages: products, model versions, calculations and label requests.

Thin like the API: read the form with the API's schema, call the service, redirect.
"""

from __future__ import annotations

from typing import Any

import yaml
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import clock, queue
from app.extensions import db
from app.schemas.certification import DeclaredMetadataSchema, LabelRequestInSchema
from app.schemas.products import CalculationInSchema, ProductInSchema
from app.services import accounts, certification, jobs, labels, recognition, transaction
from app.services import products as catalogue
from app.web import charts
from app.web.common import (
    form,
    load,
    messages,
    pact_reason,
    paged,
    register_errors,
    signed_in,
    user,
)
from lca_models.errors import ModelValidationError

blp = Blueprint("exporter_pages", __name__, url_prefix="/app")
register_errors(blp)


@blp.route("/products", methods=["GET"])
@signed_in("exporter", "admin")
def products():
    rows, pages = paged(lambda after, size: catalogue.list_products(db.session, user(),
                                                                   after, size))
    return render_template("pages/products.html", products=rows, pages=pages)


@blp.route("/products", methods=["POST"])
@signed_in("exporter")
def create_product():
    data = form(ProductInSchema())
    with transaction() as session:
        product = catalogue.create_product(session, user(), data)
    flash(_("Product created."), "info")
    return redirect(url_for(".product", product_id=product.id))


@blp.route("/products/<string:product_id>", methods=["GET"])
@signed_in("exporter", "admin")
def product(product_id: str):
    found = catalogue.get_product(db.session, user(), product_id)
    label = labels.current_label(db.session, found.id)
    return render_template(
        "pages/product.html", product=found, versions=found.versions,
        requests=certification.requests_for_product(db.session, user(), found.id),
        label=label, pact_reason=pact_reason(label))


@blp.route("/products/<string:product_id>/versions", methods=["POST"])
@signed_in("exporter")
def add_version(product_id: str):
    content, source_format = _posted_model()
    with transaction() as session:
        found = catalogue.get_product(session, user(), product_id)
        version = catalogue.add_version(session, user(), found, content, source_format)
    flash(_("Model version %(number)s saved.", number=version.number), "info")
    return redirect(url_for(".version", version_id=version.id))


@blp.route("/versions/<string:version_id>", methods=["GET"])
@signed_in("exporter", "admin")
def version(version_id: str):
    found = catalogue.get_version(db.session, user(), version_id)
    return _version_page(found, _as_yaml(found.content), [])


@blp.route("/versions/<string:version_id>", methods=["POST"])
@signed_in("exporter")
def replace_version(version_id: str):
    """Save an edit. A model with errors comes back in the editor as typed, errors listed."""
    text = request.form.get("model_text", "")
    try:
        content = _posted_model()[0]  # (`_` is gettext here)
        with transaction() as session:
            found = catalogue.get_version(session, user(), version_id)
            catalogue.replace_version(session, user(), found, content)
    except ModelValidationError as exc:
        found = catalogue.get_version(db.session, user(), version_id)
        return _version_page(found, text, messages(exc)), 422
    flash(_("Model saved."), "info")
    return redirect(url_for(".version", version_id=version_id))


@blp.route("/versions/<string:version_id>/calculations", methods=["POST"])
@signed_in("exporter")
def calculate(version_id: str):
    """A plain calculation answers at once; a Monte Carlo run becomes a job with a progress
    page, so the browser is never left waiting on a silent request."""
    data = form(CalculationInSchema())
    limit = current_app.config["MAX_MONTE_CARLO"]
    with transaction() as session:
        found = catalogue.get_version(session, user(), version_id)
        if data["monte_carlo"]:
            job = jobs.start_calculation(session, user(), found, gwp_set=data["gwp_set"],
                                         monte_carlo=data["monte_carlo"], seed=data["seed"],
                                         max_monte_carlo=limit)
        else:
            calc = catalogue.calculate(session, user(), found, gwp_set=data["gwp_set"],
                                       monte_carlo=None, seed=data["seed"],
                                       brightway_dir=current_app.config["BRIGHTWAY_DIR"],
                                       max_monte_carlo=limit)
    if data["monte_carlo"]:
        queue.publish(queue.current_flask_app(), job.id)
        return redirect(url_for(".job", job_id=job.id))
    return redirect(url_for(".calculation", calculation_id=calc.id))


@blp.route("/jobs/<string:job_id>", methods=["GET"])
@signed_in("exporter", "admin")
def job(job_id: str):
    found = jobs.get(db.session, user(), job_id, kind="calculation")
    if found.state == "queued" and found.enqueued_at is None:  # the broker was down: retry
        queue.publish(queue.current_flask_app(), found.id)
        found = jobs.get(db.session, user(), job_id, kind="calculation")
    if found.state == "done":
        return redirect(url_for(".calculation",
                                calculation_id=(found.result or {})["calculation_id"]))
    return render_template("pages/job.html", job=found, stalled=jobs.stalled(found))


@blp.route("/calculations/<string:calculation_id>", methods=["GET"])
@signed_in("exporter", "admin")
def calculation(calculation_id: str):
    calc = catalogue.get_calculation(db.session, user(), calculation_id)
    product = calc.model_version.product
    bodies = accounts.accredited_bodies(db.session, product.hs_chapter, clock.today())
    return render_template("pages/calculation.html", calc=calc, result=calc.result,
                           product=product, charts=charts.for_result(calc.result),
                           top_inputs=charts.top_inputs(calc.result),
                           bodies=bodies, schemes=recognition.schemes(),
                           open_requests=certification.open_requests(db.session, user(),
                                                                     product.id),
                           approved=[r for r in certification.requests_for_product(
                               db.session, user(), product.id) if r.state == "approved"])


@blp.route("/calculations/<string:calculation_id>/requests", methods=["POST"])
@signed_in("exporter")
def request_label(calculation_id: str):
    """Start a label request for this calculation and, if asked, submit it at once."""
    declared = _declared()
    data = form(LabelRequestInSchema(exclude=("calculation_id", "declared")))
    data.update(calculation_id=calculation_id, declared=declared)
    with transaction() as session:
        req = certification.create_request(session, user(), data)
        if request.form.get("submit_now"):
            session.flush()
            certification.transition(session, user(), req.id, "submit",
                                     if_match=certification.etag(req))
    flash(_("Label request created."), "info")
    return redirect(url_for("request_pages.request_page", request_id=req.id))


@blp.route("/requests", methods=["GET"])
@signed_in("exporter", "admin")
def requests():
    rows, pages = paged(lambda after, size: certification.list_requests(db.session, user(),
                                                                        after, size))
    return render_template("pages/requests.html", requests=rows, pages=pages)


def _posted_model() -> tuple[dict, str]:
    """The model from an uploaded file (YAML, JSON, BOM CSV/XLSX) or the text editor."""
    from lca_models.bom import parse_upload

    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return parse_upload(upload.filename, upload.read())
    text = request.form.get("model_text", "")
    if not text.strip():
        raise ModelValidationError({"model": [_("Upload a file or write the model in "
                                                "the editor.")]})
    return parse_upload("model.yaml", text.encode("utf-8"))


def _declared() -> dict | None:
    """The recognition metadata an exporter declares, from plain form fields."""
    standards = []
    for text in request.form.getlist("standard"):  # "ISO 14067:2018" -> name and version
        name, _, version = text.strip().rpartition(":") if ":" in text else (text, "", "")
        if name.strip():
            standards.append({"name": name.strip(), "version": version.strip() or None})
    electricity = request.form.get("electricity")
    data: dict[str, Any] = {"standards": standards}
    if electricity:
        data["electricity"] = {"approach": electricity,
                               "certificates_used": bool(request.form.get("certificates_used"))}
    if request.form.get("uncertainty_statement", "").strip():
        data["uncertainty_statement"] = request.form["uncertainty_statement"].strip()
    return load(DeclaredMetadataSchema(), data)


def _as_yaml(content: dict) -> str:
    return yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)


def _version_page(version, text: str, problems: list[str]):
    return render_template("pages/version.html", version=version, product=version.product,
                           model_text=text, problems=problems,
                           calculations=catalogue.calculations_of(db.session, version),
                           max_monte_carlo=current_app.config["MAX_MONTE_CARLO"])
