"""Modelling without YAML: a model version's processes and inputs in a form, the factor
browser and the templates to download. No script on the page: rows are added and removed
with submit buttons that post the whole table back (nothing is stored until Save), and
saving creates a new model version through the same service and validation as an upload."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.domain import NotFound
from app.extensions import db
from app.messages import localize_all
from app.services import bom_template, transaction
from app.services import factors as factor_search
from app.services import products as catalogue
from app.services.model_form import (
    INPUT_FIELDS,
    ProcessRow,
    content_from_rows,
    field_errors,
    rows_from_content,
    units_for,
)
from app.web.common import register_errors, signed_in, user
from lca_models.errors import ModelValidationError
from lca_models.inventory import STAGES

blp = Blueprint("modelling_pages", __name__, url_prefix="/app")
register_errors(blp)

#: most rows a posted form may have (the table is rebuilt from the posted fields)
MAX_ROWS = 500


@blp.route("/versions/<string:version_id>/form", methods=["GET"])
@signed_in("exporter")
def edit(version_id: str):
    found = catalogue.get_version(db.session, user(), version_id)
    return _page(found, rows_from_content(found.content), {}, [])


@blp.route("/versions/<string:version_id>/form", methods=["POST"])
@signed_in("exporter")
def post(version_id: str):
    """Add/remove a row (the table comes back, nothing stored) or save a new version."""
    found = catalogue.get_version(db.session, user(), version_id)
    rows = _posted_rows()
    action = request.form.get("action", "save")
    kind, _sep, where = action.partition(":")
    at = [int(x) for x in where.split(".") if x.isdigit()]
    if kind == "add_process":
        rows.append(ProcessRow())
    elif kind == "remove_process" and at and at[0] < len(rows):
        rows.pop(at[0])
    elif kind == "add_input" and at and at[0] < len(rows):
        rows[at[0]].inputs.append({"kind": "factor", "ref": "", "amount": "", "unit": "",
                                   "origin": ""})
    elif (kind == "remove_input" and len(at) == 2 and at[0] < len(rows)
          and at[1] < len(rows[at[0]].inputs)):
        rows[at[0]].inputs.pop(at[1])
    if kind != "save":
        return _page(found, rows, {}, [])
    content, places = content_from_rows(found.content, rows)
    try:
        with transaction() as session:
            version = catalogue.get_version(session, user(), version_id)
            new = catalogue.add_version(session, user(), version.product, content, "form")
    except ModelValidationError as exc:
        cells, rest = field_errors({path: localize_all(msgs) for path, msgs in exc.errors.items()},
                                   places)
        return _page(found, rows, cells, rest), 422
    flash(_("Model version %(number)s saved.", number=new.number), "info")
    return redirect(url_for("exporter_pages.version", version_id=new.id))


@blp.route("/factors", methods=["GET"])
@signed_in("exporter", "admin")
def factors():
    """The shipped factors, searchable, each with its source and licence."""
    args = {k: request.args.get(k, "").strip() for k in ("q", "category", "region", "year")}
    rows = factor_search.search(**args)
    return render_template("pages/factors.html", rows=rows, args=args,
                           choices=factor_search.choices(), total=len(rows))


_TEMPLATES = {
    "bom.csv": ("text/csv; charset=utf-8", bom_template.bom_csv),
    "bom.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 bom_template.bom_xlsx),
    "cbam-input.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        bom_template.cbam_xlsx),
}


@blp.route("/templates/<string:name>", methods=["GET"])
@signed_in("exporter", "admin")
def template(name: str):
    """A template to fill in and upload: a bill of materials, or the CBAM input workbook."""
    if name not in _TEMPLATES:
        raise NotFound(_("No such template."))
    mimetype, make = _TEMPLATES[name]
    script = "Hant" if str(get_locale()) == "zh_Hant" else "Hans"  # the reader's Chinese
    return Response(make(script), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="carbonlabel-{name}"'})


def _posted_rows() -> list[ProcessRow]:
    """The table as posted, text kept exactly as typed."""
    rows = []
    count = min(_count("process_count"), MAX_ROWS)
    for i in range(count):
        get = request.form.get
        row = ProcessRow(stage=get(f"p{i}.stage", ""), id=get(f"p{i}.id", ""),
                         name=get(f"p{i}.name", ""), output_amount=get(f"p{i}.output_amount", ""),
                         output_unit=get(f"p{i}.output_unit", ""), origin=get(f"p{i}.origin", ""))
        for j in range(min(_count(f"p{i}.input_count"), MAX_ROWS)):
            row.inputs.append({k: get(f"p{i}.in{j}.{k}", "") for k in INPUT_FIELDS})
        rows.append(row)
    return rows


def _count(key: str) -> int:
    text = request.form.get(key, "0")
    return int(text) if text.isdigit() else 0


def _page(version, rows: list[ProcessRow], cells: dict[str, list[str]], problems: list[str]):
    release = factor_search.current_release()
    unit_of = {fid: f.unit for fid, f in release.factors.items()}
    return render_template(
        "pages/model_form.html", version=version, product=version.product, rows=rows,
        cells=cells, problems=problems, stages=STAGES, factor_ids=sorted(unit_of),
        units=lambda ref: units_for(unit_of.get(ref.strip())))
