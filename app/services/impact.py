"""Factor-release impact: which labels in force a new factor release moves, and by how much.

An impact run is a job: `plan` (a task) lists the labels in force behind the run's scope and
publishes them in batches; each `run_batch` (a task, on any worker) recomputes the stored
calculation behind each label against the new release. Batches are ordered by GWP set and
model version; a worker recomputes a batch at once (lca_models/batch.py): one bw2calc object
per matrix structure, one factorisation per distinct technosphere, the calculations loaded
in one query and the entries written in one commit. Each label's entry is unique per run,
so a batch delivered twice writes nothing twice. Labels and calculations are only read: a
signed label never changes, a moved one is flagged "re-certification recommended".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.domain import Forbidden, InvalidInput
from app.persistence import Calculation, ImpactEntry, Job, Label, LabelRequest, User
from app.persistence.types import utcnow
from app.services import DbSession, audit, jobs, labels, releases
from lca_models.errors import LcaModelError
from lca_models.factors import FactorRelease
from lca_models.results import FootprintResult

BATCH_SIZE = 200
DRIVERS = 5


def start(session: DbSession, user: User, release_name: str, *, releases_dir: Path,
          threshold_percent: float, allow_path: bool = False) -> Job:
    """Record an impact run (the caller commits, then publishes). Certifiers cover the
    labels their body issued; admins cover every label."""
    if user.role not in ("certifier", "admin"):
        raise Forbidden("impact runs are for certifiers and admins")
    release, folder = releases.locate(release_name, releases_dir, allow_path=allow_path)
    body = user.organisation_id if user.role == "certifier" else None
    total = session.execute(select(func.count()).select_from(Label).where(*_scope(body))
                            ).scalar_one()
    return jobs.create(session, user, "impact", {
        "release_version": release.version, "release_sha256": release.sha256,
        "release_dir": str(folder) if folder else None, "threshold_percent": threshold_percent,
        "certification_body_id": body}, total=total, organisation_id=user.organisation_id)


def _scope(body_id: str | None, today: date | None = None) -> tuple[Any, ...]:
    today = today or utcnow().date()
    clauses = (Label.revoked_at.is_(None), Label.superseded_by_id.is_(None),
               Label.valid_until >= today)
    return (*clauses, Label.certification_body_id == body_id) if body_id else clauses


def plan(session: DbSession, job_id: str, send_batch: Callable[[list[str]], None]) -> None:
    """Task: split the labels in force into batches of the same model and hand each to
    `send_batch` (the task queue's, app/tasks.py)."""
    job = jobs.claim(session, job_id)
    if job is None:
        return
    rows = session.execute(
        select(Label.id, Calculation.model_version_id, Calculation.gwp_set)
        .join(LabelRequest, LabelRequest.id == Label.request_id)
        .join(Calculation, Calculation.id == LabelRequest.calculation_id)
        .where(*_scope(job.params["certification_body_id"]))
        .order_by(Calculation.gwp_set, Calculation.model_version_id, Label.id)).all()
    job.total = len(rows)
    session.commit()
    ids = [r[0] for r in rows]
    if not ids:
        _maybe_finish(session, job_id)
        return
    for start_at in range(0, len(ids), BATCH_SIZE):
        send_batch(ids[start_at:start_at + BATCH_SIZE])


def run_batch(session: DbSession, job_id: str, label_ids: list[str], brightway: Path) -> None:
    """Task: recompute one batch (the engine's data in `brightway`); labels already in the
    report are skipped."""
    job = session.get(Job, job_id)
    if job is None or job.state in ("done", "failed"):
        return
    params = dict(job.params)
    try:
        release = _release(params)
    except InvalidInput as exc:
        jobs.fail(session, job_id, str(exc))
        return
    present = set(session.scalars(select(ImpactEntry.label_id).where(
        ImpactEntry.job_id == job_id, ImpactEntry.label_id.in_(label_ids))))
    todo = [i for i in label_ids if i not in present]
    pairs = session.execute(
        select(Label, Calculation).join(LabelRequest, LabelRequest.id == Label.request_id)
        .join(Calculation, Calculation.id == LabelRequest.calculation_id)
        .where(Label.id.in_(todo))
        .options(selectinload(Calculation.model_version))).all() if todo else []
    session.commit()  # nothing is held open while the engine works
    entries = _entries(job_id, pairs, release, brightway, params["threshold_percent"])
    try:
        session.add_all(entries)
        session.commit()
    except IntegrityError:  # a second delivery raced this one: keep what is stored
        session.rollback()
        for entry in entries:
            try:
                session.add(_copy(entry))
                session.commit()
            except IntegrityError:
                session.rollback()
    jobs.reporter(session, job_id)(_count(session, job_id), job.total)
    _maybe_finish(session, job_id)


def _release(params: dict[str, Any]) -> FactorRelease:
    from lca_models.factors import load_release

    folder = params["release_dir"]
    release = (releases.load_folder(Path(folder)) if folder
               else load_release(version=params["release_version"]))
    if release.sha256 != params["release_sha256"]:
        raise InvalidInput(f"factor release {params['release_version']} changed since the "
                           "run started (its content hash differs); start a new run")
    return release


def _entries(job_id: str, pairs: Sequence[tuple[Label, Calculation]],
             release: FactorRelease, brightway: Path, threshold: float) -> list[ImpactEntry]:
    """One report entry per (label, stored calculation), recomputed together: the engine
    groups the batch by matrix structure and shares one factorisation among calculations
    with the same technosphere (lca_models/batch.py); the numbers are those of
    `compute_footprint` one at a time, bit for bit."""
    from lca_models.batch import compute_footprints
    from lca_models.model_cache import compiled_model

    entries, by_gwp = [], defaultdict(list)
    for label, calc in pairs:
        entry = ImpactEntry(job_id=job_id, label_id=label.id, calculation_id=calc.id,
                            organisation_id=label.organisation_id,
                            certification_body_id=label.certification_body_id,
                            old_kg=calc.kg_co2e_per_declared_unit, drivers=[], flagged=False)
        entries.append(entry)
        try:
            # the version behind a label is frozen (submitted), so it is the model computed;
            # its compiled form against this release is cached by content and release hash
            version = calc.model_version
            compiled = compiled_model(version.content, version.content_sha256, release)
        except LcaModelError as exc:  # e.g. a factor the new release removed
            entry.error, entry.flagged = str(exc)[:2000], True
            continue
        by_gwp[calc.gwp_set].append((entry, calc, compiled))
    for gwp_set, items in by_gwp.items():
        results = compute_footprints([c for _, _, c in items], release, gwp_set=gwp_set,
                                     brightway_dir=brightway, with_inputs_hash=False)
        for (entry, calc, _), result in zip(items, results, strict=True):
            _fill(entry, calc, result, threshold)
    return entries


def _fill(entry: ImpactEntry, calc: Calculation, result: FootprintResult | LcaModelError,
          threshold: float) -> None:
    if isinstance(result, LcaModelError):
        entry.error, entry.flagged = str(result)[:2000], True
        return
    entry.new_kg = result.kg_co2e_per_declared_unit
    entry.change_percent = change_percent(entry.old_kg, entry.new_kg)
    entry.flagged = entry.change_percent is None or abs(entry.change_percent) > threshold
    entry.drivers = drivers(calc.result.get("by_input", []),
                            [vars(i) for i in result.by_input])


def change_percent(old: float, new: float) -> float | None:
    if old == 0:
        return None if new != 0 else 0.0
    return 100.0 * (new - old) / abs(old)


def drivers(old_inputs: list[dict], new_inputs: list[dict]) -> list[dict[str, Any]]:
    """The factors whose contribution moved most, largest first."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for index, inputs in enumerate((old_inputs, new_inputs)):
        for item in inputs:
            if item["kind"] in ("factor", "transport"):
                totals[item["reference"]][index] += item["kg_co2e"]
    moved: list[dict[str, Any]] = [
        {"factor_id": ref, "old_kg": old, "new_kg": new, "delta_kg": new - old}
        for ref, (old, new) in totals.items() if new != old]
    return sorted(moved, key=lambda d: -abs(d["delta_kg"]))[:DRIVERS]


def _copy(entry: ImpactEntry) -> ImpactEntry:
    columns = ("job_id", "label_id", "calculation_id", "organisation_id",
               "certification_body_id", "old_kg", "new_kg", "change_percent", "drivers",
               "flagged", "error")
    return ImpactEntry(**{c: getattr(entry, c) for c in columns})


def _count(session: DbSession, job_id: str) -> int:
    return session.execute(select(func.count()).select_from(ImpactEntry).where(
        ImpactEntry.job_id == job_id)).scalar_one()


def _maybe_finish(session: DbSession, job_id: str) -> None:
    job = session.execute(select(Job).where(Job.id == job_id).with_for_update()).scalar_one()
    count = _count(session, job_id)
    if job.state != "running" or count < job.total:
        session.rollback()
        return
    flagged = session.scalar(select(func.count()).select_from(ImpactEntry).where(
        ImpactEntry.job_id == job_id, ImpactEntry.flagged.is_(True)))
    job.state, job.done = "done", count
    job.updated_at = job.finished_at = utcnow()
    job.result = {"labels": count, "flagged": flagged}
    audit.append(session, session.get_one(User, job.created_by), "job.impact.finished",
                 target_type="job", target_id=job_id,
                 details={"release": job.params["release_version"], "labels": count,
                          "flagged": flagged})
    session.commit()


def report(session: DbSession, job: Job) -> list[ImpactEntry]:
    return list(session.scalars(select(ImpactEntry).where(ImpactEntry.job_id == job.id)
                                .order_by(ImpactEntry.flagged.desc(), ImpactEntry.label_id)))


def flags_visible_to(session: DbSession, user: User, label_id: str) -> list[ImpactEntry]:
    """`flags_for_label` for the label's exporter, its body or an admin (404 otherwise)."""
    labels.visible_label(session, user, label_id)
    return flags_for_label(session, label_id)


def flags_for_label(session: DbSession, label_id: str) -> list[ImpactEntry]:
    """The latest finished run that covered this label, if it flagged it (a later run that
    no longer flags the label withdraws the recommendation)."""
    latest = session.scalars(
        select(ImpactEntry).join(Job, Job.id == ImpactEntry.job_id)
        .where(ImpactEntry.label_id == label_id, Job.state == "done")
        .order_by(Job.finished_at.desc()).limit(1)).first()
    return [latest] if latest is not None and latest.flagged else []
