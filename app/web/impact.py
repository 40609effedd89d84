"""The certifier's and admin's pages for factor releases: a diff, an impact run with its
progress bar (the page refreshes itself, no JavaScript) and the report with downloads."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from marshmallow import Schema, fields, validate

from app import queue
from app.extensions import db
from app.services import impact, impact_export, jobs, releases, transaction
from app.web.common import form, register_errors, signed_in, user
from lca_models.release_diff import diff_releases

blp = Blueprint("impact_pages", __name__, url_prefix="/app")
register_errors(blp)


class ImpactFormSchema(Schema):
    release = fields.String(required=True, validate=validate.Length(min=1, max=64))
    threshold_percent = fields.Float(load_default=None,
                                     validate=validate.Range(min=0, max=1000))


@blp.route("/factor-releases", methods=["GET"])
@signed_in("certifier", "admin")
def releases_page():
    folder = current_app.config["FACTOR_RELEASES_DIR"]
    names = releases.known(folder)
    old, new = request.args.get("old"), request.args.get("new")
    diff = None
    if old and new:
        diff = diff_releases(releases.locate(old, folder)[0],
                             releases.locate(new, folder)[0])
    return render_template("pages/releases.html", names=names, diff=diff, old=old, new=new,
                           threshold=current_app.config["IMPACT_THRESHOLD_PERCENT"])


@blp.route("/impact-runs", methods=["POST"])
@signed_in("certifier", "admin")
def start():
    data = form(ImpactFormSchema())
    config = current_app.config
    threshold = data.get("threshold_percent")
    with transaction() as session:
        job = impact.start(session, user(), data["release"],
                           releases_dir=config["FACTOR_RELEASES_DIR"],
                           threshold_percent=config["IMPACT_THRESHOLD_PERCENT"]
                           if threshold is None else threshold)
    queue.publish(queue.current_flask_app(), job.id)
    return redirect(url_for(".run", job_id=job.id))


@blp.route("/impact-runs/<string:job_id>", methods=["GET"])
@signed_in("certifier", "admin")
def run(job_id: str):
    job = jobs.get(db.session, user(), job_id, kind="impact")
    if job.state == "queued" and job.enqueued_at is None:  # the broker was down: try again
        queue.publish(queue.current_flask_app(), job.id)
        job = jobs.get(db.session, user(), job_id, kind="impact")
    entries = impact.report(db.session, job) if job.state == "done" else []
    return render_template("pages/impact.html", job=job, entries=entries,
                           stalled=jobs.stalled(job))


@blp.route("/impact-runs/<string:job_id>/report.<any(csv, xlsx):fmt>", methods=["GET"])
@signed_in("certifier", "admin")
def download(job_id: str, fmt: str):
    job = jobs.get(db.session, user(), job_id, kind="impact")
    entries = impact.report(db.session, job)
    name = f'attachment; filename="impact-{job.id}.{fmt}"'
    if fmt == "csv":
        return Response(impact_export.to_csv(job, entries), mimetype="text/csv",
                        headers={"Content-Disposition": name})
    return Response(impact_export.to_xlsx(job, entries), headers={"Content-Disposition": name},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
