"""`carbonlabel pcrs list` and `pcrs validate`: a bad PCR file is refused naming the field."""

from __future__ import annotations

import yaml

from app.cli import main
from lca_models.pcr import load_pcrs


def test_pcrs_list_shows_the_shipped_registry(runner):
    listed = runner.invoke(main, ["pcrs", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.startswith("eu-battery-cfb 2023/1542  per 1 kWh  rules: boundary, "
                                    "declared_unit, hs_codes  no benchmark")


def test_pcrs_validate_names_the_field_that_fails(runner, tmp_path):
    shipped = load_pcrs()["eu-battery-cfb"]
    doc = {"id": shipped.id, "version": shipped.version, "name": shipped.name,
           "publisher": shipped.publisher, "source_type": shipped.source_type,
           "product_group": shipped.product_group, **shipped.rules}
    good = tmp_path / "eu-battery-cfb.yaml"
    good.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    ok = runner.invoke(main, ["pcrs", "validate", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "eu-battery-cfb 2023/1542 is valid (3 rules, 1 illustrative)" in ok.output
    doc["boundary"] = {**doc["boundary"], "required_stages": ["moon"]}
    good.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    bad = runner.invoke(main, ["pcrs", "validate", str(good)])
    assert bad.exit_code == 2
    assert "eu-battery-cfb.yaml: boundary.required_stages.0: 'moon' is not one of" in bad.output
