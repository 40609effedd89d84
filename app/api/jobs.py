"""Background jobs, factor-release diffs and impact runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, current_app, jsonify, url_for
from flask_smorest import Blueprint

from app import queue
from app.auth import caller, requires
from app.extensions import db
from app.schemas.jobs import (
    FactorDiffSchema,
    ImpactEntrySchema,
    ImpactReportSchema,
    ImpactRunInSchema,
    JobSchema,
)
from app.services import accounts, impact, impact_export, jobs, releases, transaction
from lca_models.release_diff import diff_releases

if TYPE_CHECKING:  # for the annotations only: queries live in app/services
    from app.persistence import Job


blp = Blueprint("jobs", __name__, url_prefix="/api/v1",
                description="Background jobs, factor-release diffs and impact runs")


def job_links(job: Job) -> dict[str, str]:
    links = {"self": url_for("jobs.get_job", job_id=job.id)}
    if job.kind == "calculation" and job.result:
        links["result"] = url_for("products.get_calculation",
                                  calculation_id=job.result["calculation_id"])
    if job.kind == "impact":
        links["report"] = url_for("jobs.impact_report", job_id=job.id)
    return links


def accepted(job: Job) -> Response:
    """202 with the job resource and its Location."""
    db.session.refresh(job)  # a worker (or, in tests, the eager task) may have moved it on
    body = JobSchema().dump(jobs.view(job, job_links(job)))
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["links"]["self"]
    return response


@blp.route("/jobs/<string:job_id>", methods=["GET"])
@requires()
@blp.response(200, JobSchema)
def get_job(job_id: str) -> dict:
    """A job of the caller's organisation: state, progress and a link to the result."""
    job = jobs.get(db.session, caller().user, job_id)
    if job.state == "queued" and job.enqueued_at is None:  # the broker was down: try again
        queue.publish(queue.current_flask_app(), job.id)
        job = jobs.get(db.session, caller().user, job_id)
    return jobs.view(job, job_links(job))


@blp.route("/factor-releases", methods=["GET"])
@requires("certifier", "admin")
def list_releases() -> dict:
    """The shipped release and the releases in the service's release folder."""
    return {"releases": releases.known(current_app.config["FACTOR_RELEASES_DIR"])}


@blp.route("/factor-releases/<string:old>/diff/<string:new>", methods=["GET"])
@requires("certifier", "admin")
@blp.response(200, FactorDiffSchema)
def diff(old: str, new: str) -> dict:
    """Rows added, removed and changed between two releases (relative change per gas)."""
    folder = current_app.config["FACTOR_RELEASES_DIR"]
    before, _ = releases.locate(old, folder)
    after, _ = releases.locate(new, folder)
    return diff_releases(before, after).to_dict()


@blp.route("/impact-runs", methods=["POST"])
@requires("certifier", "admin")
@blp.arguments(ImpactRunInSchema)
@blp.alt_response(202, schema=JobSchema)
def start_impact(body: dict) -> Response:
    """Recompute every label in force against a release on the workers (202 + job); needs
    the certifier's review scope or the admin scope."""
    accounts.require_acting_scope(caller().scopes, caller().user.role)
    config = current_app.config
    threshold = body["threshold_percent"]
    with transaction() as session:
        job = impact.start(session, caller().user, body["release"],
                           releases_dir=config["FACTOR_RELEASES_DIR"],
                           threshold_percent=config["IMPACT_THRESHOLD_PERCENT"]
                           if threshold is None else threshold)
    queue.publish(queue.current_flask_app(), job.id)
    return accepted(jobs.get(db.session, caller().user, job.id))


@blp.route("/impact-runs/<string:job_id>", methods=["GET"])
@requires("certifier", "admin")
@blp.response(200, ImpactReportSchema)
def impact_report(job_id: str) -> dict:
    """The run's report so far: one entry per label, flagged above the threshold."""
    job = jobs.get(db.session, caller().user, job_id, kind="impact")
    return {"job": jobs.view(job, job_links(job)),
            "threshold_percent": job.params["threshold_percent"],
            "release": {"version": job.params["release_version"],
                        "sha256": job.params["release_sha256"]},
            "entries": impact.report(db.session, job)}


@blp.route("/impact-runs/<string:job_id>/report.<any(csv, xlsx):fmt>", methods=["GET"])
@requires("certifier", "admin")
def impact_download(job_id: str, fmt: str) -> Response:
    """The report as CSV or XLSX."""
    job = jobs.get(db.session, caller().user, job_id, kind="impact")
    entries = impact.report(db.session, job)
    if fmt == "csv":
        return Response(impact_export.to_csv(job, entries), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="impact-{job.id}.csv"'})
    return Response(impact_export.to_xlsx(job, entries), headers={
        "Content-Disposition": f'attachment; filename="impact-{job.id}.xlsx"'},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@blp.route("/labels/<string:label_id>/impact-flags", methods=["GET"])
@requires()
@blp.response(200, ImpactEntrySchema(many=True))
def label_flags(label_id: str) -> list:
    """Impact runs that recommend re-certifying this label (its exporter, its body, admins)."""
    return impact.flags_visible_to(db.session, caller().user, label_id)
