"""The vectorised path (lca_models/vectorised.py) agrees with `compute_footprint` one at a
time to 1e-12, relative to the sum of the absolute contributions (the score itself when no
contribution is negative), for the score, the supply, every input's contribution and every
stage; on random models with loops (so the technosphere is not triangular), on variants of
one template in one group, on mixed structures in one call, and a singular member is
reported alone without sinking its group."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lca_models import vectorised
from lca_models.calculation import compute_footprint
from lca_models.canonical import sha256_hex
from lca_models.errors import LcaModelError, SingularSystemError
from lca_models.factors import load_release
from lca_models.model_cache import compiled_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"
RTOL = 1e-12


def _factors(release, unit: str) -> list[str]:
    return sorted(f.id for f in release.factors.values() if f.unit == unit)


def random_model(seed: int, release, *, loops: bool = True) -> dict:
    """A model of 2-7 processes in two stages: factor inputs, transport, direct emissions,
    links to other processes, and (with `loops`) links back up the chain and self-use, all
    small enough that the system stays solvable."""
    rng = random.Random(seed)
    n = rng.randint(2, 7)
    kwh, tkm = _factors(release, "kWh"), _factors(release, "tkm")
    kg = _factors(release, "kg")
    processes = []
    for i in range(n):
        inputs: list[dict] = []
        for _ in range(rng.randint(0, 3)):
            pool, unit = rng.choice([(kwh, "kWh"), (kg, "kg")])
            inputs.append({"factor": rng.choice(pool), "amount": rng.uniform(0.1, 500),
                           "unit": unit})
        if i + 1 < n:  # the chain: each process feeds the previous one
            inputs.append({"process": f"p{i + 1}", "amount": rng.uniform(0.3, 1.2),
                           "unit": "kg"})
        if loops and i > 0 and rng.random() < 0.6:  # a recycling loop back up the chain
            inputs.append({"process": f"p{rng.randrange(0, i)}",
                           "amount": rng.uniform(0.01, 0.2), "unit": "kg"})
        if loops and rng.random() < 0.3:  # a process using some of its own output
            inputs.append({"process": f"p{i}", "amount": rng.uniform(0.01, 0.3), "unit": "kg"})
        proc: dict = {"id": f"p{i}", "name": f"process {i}",
                      "output": {"amount": rng.uniform(0.5, 3.0), "unit": "kg"},
                      "inputs": inputs}
        if rng.random() < 0.5:
            proc["emissions"] = [{"gas": rng.choice(["co2_fossil", "ch4_fossil", "n2o"]),
                                  "amount": rng.uniform(0.001, 2.0), "unit": "kg"}]
        if rng.random() < 0.4:
            proc["transport"] = [{"factor": rng.choice(tkm),
                                  "mass": {"amount": rng.uniform(0.1, 2), "unit": "t"},
                                  "distance": {"amount": rng.uniform(10, 900), "unit": "km"}}]
        processes.append(proc)
    half = max(1, n // 2)
    return {"schema_version": 1,
            "product": {"name": f"random {seed}", "hs_code": "721420"},
            "declared_unit": {"amount": rng.uniform(0.5, 5), "unit": "kg"},
            "product_mass": {"amount": 1, "unit": "kg"},
            "boundary": "cradle-to-gate", "reference_process": "p0",
            "stages": [{"stage": "raw_materials", "processes": processes[half:]},
                       {"stage": "production", "processes": processes[:half]}]}


def _compiled(content: dict, release):
    return compiled_model(content, sha256_hex(content), release)


def _assert_matches(compiled, result: vectorised.GroupResult, row: int, release,
                    brightway_dir) -> None:
    one = compute_footprint(compiled.model, release, gwp_set="AR6",
                            brightway_dir=brightway_dir, compiled=compiled)
    scale = float(np.abs(result.by_input[row]).sum()) or 1.0
    assert abs(result.score[row] - one.kg_co2e_per_declared_unit) <= RTOL * scale
    engine_inputs = [c.kg_co2e for c in one.by_input]
    assert len(engine_inputs) == result.by_input.shape[1]
    np.testing.assert_allclose(result.by_input[row], engine_inputs, rtol=0, atol=RTOL * scale)
    activities = [p.activity for p in one.by_process]
    np.testing.assert_allclose(result.supply[row], activities, rtol=RTOL,
                               atol=RTOL * max(map(abs, activities)))
    stages = dict(zip(result.structure.stage_names, result.by_stage[row], strict=True))
    assert set(stages) == set(one.by_stage)
    for stage, kg in one.by_stage.items():
        assert abs(stages[stage] - kg) <= RTOL * scale


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_random_models_with_loops_match_the_engine(brightway_dir, seed):
    release = load_release()
    """A loop may take more than it makes: then both paths refuse the model alike."""
    compiled = _compiled(random_model(seed, release), release)
    (outcome,) = vectorised.evaluate_models([compiled], release, "AR6")
    try:
        compute_footprint(compiled.model, release, gwp_set="AR6",
                          brightway_dir=brightway_dir, compiled=compiled)
    except SingularSystemError as exc:
        assert isinstance(outcome, SingularSystemError) and str(outcome) == str(exc)
        return
    assert not isinstance(outcome, LcaModelError), outcome
    result, row = outcome
    _assert_matches(compiled, result, row, release, brightway_dir)


def test_most_random_models_are_solvable(release):
    """The comparison above is not vacuous: most generated models have a solution."""
    solvable = 0
    for seed in range(40):
        (outcome,) = vectorised.evaluate_models([_compiled(random_model(seed, release),
                                                           release)], release, "AR6")
        solvable += not isinstance(outcome, LcaModelError)
    assert solvable >= 30


def test_random_models_do_have_loops(release):
    """The generator is not secretly triangular: some technospheres have entries on both
    sides of the diagonal (a loop) and some processes use their own output."""
    upper = lower = 0
    for seed in range(40):
        structure, _ = vectorised.split(_compiled(random_model(seed, release), release))
        upper += sum(r < c for _, r, c in structure.links)
        lower += sum(r > c for _, r, c in structure.links)
    assert upper > 0 and lower > 0


def test_variants_of_templates_and_mixed_structures_in_one_call(brightway_dir, release):
    """Product variants (other input amounts, other declared amount) of three templates, and
    random models, interleaved in one call: grouped by structure, each equals the engine."""
    rng = random.Random(7)
    contents = []
    templates = [random_model(s, release) for s in (11, 12, 13)]
    for k in range(45):
        data = copy.deepcopy(templates[k % 3])
        proc = data["stages"][0]["processes"][0]
        for inp in proc["inputs"]:
            inp["amount"] *= rng.uniform(0.5, 1.5)
        data["declared_unit"]["amount"] = rng.uniform(0.5, 3)
        contents.append(data)
    contents += [random_model(100 + s, release) for s in range(5)]
    rng.shuffle(contents)
    compiled = [_compiled(c, release) for c in contents]
    outcomes = vectorised.evaluate_models(compiled, release, "AR6")
    structures = {o[0].structure for o in outcomes if not isinstance(o, LcaModelError)}
    assert len(structures) == 8  # three templates, five random models
    big = [o for o in outcomes if not isinstance(o, LcaModelError) and o[0].score.size == 15]
    assert len(big) == 45  # each template's 15 variants were computed as one group
    for c, outcome in zip(compiled, outcomes, strict=True):
        assert not isinstance(outcome, LcaModelError), outcome
        _assert_matches(c, *outcome, release, brightway_dir)


@pytest.mark.parametrize("name", ["eaf_rebar.yaml", "hot_rolled_steel_coil_bf_bof.yaml",
                                  "aluminium_extrusion.yaml"])
def test_example_models_match_the_engine(brightway_dir, release, name):
    data = json.loads(json.dumps(yaml.safe_load((EXAMPLES / name).read_text("utf-8")),
                                 default=str))
    compiled = _compiled(data, release)
    (outcome,) = vectorised.evaluate_models([compiled], release, "AR6")
    assert not isinstance(outcome, LcaModelError), outcome
    _assert_matches(compiled, *outcome, release, brightway_dir)


def test_a_singular_member_is_reported_alone(brightway_dir, release):
    """Three variants of one structure; the middle one consumes all of its own output (the
    engine refuses it too); the other two are computed and equal the engine."""
    base = random_model(5, release, loops=False)
    proc = base["stages"][0]["processes"][0]
    proc["inputs"].append({"process": proc["id"], "amount": 0.1, "unit": "kg"})
    variants = []
    for own in (0.1, 1.0, 0.2):
        data = copy.deepcopy(base)
        p = data["stages"][0]["processes"][0]
        p["output"]["amount"] = 1.0
        p["inputs"][-1]["amount"] = own
        variants.append(data)
    structure, _ = vectorised.split(_compiled(variants[0], release))
    compiled = []
    for v in variants:
        try:
            compiled.append(_compiled(v, release))
        except LcaModelError:  # the model check may refuse it before any solve
            compiled.append(None)
    if compiled[1] is None:  # then build the singular values by hand, as stored forms are
        values = np.stack([vectorised.split(c)[1] for c in (compiled[0], compiled[2])])
        singular = values[0].copy()
        column = next(c for c, r, p in structure.links if r == p)
        singular[column] = singular[structure.process_ids.index(proc["id"])]
        stack = np.stack([values[0], singular, values[1]])
        result = vectorised.evaluate(structure, stack, release, "AR6")
        good = [compiled[0], compiled[2]]
    else:
        stack = np.stack([vectorised.split(c)[1] for c in compiled])
        result = vectorised.evaluate(structure, stack, release, "AR6")
        good = [compiled[0], compiled[2]]
        with pytest.raises(SingularSystemError):
            compute_footprint(compiled[1].model, release, gwp_set="AR6",
                              brightway_dir=brightway_dir, compiled=compiled[1])
    assert isinstance(result.errors[1], SingularSystemError)
    assert result.errors[0] is None and result.errors[2] is None
    _assert_matches(good[0], result, 0, release, brightway_dir)
    _assert_matches(good[1], result, 2, release, brightway_dir)


def test_a_negative_activity_is_reported_like_the_engine(release):
    """A loop that takes more than it makes gives a negative activity: an error naming the
    processes, as calculation._check_supply gives, for that member only."""
    structure = vectorised.Structure(
        process_ids=("a", "b"), stages=("s", "s"), reference_index=0,
        ex_process=(0, 1, 1), ex_kind=("process", "process", "emission"),
        ex_target=("1", "0", "co2_fossil"), ex_unit=("", "", ""))
    # a needs 1 b; b needs x a: x = 0.5 solvable, x = 2 gives negative activities
    stack = np.array([[1, 1, 1, 0.5, 1, 1], [1, 1, 1, 2.0, 1, 1]], dtype=float)
    result = vectorised.evaluate(structure, stack, release, "AR6")
    assert result.errors[0] is None and result.score[0] == pytest.approx(2.0, rel=1e-15)
    assert isinstance(result.errors[1], SingularSystemError)
    assert "negative amount" in str(result.errors[1])


def test_hand_calculation(release):
    """a makes 2 kg and takes 1 kg of b; b makes 1 kg, takes 0.5 kg back from a (a loop),
    and emits 1 kg CO2 and 0.01 kg CH4 ; 1 kg of a is demanded.
    Rows are products: 2a - 0.5b = 1 (b takes 0.5 of a), b - a = 0 (a takes 1 of b), so
    a = b = 2/3; score = 2/3 * (CF co2 + 0.01 CF ch4), all in stage r."""
    from lca_models.gwp import characterisation_factors

    cf = characterisation_factors("AR6")
    structure = vectorised.Structure(
        process_ids=("a", "b"), stages=("m", "r"), reference_index=0,
        ex_process=(0, 1, 1, 1), ex_kind=("process", "process", "emission", "emission"),
        ex_target=("1", "0", "co2_fossil", "ch4_fossil"), ex_unit=("", "", "", ""))
    values = np.array([[2.0, 1.0, 1.0, 0.5, 1.0, 0.01, 1.0]])
    result = vectorised.evaluate(structure, values, release, "AR6")
    expected = (2 / 3) * (cf["co2_fossil"] + 0.01 * cf["ch4_fossil"])
    assert result.supply[0] == pytest.approx([2 / 3, 2 / 3], rel=1e-15)
    assert result.score[0] == pytest.approx(expected, rel=1e-15)
    assert result.by_stage[0].tolist() == [0.0, pytest.approx(expected, rel=1e-15)]


def test_a_release_without_a_used_factor_or_with_another_unit_is_refused(release):
    compiled = _compiled(random_model(3, release), release)
    structure, _ = vectorised.split(compiled)
    factor = structure.factor_ids[0]
    changed = dict(release.factors)
    changed[factor] = copy.copy(release.factors[factor])
    object.__setattr__(changed[factor], "unit", "MJ")  # a copy: the shipped row is untouched
    other = SimpleNamespace(version="test", factors=changed)
    with pytest.raises(vectorised.StructureMismatch):
        vectorised.unit_scores(structure, other, "AR6")
    del changed[factor]
    with pytest.raises(vectorised.StructureMismatch):
        vectorised.unit_scores(structure, other, "AR6")
    assert release.factors[factor].unit != "MJ"
    vectorised.unit_scores(structure, release, "AR6")  # the release itself fits


def test_structure_round_trips_through_json(release):
    compiled = _compiled(random_model(9, release), release)
    structure, _ = vectorised.split(compiled)
    again = vectorised.Structure.from_json(json.loads(json.dumps(structure.to_json())))
    assert again == structure and again.sha256 == structure.sha256
