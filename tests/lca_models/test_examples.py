"""The example models in examples/models, each checked against an independent hand calculation.

Every expected value below is written out as plain arithmetic: literal factor values copied
from the shipped CSV rows (the factor id is in the comment) times the model's amounts, with
allocation, unit conversions (g -> kg -> t, MJ/GJ -> TJ, Wh -> kWh, kg x km -> tkm), process
scaling and loops worked out by hand. Nothing here reads the factor CSVs or asks the engine
for intermediate numbers, so a disagreement points at either the model or the engine.

GWP100 values used (lca_models/data/gwp100.csv): AR6 CH4 fossil 29.8, N2O 273, HFC-134a 1530,
HFC-32 771; AR5 CH4 fossil 30, N2O 265, HFC-134a 1300, HFC-32 677. Rows published only as
CO2e (DESNZ, Tsinghua, IAI, worldsteel GHG, FEFCO) count 1:1 under both sets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lca_models.inventory_schema import load_model_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"
REL = 1e-9

# ---- Factor rows (kg per unit), copied by hand from lca_models/data/factors/*.csv ----------
# electricity.cn-south-grid.co2.2022: co2_fossil 0.3869 per kWh
GRID_SOUTH = 0.3869
# electricity.cn-northwest-grid.co2.2022: co2_fossil 0.5857 per kWh
GRID_NORTHWEST = 0.5857
# electricity.de.sdes-iea.co2.2021: co2_fossil 0.384 per kWh
GRID_DE = 0.384
# freight.road.hgv-diesel-all-hgvs-average-laden.tkm.desnz2025: co2e 0.10163 per tkm
ROAD = 0.10163
# freight.rail.freight-train.tkm.desnz2025: co2e 0.02779 per tkm
RAIL = 0.02779
# freight.sea.container-ship-average.tkm.desnz2025: co2e 0.01612 per tkm
SEA_CONTAINER = 0.01612
# freight.sea.bulk-carrier-average.tkm.desnz2025: co2e 0.00353 per tkm
SEA_BULK = 0.00353


def natural_gas_tj(ch4=29.8, n2o=273):
    # fuel.natural-gas.ipcc2006-energy-industries.tj: CO2 56100, CH4 1, N2O 0.1 kg per TJ
    return 56100 + 1 * ch4 + 0.1 * n2o


def bituminous_coal_tj(ch4=29.8, n2o=273):
    # fuel.other-bituminous-coal.ipcc2006-energy-industries.tj: CO2 94600, CH4 1, N2O 1.5
    return 94600 + 1 * ch4 + 1.5 * n2o


def bituminous_coal_t(ch4=29.8, n2o=273):
    # fuel.other-bituminous-coal.ipcc2006-energy-industries.t: CO2 2440.68, CH4 0.0258,
    # N2O 0.0387 kg per t
    return 2440.68 + 0.0258 * ch4 + 0.0387 * n2o


def anthracite_t(ch4=29.8, n2o=273):
    # fuel.anthracite.ipcc2006-energy-industries.t: CO2 2624.61, CH4 0.0267, N2O 0.04005
    return 2624.61 + 0.0267 * ch4 + 0.04005 * n2o


def diesel_t(ch4=29.8, n2o=273):
    # fuel.gas-diesel-oil.ipcc2006-energy-industries.t: CO2 3186.3, CH4 0.129, N2O 0.0258
    return 3186.3 + 0.129 * ch4 + 0.0258 * n2o


def load(name: str):
    return load_model_file(EXAMPLES / name)


ALL_EXAMPLES = (
    "hot_rolled_steel_coil_bf_bof.yaml",
    "eaf_rebar.yaml",
    "aluminium_extrusion.yaml",
    "portland_cement.yaml",
    "cotton_tshirt.yaml",
    "led_lamp.yaml",
    "li_ion_battery_pack.yaml",
)


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_example_is_marked_illustrative_and_well_formed(name, compute):
    model = load(name)
    assert "ILLUSTRATIVE" in (model.notes or "")
    assert len({p.stage for p in model.processes}) >= 2
    assert len(model.processes) >= 3
    assert any(i.process for p in model.processes for i in p.inputs)
    assert any(p.transport for p in model.processes)
    result = compute(model)
    assert result.kg_co2e_per_declared_unit > 0
    assert not [w for w in result.warnings if "not used by the reference flow" in w]


def test_examples_cover_parameters_allocation_and_direct_emissions():
    models = [load(n) for n in ALL_EXAMPLES]
    assert any(any(isinstance(v, str) for _, v in m.parameters) for m in models)
    assert any(p.co_products and p.allocation for m in models for p in m.processes)
    assert any(p.emissions for m in models for p in m.processes)


# ---- Hot-rolled coil, BF-BOF -------------------------------------------------------------

def steel_expected(ch4=29.8, n2o=273):
    # Parameters.
    bf_coke_co2 = (350 * 0.87 - 45) * 44.01 / 12.011
    flux_co2 = 120 * 44.01 / 100.09
    bof_decarb_co2 = 0.9 * 45 * 44.01 / 12.011
    lime_co2 = 50 * 44.01 / 56.08
    # Economic allocation at the BF: hot metal 1 t x 2900 CNY, slag 0.3 t x 60 CNY.
    a = 2900 / (2900 + 0.3 * 60)

    # Scaling per t coil: the strip mill takes 1.03 t slab; BOF takes 0.9 t hot metal per t.
    bof = 1.03
    bf = bof * 0.9
    sinter = bf * a * 1.25
    coke = bf * a * 0.35  # 350 kg coke -> 0.35 t, allocated
    ore = sinter * 1.05 + bf * a * 0.35
    coal = coke * 1.3
    # Captive power (MWh): 30 kWh per t slab, 90 per tHM (allocated), 30 per t sinter,
    # 35 per t coke; the plant uses 70 kWh of every MWh it makes (self-loop).
    power_demand = 0.030 * bof + 0.090 * a * bf + 0.030 * sinter + 0.035 * coke
    power = power_demand / (1 - 0.070)

    per_ore = (0.002 * diesel_t(ch4, n2o)  # 2 kg diesel
               + 1 * 400 * RAIL + 1 * 5900 * SEA_BULK)
    per_coal = (0.003 * diesel_t(ch4, n2o) + 6 * ch4  # 3 kg diesel; 6 kg CH4
                + 1 * 250 * RAIL + 1 * 7000 * SEA_BULK)
    per_power = 0.004 * bituminous_coal_tj(ch4, n2o)  # 4 GJ = 0.004 TJ
    per_coke = 0.003 * natural_gas_tj(ch4, n2o)  # 3 GJ
    per_sinter = 0.050 * anthracite_t(ch4, n2o)  # 50 kg
    per_bf = a * (0.150 * bituminous_coal_t(ch4, n2o) + bf_coke_co2 + flux_co2)
    per_bof = (0.050 * 4.5 / 1000 * natural_gas_tj(ch4, n2o)  # 0.225 GJ lime-kiln gas
               + bof_decarb_co2 + lime_co2 + 0.15 * 80 * ROAD)
    per_hsm = 0.0013 * natural_gas_tj(ch4, n2o) + 110 * GRID_SOUTH
    raw = ore * per_ore + coal * per_coal
    production = (power * per_power + coke * per_coke + sinter * per_sinter + bf * per_bf
                  + bof * per_bof + per_hsm)
    return raw, production, power


def test_hot_rolled_steel_coil(compute):
    result = compute(load("hot_rolled_steel_coil_bf_bof.yaml"), gwp_set="AR6")
    raw, production, power = steel_expected()
    assert result.kg_co2e_per_declared_unit == pytest.approx(raw + production, rel=REL)
    assert result.by_stage["raw_materials"] == pytest.approx(raw, rel=REL)
    assert result.by_stage["production"] == pytest.approx(production, rel=REL)
    activity = {p.process: p.activity for p in result.by_process}
    assert activity["captive_power"] == pytest.approx(power, rel=REL)
    bf = next(p for p in result.by_process if p.process == "blast_furnace")
    assert bf.allocation_factor == pytest.approx(2900 / 2918, rel=REL)


# ---- Rebar, scrap EAF ---------------------------------------------------------------------

def test_eaf_rebar(compute):
    result = compute(load("eaf_rebar.yaml"), gwp_set="AR6")
    billet = 1.04
    scrap = billet / 0.89
    lime = billet * 0.045  # 45 kg lime per t billet -> t
    per_scrap = 25 * GRID_SOUTH + 0.0015 * diesel_t() + 1 * 120 * ROAD
    per_lime = (0.0045 * natural_gas_tj() + 40 * GRID_SOUTH + 1000 * 44.01 / 56.08
                + 1 * 60 * ROAD)
    per_billet = (420 * GRID_SOUTH + 0.00025 * natural_gas_tj() + 0.012 * anthracite_t()
                  + 1.8 * 44.01 / 12.011)
    rolling = 0.0011 * natural_gas_tj() + 95 * GRID_SOUTH + 1.04 * 15 * ROAD
    raw = scrap * per_scrap + lime * per_lime
    production = billet * per_billet + rolling
    assert result.kg_co2e_per_declared_unit == pytest.approx(raw + production, rel=REL)
    assert result.by_stage["raw_materials"] == pytest.approx(raw, rel=REL)
    assert result.by_stage["production"] == pytest.approx(production, rel=REL)


# ---- Aluminium extrusion --------------------------------------------------------------------

def aluminium_expected(recycled_share):
    fresh = (1 - (1 - 0.8)) / (1 - 0.015)  # fresh metal per kg billet
    primary = fresh * (1 - recycled_share)
    recycled = fresh * recycled_share
    per_billet = (primary * 15.947  # material.aluminium.primary-ingot.tsinghua.cn.2020
                  + recycled * 0.845191  # material.aluminium.recycled-ingot.tsinghua.cn.2020
                  + 2.8e-6 * natural_gas_tj()  # 2.8 MJ
                  + 0.12 * GRID_SOUTH
                  + primary / 1000 * 1000 * RAIL + recycled / 1000 * 150 * ROAD)
    extrusion = 0.9 * GRID_SOUTH + 1.2e-6 * natural_gas_tj()
    anodising = (1.2 * GRID_SOUTH + 0.8e-6 * natural_gas_tj()
                 + 0.008 * 2.9650779  # material.plastic.ldpe-lldpe.primary.desnz.2025
                 + 0.020 * 0.491  # material.paper.corrugated-board.fefco.eu.2020
                 + 0.028 / 1000 * 50 * ROAD)
    return 1 / 0.8 * per_billet + extrusion + anodising


def test_aluminium_extrusion(compute):
    result = compute(load("aluminium_extrusion.yaml"), gwp_set="AR6")
    assert result.kg_co2e_per_declared_unit == pytest.approx(aluminium_expected(0.3), rel=REL)


@pytest.mark.parametrize("share", [0.0, 0.75, 1.0])
def test_aluminium_extrusion_recycled_share_parameter(compute, share):
    data = yaml.safe_load((EXAMPLES / "aluminium_extrusion.yaml").read_text("utf-8"))
    data["parameters"]["recycled_share"] = share
    result = compute(data)
    assert result.kg_co2e_per_declared_unit == pytest.approx(aluminium_expected(share),
                                                             rel=REL)


# ---- Portland cement -----------------------------------------------------------------------

def test_portland_cement(compute):
    result = compute(load("portland_cement.yaml"), gwp_set="AR6")
    calcination = 1000 * (0.65 * 44.01 / 56.08 + 0.015 * 44.01 / 40.30)
    clinker = 0.95
    raw_meal = clinker * 1.55
    limestone = raw_meal * 0.82
    coal_t = clinker * 3.3 / 25.8
    per_limestone = 0.0006 * diesel_t() + 2 * GRID_SOUTH + 1 * 5 * ROAD
    per_coal = 1 * 2800 * SEA_BULK + 1 * 50 * ROAD
    per_raw_meal = 22 * GRID_SOUTH + 0.18 * 30 * ROAD
    per_clinker = 0.0033 * bituminous_coal_tj() + 28 * GRID_SOUTH + calcination
    grinding = 38 * GRID_SOUTH + (1 - 0.95) * 200 * ROAD
    raw = limestone * per_limestone + coal_t * per_coal
    production = raw_meal * per_raw_meal + clinker * per_clinker + grinding
    assert result.kg_co2e_per_declared_unit == pytest.approx(raw + production, rel=REL)
    assert result.by_stage["raw_materials"] == pytest.approx(raw, rel=REL)
    assert result.by_gas["co2_fossil"] > clinker * calcination


# ---- Cotton T-shirt, cradle-to-grave ----------------------------------------------------

def tshirt_expected(ch4, n2o, hfc_134a):
    a = 16 / (16 + 1.5 * 3)  # lint 1 kg x 16 CNY, cottonseed 1.5 kg x 3 CNY
    fabric = 0.2 / (1 - 0.2)  # kg finished fabric per shirt
    knitted = fabric * 1.05
    yarn = knitted * 1.03
    lint = yarn * 1.12
    field_n2o = 0.15 * 0.01 * 44 / 28
    per_lint = a * (40e-6 * diesel_t(ch4, n2o)  # 40 g diesel
                    + 1.2 * GRID_NORTHWEST
                    + 0.25e-3 * anthracite_t(ch4, n2o)  # 0.25 kg coal
                    + field_n2o * n2o)
    per_yarn = 4.0 * GRID_SOUTH + 1.12 / 1000 * 4000 * RAIL
    per_knitted = 0.7 * GRID_SOUTH
    per_fabric = 12e-6 * natural_gas_tj(ch4, n2o) + 1.5 * GRID_SOUTH  # 12 MJ gas
    cmt = (0.25 * GRID_SOUTH
           + 0.004 * 22.31  # material.textile.clothing.primary.desnz.2025
           + 0.008 * 2.9650779  # material.plastic.ldpe-lldpe.primary.desnz.2025
           + 0.010 * 0.491  # material.paper.corrugated-board.fefco.eu.2020
           + 0.05e-3 * hfc_134a)  # 0.05 g HFC-134a
    packed_t = (0.2 + 0.018) / 1000
    distribution = packed_t * (100 * ROAD + 18500 * SEA_CONTAINER + 450 * ROAD)
    use = 50 * 0.7 * 0.2 / 4.0 * GRID_DE
    end_of_life = (0.2 * 0.6 / 1000 * 4.68568  # eol.incineration.textiles-clothing.desnz.2025
                   + 0.2 * 0.4 / 1000 * 496.78228)  # eol.landfill.textiles-clothing.desnz.2025
    return {
        "raw_materials": lint * per_lint,
        "production": yarn * per_yarn + knitted * per_knitted + fabric * per_fabric + cmt,
        "distribution": distribution,
        "use": use,
        "end_of_life": end_of_life,
    }


def test_cotton_tshirt_ar6(compute):
    result = compute(load("cotton_tshirt.yaml"), gwp_set="AR6")
    expected = tshirt_expected(ch4=29.8, n2o=273, hfc_134a=1530)
    assert result.kg_co2e_per_declared_unit == pytest.approx(sum(expected.values()), rel=REL)
    assert set(result.by_stage) == set(expected)
    for stage, value in expected.items():
        assert result.by_stage[stage] == pytest.approx(value, rel=REL), stage


def test_cotton_tshirt_ar5(compute):
    result = compute(load("cotton_tshirt.yaml"), gwp_set="AR5")
    expected = tshirt_expected(ch4=30, n2o=265, hfc_134a=1300)
    assert result.kg_co2e_per_declared_unit == pytest.approx(sum(expected.values()), rel=REL)
    for stage, value in expected.items():
        assert result.by_stage[stage] == pytest.approx(value, rel=REL), stage
    # the field N2O alone, by hand: 0.15 kg N x 1 % x 44/28 x 265, allocated to lint
    lint = 0.2 / 0.8 * 1.05 * 1.03 * 1.12
    assert result.by_gas["n2o"] > lint * 16 / 20.5 * 0.15 * 0.01 * 44 / 28 * 265


# ---- LED lamp, cradle-to-grave ------------------------------------------------------------

def test_led_lamp(compute):
    result = compute(load("led_lamp.yaml"), gwp_set="AR6")
    driver = (0.012 * 24.86547556  # material.electronics.it-equipment.primary.desnz.2025
              + 0.012 / 1000 * 120 * ROAD)
    module = (0.006 * 5.64794563  # material.electronics.small-electricals.primary.desnz.2025
              + 0.006 / 1000 * 100 * ROAD)
    housing = (0.018 * 15.1  # material.aluminium.primary.iai.glo.2022
               + 0.003 * 0.845191  # material.aluminium.recycled-ingot.tsinghua.cn.2020
               + 0.022 * 3.17249932  # material.plastic.average.primary.desnz.2025
               + 0.03 * GRID_SOUTH + 0.043 / 1000 * 80 * ROAD)
    assembly = (0.080 * GRID_SOUTH  # 80 Wh
                + 0.025 * 1.19972542  # material.paper.board.primary.desnz.2025
                + 0.01e-3 * 771)  # 0.01 g HFC-32, AR6 GWP 771
    distribution = 0.1 / 1000 * (60 * ROAD + 19500 * SEA_CONTAINER + 300 * ROAD)
    use = 8.5 * 15000 / 1000 * GRID_DE
    end_of_life = (65e-6 * 4.68568  # eol.recycling-open-loop.weee-mixed.desnz.2025
                   + 25e-6 * 4.68568)  # eol.recycling-closed-loop.paper-board-board.desnz.2025
    expected = driver + module + housing + assembly + distribution + use + end_of_life
    assert result.kg_co2e_per_declared_unit == pytest.approx(expected, rel=REL)
    assert result.by_stage["raw_materials"] == pytest.approx(driver + module + housing,
                                                             rel=REL)
    assert result.by_stage["use"] == pytest.approx(use, rel=REL)
    assert result.by_stage["end_of_life"] == pytest.approx(end_of_life, rel=REL)


# ---- LFP battery pack -----------------------------------------------------------------------

def test_li_ion_battery_pack(compute):
    result = compute(load("li_ion_battery_pack.yaml"), gwp_set="AR6")
    capacity = 51.2 * 200 / 1000  # kWh
    cells = capacity * (1 + 0.01)
    per_cell_kwh = (109.3214  # material.battery.li-ion-lfp.tsinghua.cn.2017 per kWh
                    + (1 / 0.16) / 1000 * 800 * ROAD)
    enclosure = (18 * 2.18  # material.steel.crude-average-ghg.worldsteel.glo.2024
                 + 3 * 15.947  # material.aluminium.primary-ingot.tsinghua.cn.2020
                 + 6 * GRID_SOUTH + 21 / 1000 * 150 * ROAD)
    bms = 0.6 * 24.86547556 + 0.6 / 1000 * 100 * ROAD  # it-equipment DESNZ 2025
    module = 3 * GRID_SOUTH
    pack = (4 * GRID_SOUTH + capacity * (1 - 0.92) * GRID_SOUTH
            + 2.5 * 0.491  # material.paper.corrugated-board.fefco.eu.2020
            + 0.2 * 2.9650779  # material.plastic.ldpe-lldpe.primary.desnz.2025
            + 0.002 * 771)  # 2 g HFC-32
    raw = cells * per_cell_kwh + enclosure + bms
    expected = raw + module + pack
    assert result.kg_co2e_per_declared_unit == pytest.approx(expected, rel=REL)
    assert result.by_stage["raw_materials"] == pytest.approx(raw, rel=REL)
    assert result.by_stage["production"] == pytest.approx(module + pack, rel=REL)
