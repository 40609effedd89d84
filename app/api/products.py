"""Products, their model versions (JSON or file upload) and calculations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from app import queue
from app.api.jobs import accepted
from app.api.pagination import Page, cursor, paginate
from app.auth import caller, requires
from app.extensions import db
from app.schemas.common import PageQuerySchema
from app.schemas.jobs import JobSchema
from app.schemas.products import (
    CalculationInSchema,
    CalculationSchema,
    ModelInSchema,
    ModelVersionDetailSchema,
    ModelVersionPageSchema,
    ProductInSchema,
    ProductPageSchema,
    ProductSchema,
    RecomputeSchema,
)
from app.services import jobs, products, transaction
from lca_models.errors import ModelValidationError

if TYPE_CHECKING:  # for the annotations only: queries live in app/services
    from app.persistence import Calculation, ModelVersion, Product


blp = Blueprint("products", __name__, url_prefix="/api/v1",
                description="Products, inventory model versions and calculations")

UPLOAD_DOC = {"requestBody": {"content": {
    "application/json": {"schema": {"type": "object", "properties": {
        "model": {"type": "object"}}, "required": ["model"]}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": ".yaml, .yml, .json, .csv (bill of materials) or .xlsx"}}}}}}}


@blp.route("/products", methods=["GET"])
@requires("exporter", "admin")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, ProductPageSchema)
def list_products(args: dict) -> Page:
    """Your organisation's products."""
    return paginate(products.list_products(db.session, caller().user, *cursor(args)), args)


@blp.route("/products", methods=["POST"])
@requires("exporter", scope="write")
@blp.arguments(ProductInSchema)
@blp.response(201, ProductSchema)
def create_product(body: dict) -> Product:
    """Add a product to your organisation."""
    with transaction() as session:
        return products.create_product(session, caller().user, body)


@blp.route("/products/<string:product_id>", methods=["GET"])
@requires("exporter", "admin")
@blp.response(200, ProductSchema)
def get_product(product_id: str) -> Product:
    """One of your products."""
    return products.get_product(db.session, caller().user, product_id)


@blp.route("/products/<string:product_id>/model-versions", methods=["GET"])
@requires("exporter", "admin")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, ModelVersionPageSchema)
def list_versions(args: dict, product_id: str) -> Page:
    """Model versions of a product, oldest first."""
    return paginate(products.list_versions(db.session, caller().user, product_id,
                                           *cursor(args)), args)


@blp.route("/products/<string:product_id>/model-versions", methods=["POST"])
@requires("exporter", scope="write")
@blp.doc(**UPLOAD_DOC)
@blp.response(201, ModelVersionDetailSchema)
def add_version(product_id: str) -> ModelVersion:
    """Upload a new model version: JSON `{"model": ...}` or a file (YAML/JSON/CSV/XLSX)."""
    content, source_format = _model_from_request()
    with transaction() as session:
        product = products.get_product(session, caller().user, product_id)
        return products.add_version(session, caller().user, product, content, source_format)


@blp.route("/model-versions/<string:version_id>", methods=["GET"])
@requires("exporter", "admin")
@blp.response(200, ModelVersionDetailSchema)
def get_version(version_id: str) -> ModelVersion:
    """A model version with its content."""
    return products.get_version(db.session, caller().user, version_id)


@blp.route("/model-versions/<string:version_id>", methods=["PUT"])
@requires("exporter", scope="write")
@blp.doc(**UPLOAD_DOC)
@blp.response(200, ModelVersionDetailSchema)
def replace_version(version_id: str) -> ModelVersion:
    """Replace a version's content while it has not been submitted (409 once frozen)."""
    content, _ = _model_from_request()
    with transaction() as session:
        version = products.get_version(session, caller().user, version_id)
        return products.replace_version(session, caller().user, version, content)


@blp.route("/model-versions/<string:version_id>/calculations", methods=["POST"])
@requires("exporter", scope="write")
@blp.arguments(CalculationInSchema)
@blp.response(201, CalculationSchema)
@blp.alt_response(202, schema=JobSchema, description="Monte Carlo: a job computes it")
def calculate(body: dict, version_id: str) -> Calculation | Response:
    """Compute the version against the shipped factor release and store the result. With
    Monte Carlo the answer is 202 and a job (Location): a worker computes and stores it."""
    if body["monte_carlo"]:
        with transaction() as session:
            version = products.get_version(session, caller().user, version_id)
            job = jobs.start_calculation(
                session, caller().user, version, gwp_set=body["gwp_set"],
                monte_carlo=body["monte_carlo"], seed=body["seed"],
                max_monte_carlo=current_app.config["MAX_MONTE_CARLO"])
        queue.publish(queue.current_flask_app(), job.id)
        return accepted(jobs.get(db.session, caller().user, job.id))
    with transaction() as session:
        version = products.get_version(session, caller().user, version_id)
        return products.calculate(session, caller().user, version, gwp_set=body["gwp_set"],
                                  monte_carlo=body["monte_carlo"], seed=body["seed"],
                                  brightway_dir=current_app.config["BRIGHTWAY_DIR"],
                                  max_monte_carlo=current_app.config["MAX_MONTE_CARLO"])


@blp.route("/calculations/<string:calculation_id>", methods=["GET"])
@requires("exporter", "admin")
@blp.response(200, CalculationSchema)
def get_calculation(calculation_id: str) -> Calculation:
    """A stored calculation with its full result."""
    return products.get_calculation(db.session, caller().user, calculation_id)


@blp.route("/calculations/<string:calculation_id>/recompute", methods=["POST"])
@requires("exporter", "admin")
@blp.response(200, RecomputeSchema)
def recompute(calculation_id: str) -> dict:
    """Recompute a stored calculation and say whether it reproduces bit for bit."""
    calc = products.get_calculation(db.session, caller().user, calculation_id)
    same = products.recompute_matches(calc, current_app.config["BRIGHTWAY_DIR"])
    return {"calculation_id": calc.id, "reproduced": same}


def _model_from_request() -> tuple[dict, str]:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ModelValidationError({"file": "attach the model as form field 'file'"})
        from lca_models.bom import parse_upload

        return parse_upload(upload.filename, upload.read())
    try:
        body = ModelInSchema().load(request.get_json(silent=False) or {})
    except ValidationError as exc:
        from lca_models.inventory_schema import flatten_errors

        raise ModelValidationError(flatten_errors(exc.messages)) from None
    return body["model"], "json"
