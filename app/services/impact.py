"""Factor-release impact: which labels in force a new factor release moves, and by how much.

An impact run is a job: `plan` (a task) lists the labels in force behind the run's scope and
publishes them in batches; each `run_batch` (a task, on any worker) recomputes the stored
calculation behind each label against the new release. A batch is read in one query (labels,
calculations and the stored compiled forms of their model versions: app/services/
compiled_forms.py), computed a matrix structure at a time as array operations
(lca_models/vectorised.py), under the new release and under each calculation's own release
from the same activities, and written with one bulk insert. Each label's entry is unique
per run, so a batch delivered twice writes nothing twice. Labels and calculations are only
read: a signed label never changes, a moved one is flagged "re-certification recommended".
How the change is made consistent with the stored footprint: `_compare` and
docs/task-queue.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from app.domain import Forbidden, InvalidInput
from app.persistence import (
    Calculation,
    CompiledForm,
    ImpactEntry,
    Job,
    Label,
    LabelRequest,
    ModelVersion,
    User,
)
from app.persistence.types import new_id, utcnow
from app.services import DbSession, audit, compiled_forms, jobs, labels, releases
from lca_models.factors import FactorRelease
from lca_models.messages import N_

if TYPE_CHECKING:
    from lca_models.vectorised import GroupResult, Structure

BATCH_SIZE = 500
DRIVERS = 5


def start(session: DbSession, user: User, release_name: str, *, releases_dir: Path,
          threshold_percent: float, allow_path: bool = False) -> Job:
    """Record an impact run (the caller commits, then publishes). Certifiers cover the
    labels their body issued; admins cover every label."""
    if user.role not in ("certifier", "admin"):
        raise Forbidden(N_("impact runs are for certifiers and admins"))
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
    """Task: recompute one batch (`brightway` is kept for the engine's one-at-a-time path,
    which this batch does not need); labels already in the report are skipped."""
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
    rows = [_Row(*r) for r in session.execute(
        select(Label.id, Label.organisation_id, Label.certification_body_id, Calculation.id,
               Calculation.kg_co2e_per_declared_unit, Calculation.gwp_set,
               Calculation.factor_release_version, Calculation.factor_release_sha256,
               ModelVersion.content_sha256, CompiledForm.structure_sha256,
               CompiledForm.values)
        .join(LabelRequest, LabelRequest.id == Label.request_id)
        .join(Calculation, Calculation.id == LabelRequest.calculation_id)
        .join(ModelVersion, ModelVersion.id == Calculation.model_version_id)
        .outerjoin(CompiledForm, CompiledForm.content_sha256 == ModelVersion.content_sha256)
        .where(Label.id.in_(todo)))] if todo else []
    entries, forms = _entries(session, job_id, rows, release, params["threshold_percent"])
    session.commit()  # reads done; forms and entries are written below
    if forms:
        compiled_forms.remember(session, forms)
        session.commit()
    try:
        if entries:
            _insert_entries(session, entries)
        session.commit()
    except IntegrityError:  # a second delivery raced this one: keep what is stored
        session.rollback()
        for entry in entries:
            try:
                _insert_entries(session, [entry])
                session.commit()
            except IntegrityError:
                session.rollback()
    jobs.reporter(session, job_id)(_count(session, job_id), job.total)
    _maybe_finish(session, job_id)


_RELEASES: dict[tuple[str | None, str, str], FactorRelease] = {}


def _insert_entries(session: DbSession, entries: list[dict[str, Any]]) -> None:
    """One bulk write: COPY on PostgreSQL, a multi-row insert elsewhere; a label already in
    the report raises IntegrityError either way."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(ImpactEntry), entries)
        return
    import json

    import psycopg

    columns = list(entries[0])
    driver = session.connection().connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(
                f"COPY impact_entries ({', '.join(columns)}) FROM STDIN") as copy:
            for entry in entries:
                copy.write_row([json.dumps(entry[c]) if c == "drivers" else entry[c]
                                for c in columns])
    except psycopg.errors.UniqueViolation as exc:
        raise IntegrityError("COPY impact_entries", None, exc) from exc


def _release(params: dict[str, Any]) -> FactorRelease:
    """The run's release, checked against the hash recorded when it started; kept per
    worker process once it matched (loading and validating a release costs more than
    computing a batch). What is kept is the content whose hash the run recorded, so every
    batch computes against the release the run names; a worker that loads the folder after
    it changed still refuses the run."""
    from lca_models.factors import load_release

    folder = params["release_dir"]
    key = (folder, params["release_version"], params["release_sha256"])
    if key in _RELEASES:
        return _RELEASES[key]
    release = (releases.load_folder(Path(folder)) if folder
               else load_release(version=params["release_version"]))
    if release.sha256 != params["release_sha256"]:
        raise InvalidInput(N_(
            'factor release %(release_version)s changed since the run started (its content hash '
            'differs); start a new run',
            release_version=params['release_version']))
    if len(_RELEASES) >= 8:
        _RELEASES.clear()
    _RELEASES[key] = release
    return release


class _Row(NamedTuple):
    label_id: str
    organisation_id: str
    certification_body_id: str
    calculation_id: str
    old_kg: float
    gwp_set: str
    release_version: str
    release_sha256: str
    content_sha256: str
    structure_sha256: str | None
    values: bytes | None


@lru_cache(maxsize=16)
def _stored_release(version: str, sha256: str) -> FactorRelease | None:
    """The release a calculation used, if it is still loadable with the same content."""
    from lca_models.errors import LcaModelError
    from lca_models.factors import load_release

    try:
        release = load_release(version=version)
    except (LcaModelError, OSError, ValueError):
        return None
    return release if release.sha256 == sha256 else None


_SCORES: dict[tuple[str, str, str], Any] = {}


def _unit_scores(structure: Structure, release: FactorRelease, gwp_set: str) -> Any:
    """`vectorised.unit_scores`, memoised per process (or the StructureMismatch)."""
    from lca_models.vectorised import StructureMismatch, unit_scores

    key = (structure.sha256, release.sha256, gwp_set)
    if key not in _SCORES:
        if len(_SCORES) > 4096:
            _SCORES.clear()
        try:
            _SCORES[key] = unit_scores(structure, release, gwp_set)
        except StructureMismatch as exc:
            _SCORES[key] = exc
    return _SCORES[key]


def _entries(session: DbSession, job_id: str, rows: Sequence[_Row], release: FactorRelease,
             threshold: float) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One report entry per (label, stored calculation), computed a structure at a time
    (lca_models/vectorised.py) from the stored compiled forms; a version without one (or
    whose structure does not fit the new release) is compiled once and its form returned
    for storing. Returns (entry rows, forms to store)."""
    import numpy as np

    from lca_models.errors import LcaModelError
    from lca_models.model_cache import compiled_model
    from lca_models.vectorised import StructureMismatch, solve, split

    known = compiled_forms.structures(
        session, {r.structure_sha256 for r in rows if r.structure_sha256})
    forms: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    form_of: dict[str, tuple[Structure, Any]] = {}
    need: list[_Row] = []
    for row in rows:
        structure = known.get(row.structure_sha256 or "")
        if structure is not None and row.values is not None and not isinstance(
                _unit_scores(structure, release, row.gwp_set), StructureMismatch):
            form_of[row.content_sha256] = (structure, compiled_forms.values_of(row.values))
        else:
            need.append(row)
    if need:  # compile once; the form is stored for every later run
        wanted = {r.content_sha256 for r in need}
        contents: dict[str, Any] = dict(session.execute(
            select(ModelVersion.content_sha256, ModelVersion.content)
            .where(ModelVersion.content_sha256.in_(wanted))).all())
        for row in need:
            if row.content_sha256 in form_of:
                continue
            try:
                compiled = compiled_model(contents[row.content_sha256], row.content_sha256,
                                          release)
                structure, values = split(compiled)
            except LcaModelError as exc:  # e.g. a factor the new release removed
                entries.append(_entry(job_id, row, error=str(exc)))
                continue
            form_of[row.content_sha256] = (structure, values)
            forms[row.content_sha256] = (structure, values, release.sha256)
    groups: dict[tuple[str, str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        if row.content_sha256 in form_of:
            structure = form_of[row.content_sha256][0]
            groups[(row.gwp_set, structure.sha256, row.release_sha256)].append(row)
    stored_results: dict[str, dict] = {}
    for (gwp_set, _, _), members in groups.items():
        structure = form_of[members[0].content_sha256][0]
        values = np.stack([form_of[r.content_sha256][1] for r in members])
        solved = solve(structure, values)
        new = _evaluate(structure, values, solved, release, gwp_set)
        if isinstance(new, StructureMismatch):  # only a compiled form of another release
            entries.extend(_entry(job_id, r, error=str(new)) for r in members)
            continue
        old_release = _stored_release(members[0].release_version, members[0].release_sha256)
        old = (_evaluate(structure, values, solved, old_release, gwp_set)
               if old_release is not None else None)
        if isinstance(old, StructureMismatch):
            old = None
        if old is None:  # the stored numbers are the only record of the old release
            stored_results.update(_stored_results(session, members))
        for i, row in enumerate(members):
            entries.append(_compare(job_id, row, i, new, old, structure, threshold,
                                    stored_results))
    return entries, forms


def _evaluate(structure: Structure, values: Any, solved: Any, release: FactorRelease,
              gwp_set: str) -> Any:
    from lca_models.vectorised import result_of

    scores = _unit_scores(structure, release, gwp_set)
    return scores if isinstance(scores, Exception) else result_of(structure, values, solved,
                                                                   scores)


def _stored_results(session: DbSession, members: Sequence[_Row]) -> dict[str, dict]:
    return dict(session.execute(select(Calculation.id, Calculation.result).where(
        Calculation.id.in_([r.calculation_id for r in members]))).all())


#: Relative disagreement between a stored footprint and its recomputation under its own
#: release above which the comparison is refused (the vectorised path agrees to ~1e-15).
REPRODUCTION_TOLERANCE = 1e-9


def _compare(job_id: str, row: _Row, i: int, new: GroupResult, old: GroupResult | None,
             structure: Structure, threshold: float,
             stored_results: dict[str, dict]) -> dict[str, Any]:
    """A label's entry. With the old release loadable, old and new are both computed by the
    vectorised path from the same activities, so a factor that did not change moves by
    exactly 0; the report keeps the stored footprint as `old_kg` and adds the change:
    new_kg = stored + (new - old). Otherwise new is compared with the stored numbers."""
    import numpy as np

    error = new.errors[i]
    if error is not None:
        return _entry(job_id, row, error=str(error))
    new_score = float(new.score[i])
    if old is None:
        stored = stored_results.get(row.calculation_id) or {}
        new_inputs = [{"kind": k, "reference": t, "kg_co2e": float(v)}
                      for k, t, v in zip(structure.emitting_kinds,
                                         structure.emitting_references, new.by_input[i],
                                         strict=True)]
        moved = drivers(stored.get("by_input", []), new_inputs)
        change = change_percent(row.old_kg, new_score)
        return _entry(job_id, row, new_kg=new_score, change=change, drivers_=moved,
                      flagged=change is None or abs(change) > threshold)
    old_score = float(old.score[i])
    if abs(old_score - row.old_kg) > REPRODUCTION_TOLERANCE * max(
            abs(row.old_kg), float(old.scale[i]), 1e-300):
        return _entry(job_id, row, error=(
            f"the stored footprint {row.old_kg!r} does not reproduce under its release "
            f"{row.release_version} (recomputed {old_score!r}); not compared"))
    delta = new_score - old_score
    change = (0.0 if delta == 0 else None) if old_score == 0 else 100.0 * delta / abs(old_score)
    moved = []
    for f in np.flatnonzero(new.by_factor[i] != old.by_factor[i]):  # usually one or two
        o, n = float(old.by_factor[i, f]), float(new.by_factor[i, f])
        moved.append({"factor_id": structure.factor_ids[f], "old_kg": o, "new_kg": n,
                      "delta_kg": n - o})
    moved.sort(key=lambda d: -abs(d["delta_kg"]))
    return _entry(job_id, row, new_kg=row.old_kg + delta, change=change,
                  drivers_=moved[:DRIVERS], flagged=change is None or abs(change) > threshold)


def _entry(job_id: str, row: _Row, *, new_kg: float | None = None, change: float | None = None,
           drivers_: list[dict[str, Any]] | None = None, flagged: bool = True,
           error: str | None = None) -> dict[str, Any]:
    return {"id": new_id(), "job_id": job_id, "label_id": row.label_id,
            "calculation_id": row.calculation_id, "organisation_id": row.organisation_id,
            "certification_body_id": row.certification_body_id, "old_kg": row.old_kg,
            "new_kg": new_kg, "change_percent": change, "drivers": drivers_ or [],
            "flagged": flagged, "error": error[:2000] if error else None,
            "created_at": utcnow()}


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
