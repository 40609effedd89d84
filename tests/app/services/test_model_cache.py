"""One validation and one compilation per model version, from upload to calculations
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

import app.services.products as products
import lca_models.calculation as calculation
import lca_models.inventory_schema as inventory_schema
import lca_models.system as system
from lca_models import model_cache
from tests.app.flows import calculate, create_product, revised, steel_model, upload


@pytest.fixture
def counted(monkeypatch):
    """Count every model validation (load_model) and compilation (compile_model)."""
    calls = {"load_model": 0, "compile_model": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    load = counting("load_model", inventory_schema.load_model)
    comp = counting("compile_model", system.compile_model)
    monkeypatch.setattr(inventory_schema, "load_model", load)
    monkeypatch.setattr(system, "compile_model", comp)
    monkeypatch.setattr(calculation, "compile_model", comp)
    for name, wrapper in (("load_model", load), ("compile_model", comp)):
        monkeypatch.setattr(products, name, wrapper, raising=False)
    model_cache.clear()
    return calls


def test_upload_and_calculations_validate_and_compile_once(world, counted):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], steel_model())
    assert counted == {"load_model": 1, "compile_model": 1}
    first = calculate(owner, version["id"])
    second = calculate(owner, version["id"], gwp_set="AR5")
    assert counted == {"load_model": 1, "compile_model": 1}
    assert first["inputs_sha256"] != second["inputs_sha256"]  # AR5 is another method

    # A new version is validated and compiled once more, and computed from its own content.
    changed = upload(owner, product["id"], revised(steel_model()))
    third = calculate(owner, changed["id"])
    assert counted == {"load_model": 2, "compile_model": 2}
    assert third["kg_co2e_per_declared_unit"] != first["kg_co2e_per_declared_unit"]


def test_a_calculation_after_a_restart_compiles_once(world, counted):
    owner = world["exporter_a"]
    version = upload(owner, create_product(owner)["id"], steel_model())
    before = calculate(owner, version["id"])
    model_cache.clear()  # as in another worker process
    counted.update(load_model=0, compile_model=0)
    again = calculate(owner, version["id"])
    assert counted == {"load_model": 1, "compile_model": 1}
    assert again["kg_co2e_per_declared_unit"] == before["kg_co2e_per_declared_unit"]
