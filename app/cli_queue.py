"""`carbonlabel worker` (a task-queue worker), and the commands for factor-release diffs and
impact runs, whose work runs on those workers."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from app.cli_common import friendly_errors, service_app, user_by_email


@click.command()
@click.option("-c", "--concurrency", default=1, show_default=True, type=click.IntRange(1),
              help="Worker processes (one per core is plenty: the engine is CPU-bound).")
@click.option("--pool", type=click.Choice(["prefork", "solo"]), default="prefork",
              show_default=True)
@click.option("--beat", is_flag=True, help="Also run the periodic schedule (PACT event "
              "deliveries, re-publishing jobs the broker lost); on ONE worker of a cluster.")
@click.option("--loglevel", default="INFO", show_default=True)
def worker(concurrency: int, pool: str, beat: bool, loglevel: str) -> None:
    """Run a task-queue worker on the configured broker (CARBONLABEL_BROKER_URL; default: the
    embedded one in the instance folder) and database (DATABASE_URL)."""
    from app import create_app
    from app.queue import celery_of, publish_pending

    app = create_app()
    argv = ["worker", f"--concurrency={concurrency}", f"--pool={pool}",
            f"--loglevel={loglevel}", "--queues=carbonlabel", "--without-gossip",
            "--without-mingle"]
    if beat:
        argv += ["--beat", f"--schedule={app.config['INSTANCE_DIR'] / 'beat-schedule'}"]
    with app.app_context():
        publish_pending(app)  # what a crash or a broker outage left behind
    celery_of(app).worker_main(argv)


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the whole diff as JSON.")
@friendly_errors
def factors_diff(old: str, new: str, as_json: bool) -> None:
    """Rows added, removed and changed between two releases. OLD/NEW: a version (the shipped
    one, or a folder in the service's factor-releases/) or a release folder's path."""
    from app.services import releases
    from lca_models.release_diff import diff_releases

    folder = service_app().config["FACTOR_RELEASES_DIR"]
    before, _ = releases.locate(old, folder, allow_path=True)
    after, _ = releases.locate(new, folder, allow_path=True)
    diff = diff_releases(before, after)
    if as_json:
        click.echo(json.dumps(diff.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{before.version} -> {after.version}: {len(diff.added)} added, "
               f"{len(diff.removed)} removed, {len(diff.changed)} changed")
    for factor_id in diff.added:
        click.echo(f"+ {factor_id}")
    for factor_id in diff.removed:
        click.echo(f"- {factor_id}")
    for change in diff.changed:
        gases = ", ".join(
            f"{gas} {c.old} -> {c.new}" + (f" ({100 * c.relative_change:+.2f} %)"
                                           if c.relative_change is not None else "")
            for gas, c in change.gases.items())
        extra = " [source changed]" if change.source_changed else ""
        click.echo(f"~ {change.id}: {gases or 'no gas change'}{extra}")


@click.command("make-test-release")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--factor", "factor_id", required=True, help="The factor to change.")
@click.option("--multiply", type=float, required=True, help="e.g. 1.2 for +20 %.")
@friendly_errors
def factors_make_test_release(target: Path, factor_id: str, multiply: float) -> None:
    """Write an ILLUSTRATIVE test release (the shipped one with one factor scaled) into
    TARGET/<version>/, for trying an impact run. Never a published figure; labels are only
    ever calculated with the shipped release."""
    from app.services.releases import write_illustrative_release

    folder = write_illustrative_release(target, factor_id, multiply)
    click.echo(f"wrote {folder}")


@click.group()
def impact() -> None:
    """Factor-release impact runs: which labels in force a release moves."""


@impact.command("run")
@click.argument("release")
@click.option("--as", "email", required=True, help="The certifier or admin running it.")
@click.option("--threshold", type=click.FloatRange(0, 1000), default=None,
              help="Flag labels moving by more than this many percent (default: config).")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Show progress until the workers finish.")
@friendly_errors
def impact_run(release: str, email: str, threshold: float | None, wait: bool) -> None:
    """Start an impact run against RELEASE (a version, or a release folder's path)."""

    from app import queue
    from app.extensions import db
    from app.persistence import Job
    from app.services import impact as service
    from app.services import transaction

    app = service_app()
    with app.app_context():
        with transaction() as session:
            user = user_by_email(session, email)
            job = service.start(session, user, release,
                                releases_dir=app.config["FACTOR_RELEASES_DIR"],
                                threshold_percent=app.config["IMPACT_THRESHOLD_PERCENT"]
                                if threshold is None else threshold, allow_path=True)
            job_id = job.id
        published = queue.publish(app, job_id)
        click.echo(f"impact run {job_id} queued" + ("" if published else
                   " (the broker did not answer; a worker's sweep will publish it)"))
        while wait:
            db.session.expire_all()
            job = db.session.get_one(Job, job_id)
            click.echo(f"  {job.state}: {job.done} / {job.total}")
            if job.state in ("done", "failed"):
                result = job.result or {}  # a finished run always has its result
                click.echo(job.error or f"{result['flagged']} of {result['labels']} "
                           "label(s) flagged: re-certification recommended")
                break
            time.sleep(2)


@impact.command("report")
@click.argument("job_id")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True)
@friendly_errors
def impact_report(job_id: str, fmt: str, output: Path) -> None:
    """Write an impact run's report (one row per label)."""
    from app.domain import NotFound
    from app.extensions import db
    from app.persistence import Job
    from app.services import impact as service
    from app.services import impact_export

    with service_app().app_context():
        job = db.session.get(Job, job_id)
        if job is None or job.kind != "impact":
            raise NotFound(f"no impact run {job_id}")
        entries = service.report(db.session, job)
        if fmt == "csv":
            output.write_text(impact_export.to_csv(job, entries), "utf-8")
        else:
            output.write_bytes(impact_export.to_xlsx(job, entries))
    click.echo(f"wrote {output} ({len(entries)} label(s))")
