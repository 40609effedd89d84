"""Impact runs read stored compiled forms and compute a structure at a time
(lca_models/vectorised.py): the form is stored with the calculation, a run compiles
nothing, a version without a form is compiled once and its form stored, the new footprint
equals the engine's one-at-a-time recompute to 1e-12, and the comparison with the stored
footprint is consistent (old and new through the same path) or refused when the stored
footprint does not reproduce."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from lca_models.factors import load_release
from tests.app.api.test_labels import issue
from tests.app.queue.test_impact import GRID, _calc, release_dir  # noqa: F401 (fixture)
from tests.app.web.test_pages import count


def _run(world, release_dir):  # noqa: F811
    certifier = world["certifier_c"]
    response = certifier.post("/api/v1/impact-runs", json={"release": release_dir.name})
    assert response.status_code == 202, response.json
    (entry,) = certifier.get(response.json["links"]["report"]).json["entries"]
    return entry


def _engine_new_kg(app, world, label, release_dir) -> float:  # noqa: F811
    from app.extensions import db
    from app.persistence import ModelVersion
    from lca_models.calculation import compute_footprint
    from lca_models.model_cache import compiled_model

    release = load_release(release_dir)
    version_id = _calc(world, label)["model_version_id"]
    with app.app_context():
        version = db.session.get(ModelVersion, version_id)
        compiled = compiled_model(version.content, version.content_sha256, release)
    return compute_footprint(compiled.model, release, gwp_set="AR6",
                             brightway_dir=app.config["BRIGHTWAY_DIR"],
                             compiled=compiled).kg_co2e_per_declared_unit


def test_a_run_uses_the_stored_form_and_compiles_nothing(app, world, release_dir,  # noqa: F811
                                                          monkeypatch):
    from lca_models import model_cache

    label, _ = issue(world)
    assert count(app, "compiled_forms") == 1 and count(app, "model_structures") == 1

    def refuse(*args, **kwargs):
        raise AssertionError("an impact run compiled a model that has a stored form")

    monkeypatch.setattr(model_cache, "compiled_model", refuse)
    entry = _run(world, release_dir)
    monkeypatch.undo()
    assert entry["error"] is None, entry
    engine = _engine_new_kg(app, world, label, release_dir)
    assert entry["new_kg"] == pytest.approx(engine, rel=1e-12, abs=0)
    stored = _calc(world, label)
    grid = sum(i["kg_co2e"] for i in stored["result"]["by_input"] if i["reference"] == GRID)
    assert entry["drivers"][0]["factor_id"] == GRID
    assert entry["drivers"][0]["delta_kg"] == pytest.approx(0.2 * grid, rel=1e-12)
    assert len(entry["drivers"]) == 1  # every other factor moved by exactly 0


def test_a_version_without_a_form_is_compiled_once_and_its_form_stored(
        app, world, release_dir):  # noqa: F811
    from app.extensions import db
    from app.persistence import CompiledForm

    label, _ = issue(world)
    with app.app_context():
        db.session.execute(delete(CompiledForm))
        db.session.commit()
    entry = _run(world, release_dir)
    assert entry["error"] is None, entry
    assert entry["new_kg"] == pytest.approx(_engine_new_kg(app, world, label, release_dir),
                                            rel=1e-12, abs=0)
    assert count(app, "compiled_forms") == 1


def test_a_stored_footprint_that_does_not_reproduce_is_not_compared(
        app, world, release_dir):  # noqa: F811
    from app.extensions import db
    from app.persistence import Calculation

    label, _ = issue(world)
    calc_id = _calc(world, label)["id"]
    with app.app_context():
        db.session.execute(update(Calculation).where(Calculation.id == calc_id).values(
            kg_co2e_per_declared_unit=Calculation.kg_co2e_per_declared_unit * 1.01))
        db.session.commit()
    entry = _run(world, release_dir)
    assert "does not reproduce" in entry["error"] and entry["flagged"] is True
    assert entry["new_kg"] is None


def test_without_the_old_release_the_stored_numbers_are_compared(
        app, world, release_dir):  # noqa: F811
    """A calculation whose release is not loadable (here: its hash no longer matches) is
    compared with its stored footprint and breakdown."""
    from app.extensions import db
    from app.persistence import Calculation

    label, _ = issue(world)
    stored = _calc(world, label)
    with app.app_context():
        db.session.execute(update(Calculation).where(Calculation.id == stored["id"]).values(
            factor_release_sha256="0" * 64))
        db.session.commit()
    entry = _run(world, release_dir)
    assert entry["error"] is None, entry
    engine = _engine_new_kg(app, world, label, release_dir)
    assert entry["new_kg"] == pytest.approx(engine, rel=1e-12, abs=0)
    old = stored["kg_co2e_per_declared_unit"]
    assert entry["change_percent"] == pytest.approx(100 * (engine - old) / old, rel=1e-9)
    assert entry["drivers"][0]["factor_id"] == GRID


def test_a_batch_of_mixed_structures_with_a_singular_member(app, world, release_dir):  # noqa: F811
    """Beside the issued label, labels behind random models of several structures (with
    loops) and variants of one, one of whose stored forms has no solution: all are in one
    batch; the singular one gets its own error, every other equals the engine to 1e-12."""
    import copy

    from app.extensions import db
    from app.persistence import Calculation, Label, LabelRequest, ModelVersion
    from app.persistence.types import new_id
    from app.services import compiled_forms
    from lca_models.calculation import compute_footprint
    from lca_models.canonical import sha256_hex
    from lca_models.model_cache import compiled_model
    from lca_models.vectorised import split
    from tests.lca_models.test_vectorised import random_model

    label, _ = issue(world)
    old_release, new_release = load_release(), load_release(release_dir)
    base = random_model(21, old_release, loops=False)
    contents = [random_model(s, old_release) for s in (31, 32, 33)]
    for k in range(4):  # variants of one template: same structure, other amounts
        data = copy.deepcopy(base)
        for inp in data["stages"][0]["processes"][0]["inputs"]:
            inp["amount"] *= 1 + k / 7
        contents.append(data)
    bw = app.config["BRIGHTWAY_DIR"]
    expected, singular_label = {}, None
    with app.app_context():
        first = db.session.get(Label, label["id"])
        request = db.session.get(LabelRequest, first.request_id)
        calc0 = db.session.get(Calculation, request.calculation_id)
        for k, content in enumerate(contents):
            sha = sha256_hex(content)
            compiled = compiled_model(content, sha, old_release)
            result = compute_footprint(compiled.model, old_release, gwp_set="AR6",
                                       brightway_dir=bw, compiled=compiled)
            structure, values = split(compiled)
            if k == 4:  # this variant's reference process uses up all of its output
                values = values.copy()
                values[structure.reference_index] = 0.0
            compiled_forms.remember(db.session, {sha: (structure, values, old_release.sha256)})
            version = ModelVersion(id=new_id(), product_id=request.product_id, number=100 + k,
                                   source_format="json", content=content, frozen=True,
                                   content_sha256=sha, created_by=calc0.created_by)
            calc = Calculation(
                id=new_id(), model_version_id=version.id, gwp_set="AR6", seed=0, inputs={},
                result={}, kg_co2e_per_declared_unit=result.kg_co2e_per_declared_unit,
                factor_release_version=old_release.version,
                factor_release_sha256=old_release.sha256, engine={},
                inputs_sha256=result.inputs_sha256, result_sha256="0" * 64,
                created_by=calc0.created_by)
            req = LabelRequest(id=new_id(), product_id=request.product_id,
                               organisation_id=request.organisation_id,
                               certification_body_id=request.certification_body_id,
                               calculation_id=calc.id, label_type=request.label_type,
                               home_scheme=request.home_scheme, state="approved", version=1,
                               created_by=request.created_by)
            extra = Label(id=f"MIXED-{k}", request_id=req.id, product_id=request.product_id,
                          organisation_id=first.organisation_id,
                          certification_body_id=first.certification_body_id,
                          valid_from=first.valid_from, valid_until=first.valid_until,
                          status_index=first.status_index + 1000 + k, key_id=first.key_id,
                          credential={}, credential_sha256="0" * 64,
                          issuer_did=first.issuer_did)
            db.session.add_all([version, calc, req, extra])
            if k == 4:
                singular_label = extra.id
            else:
                expected[extra.id] = compute_footprint(
                    compiled.model, new_release, gwp_set="AR6", brightway_dir=bw,
                    compiled=compiled_model(content, sha, new_release)
                ).kg_co2e_per_declared_unit
        db.session.commit()
    certifier = world["certifier_c"]
    response = certifier.post("/api/v1/impact-runs", json={"release": release_dir.name})
    assert response.status_code == 202, response.json
    entries = {e["label_id"]: e for e in certifier.get(
        response.json["links"]["report"]).json["entries"]}
    assert len(entries) == len(contents) + 1
    assert "no unique solution" in entries[singular_label]["error"]
    assert entries[singular_label]["flagged"] is True
    for label_id, kg in expected.items():
        entry = entries[label_id]
        assert entry["error"] is None, entry
        assert entry["new_kg"] == pytest.approx(kg, rel=1e-12, abs=0)
    assert entries[label["id"]]["error"] is None
