"""The checks a model gets when it is uploaded, before anything is stored: an empty file, a
mistyped factor id (with its likely fix) and a loop that has no solution (naming it)."""

from __future__ import annotations

import hashlib

import pytest

from lca_models import model_cache
from lca_models.errors import ModelValidationError
from lca_models.inventory_schema import load_model, parse_model_text
from tests.lca_models.models import PP, base


def _compile(data, release):
    model_cache.clear()
    return model_cache.compiled_model(data, hashlib.sha256(repr(data).encode()).hexdigest(),
                                      release)


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "{}"])
def test_empty_file_says_it_is_empty(text):
    with pytest.raises(ModelValidationError) as exc:
        load_model(parse_model_text(text))
    assert exc.value.errors["_schema"][0].startswith("the file is empty")


def test_a_list_is_not_a_model_and_the_message_says_what_is():
    with pytest.raises(ModelValidationError) as exc:
        load_model(parse_model_text("- a\n- b\n"))
    assert "not a list" in exc.value.errors["_schema"][0]
    assert "stages" in exc.value.errors["_schema"][0]


def test_mistyped_factor_id_gets_did_you_mean(release):
    data = base()
    typo = PP.replace("plastic.pp", "plastic.ppp")
    data["stages"][0]["processes"][0]["inputs"][0]["factor"] = typo
    with pytest.raises(ModelValidationError) as exc:
        _compile(data, release)
    (message,) = exc.value.errors["stages[0].processes[0].inputs[0].factor"]
    assert f"did you mean '{PP}'" in message


def test_factor_named_by_its_name_is_pointed_at_its_id(release):
    data = base()
    name = release.factors[PP].name
    data["stages"][0]["processes"][0]["inputs"][0]["factor"] = name
    with pytest.raises(ModelValidationError) as exc:
        _compile(data, release)
    assert repr(PP) in exc.value.errors["stages[0].processes[0].inputs[0].factor"][0]


def test_nonsense_factor_id_gets_no_suggestion(release):
    data = base()
    data["stages"][0]["processes"][0]["inputs"][0]["factor"] = "zzzz"
    with pytest.raises(ModelValidationError) as exc:
        _compile(data, release)
    assert "did you mean" not in exc.value.errors["stages[0].processes[0].inputs[0].factor"][0]


def test_loop_without_solution_is_refused_naming_its_processes(release):
    data = base()  # moulding takes 250 g resin; resin now takes 4 items of moulding per kg:
    data["stages"][0]["processes"][0]["inputs"].append(  # 0.25 kg x 4 = everything it makes
        {"process": "moulding", "amount": 4, "unit": "item"})
    with pytest.raises(ModelValidationError) as exc:
        _compile(data, release)
    [(path, [message])] = exc.value.errors.items()
    assert path.endswith(".inputs") and "has no solution" in message
    assert "'resin'" in message and "'moulding'" in message


def test_loop_with_a_solution_is_accepted(release):
    data = base()  # 0.25 kg x 2 = half of what moulding makes goes back: solvable
    data["stages"][0]["processes"][0]["inputs"].append(
        {"process": "moulding", "amount": 2, "unit": "item"})
    compiled = _compile(data, release)
    assert len(compiled.model.processes) == 2


def test_self_loop_consuming_all_output_is_refused(release):
    data = base()
    data["stages"][0]["processes"][0]["inputs"].append(
        {"process": "resin", "amount": 1, "unit": "kg"})
    with pytest.raises(ModelValidationError, match="'resin' has no solution"):
        _compile(data, release)
