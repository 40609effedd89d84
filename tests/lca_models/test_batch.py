"""The batch path (lca_models/batch.py) gives the one-at-a-time numbers bit for bit.

Models of three structures, in variants that exercise each sharing: other input amounts
(another technosphere: own solve), another declared amount of the same product (same
technosphere, another demand: one shared factorisation), another direct emission (same
technosphere and demand, another biosphere) and exact copies. Every result is compared
with `compute_footprint` by exact equality of its whole dictionary (every number of the
breakdown), and the shared factorisation is counted, so the test fails if the batch stops
sharing or if sharing changes a single bit."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from lca_models.batch import compute_footprints
from lca_models.calculation import compute_footprint
from lca_models.canonical import sha256_hex
from lca_models.errors import LcaModelError
from lca_models.factors import load_release
from lca_models.model_cache import compiled_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"
MODELS = ("eaf_rebar.yaml", "hot_rolled_steel_coil_bf_bof.yaml", "aluminium_extrusion.yaml")


def _base(name: str) -> dict:
    import json

    return json.loads(json.dumps(yaml.safe_load((EXAMPLES / name).read_text("utf-8")),
                                 default=str))


def _first_input(data: dict) -> dict:
    return next(i for i in data["stages"][0]["processes"][0]["inputs"]
                if isinstance(i["amount"], int | float))


def _variants() -> tuple[list[dict], int]:
    """Variants and how many technospheres are shared by more than one of them."""
    out, shared = [], 0
    for name in MODELS:
        base = _base(name)
        for scale in (1.0, 1.1, 1.37):  # other amounts: three technospheres
            data = copy.deepcopy(base)
            _first_input(data)["amount"] *= scale
            out.append(data)
        for declared in (2, 0.5):  # same technosphere as base (scale 1.0), other demand
            data = copy.deepcopy(base)
            data["declared_unit"]["amount"] = declared
            data["product_mass"]["amount"] = declared
            out.append(data)
        out.append(copy.deepcopy(base))  # an exact copy
        shared += 1  # base, its two declared amounts and its copy share one
    rebar = _base("eaf_rebar.yaml")
    lime = rebar["stages"][0]["processes"][1]["emissions"][0]
    lime["amount"] = "1010 * 44.01 / 56.08"  # same technosphere, other biosphere
    out.append(rebar)
    return out, shared


@pytest.mark.parametrize("version", ["2026.1", "2026.2"])
def test_batch_equals_one_at_a_time_bit_for_bit(brightway_dir, monkeypatch, version):
    import bw2calc.utils

    release = load_release(version=version)
    contents, shared = _variants()
    compiled = [compiled_model(c, sha256_hex(c), release) for c in contents]
    one = [compute_footprint(c.model, release, gwp_set="AR6", brightway_dir=brightway_dir,
                             compiled=c) for c in compiled]
    factorised = []
    real = bw2calc.utils.lu_solver
    monkeypatch.setattr(bw2calc.utils, "lu_solver",
                        lambda m: factorised.append(m.shape) or real(m))
    many = compute_footprints(compiled, release, gwp_set="AR6", brightway_dir=brightway_dir)
    assert len(many) == len(one) == len(contents)
    for single, batched in zip(one, many, strict=True):
        assert batched.to_dict() == single.to_dict()
    assert len(factorised) == shared
    # the declared amounts really are other demands, with proportional footprints
    rebar = [r.kg_co2e_per_declared_unit for r in many[:6]]
    assert rebar[3] == pytest.approx(2 * rebar[0], rel=1e-12)
    assert rebar[4] == pytest.approx(0.5 * rebar[0], rel=1e-12)
    assert rebar[5] == rebar[0]
    assert many[-1].kg_co2e_per_declared_unit > rebar[0]  # more calcination CO2
    # the impact run's form: same numbers, no inputs hash
    quick = compute_footprints(compiled, release, gwp_set="AR6", brightway_dir=brightway_dir,
                               with_inputs_hash=False)
    assert [q.kg_co2e_per_declared_unit for q in quick] == [
        s.kg_co2e_per_declared_unit for s in one]
    assert {q.inputs_sha256 for q in quick} == {""}


def test_a_model_that_fails_does_not_hold_back_the_others(brightway_dir, monkeypatch):
    from lca_models import batch

    release = load_release()
    contents = [_base("eaf_rebar.yaml"), _base("aluminium_extrusion.yaml")]
    compiled = [compiled_model(c, sha256_hex(c), release) for c in contents]
    real = batch.build_foreground

    def failing(model, background):
        if model is compiled[0]:
            raise LcaModelError("no such factor in this release")
        return real(model, background)

    monkeypatch.setattr(batch, "build_foreground", failing)
    first, second = compute_footprints(compiled, release, brightway_dir=brightway_dir)
    assert isinstance(first, LcaModelError) and "no such factor" in str(first)
    assert second.kg_co2e_per_declared_unit == compute_footprint(
        compiled[1].model, release, brightway_dir=brightway_dir,
        compiled=compiled[1]).kg_co2e_per_declared_unit


def test_an_unknown_gwp_set_is_refused(release):
    with pytest.raises(ValueError, match="GWP set"):
        compute_footprints([], release, gwp_set="AR9")
