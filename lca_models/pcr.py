"""Product-category rules (PCRs): what a product group's footprint must cover, and its benchmark.

PCRs are data (`data/pcrs/<id>.yaml`, one version per file, checked against
`data/pcr.schema.json`) because programmes publish and revise them, and each rule must be
traceable to its public text: a rule cites its source (publisher, document, section, URL,
licence, year) or says `illustrative: true` with a note. A model names its PCR (`pcr: {id,
version}`); `check_model` reports every gap with the model path to fix, and `rate` grades a
footprint only against a benchmark that cites a source, so a guess never grades a label.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lca_models.errors import InputLimitError, LcaModelError, MalformedInput, ModelValidationError
from lca_models.messages import N_
from lca_models.safe_load import load_yaml

_SCHEMA = "pcr.schema.json"


class PcrFileError(LcaModelError):
    """A PCR file is invalid; `field` is the path inside the file."""

    def __init__(self, file: str, field: str, message: str):
        self.file, self.field, self.message = file, field, message
        super().__init__(f"{file}: {field}: {message}")


class PcrRuleError(LcaModelError):
    """A PCR cannot serve the purpose asked (e.g. a rating without a sourced benchmark)."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Pcr:
    """One PCR version as published; `rules` keeps each rule's mapping as the file gives it."""

    id: str
    version: str
    name: str
    publisher: str
    source_type: str
    product_group: str
    rules: Mapping[str, Mapping[str, Any]]
    name_zh: str | None = None
    note: str | None = None

    def rule(self, name: str) -> Mapping[str, Any] | None:
        return self.rules.get(name)

    @property
    def benchmark(self) -> Mapping[str, Any] | None:
        return self.rules.get("benchmark")

    def ref(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version}


@dataclass(frozen=True)
class Gap:
    """A rule the model does not meet: `path` is the model field to change."""

    code: str
    path: str
    rule: str
    expected: Any
    found: Any
    illustrative: bool
    source_url: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "path": self.path, "rule": self.rule,
                "expected": self.expected, "found": self.found,
                "illustrative": self.illustrative, "source_url": self.source_url}


@dataclass(frozen=True)
class Rating:
    grade: str
    ratio: float
    benchmark_value: float
    benchmark_unit: str
    benchmark_year: int
    source: Mapping[str, Any]


_RULES = ("hs_codes", "declared_unit", "boundary", "cut_off", "allocation",
          "required_primary_data", "reference_period", "benchmark")


@cache
def _validator() -> Any:
    """jsonschema loads on first use (the web app starts without it)."""
    from jsonschema import Draft202012Validator

    text = (resources.files("lca_models") / "data" / _SCHEMA).read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def parse_pcr(data: Any, file: str) -> Pcr:
    """Validate one PCR document; the first error (by path) names the field to fix."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path)))
    if errors:
        error = errors[0]
        # the deepest cause names the field best (allOf/if-then wrap the real complaint)
        while error.context:
            error = sorted(error.context, key=lambda e: -len(e.path))[0]
        field = ".".join(str(p) for p in error.absolute_path) or "<document>"
        raise PcrFileError(file, field, error.message)
    return Pcr(id=data["id"], version=data["version"], name=data["name"],
               publisher=data["publisher"], source_type=data["source_type"],
               product_group=data["product_group"],
               rules={k: data[k] for k in _RULES if k in data},
               name_zh=data.get("name_zh"), note=data.get("note"))


def load_pcrs(directory: str | Path | None = None) -> dict[str, Pcr]:
    """Every PCR file, by id; one bad file fails the load so no rule is silently dropped."""
    root = Path(directory) if directory else Path(
        str(resources.files("lca_models"))) / "data" / "pcrs"
    pcrs: dict[str, Pcr] = {}
    for path in sorted(root.glob("*.yaml")):
        try:
            data = load_yaml(path.read_text("utf-8"))
        except (MalformedInput, InputLimitError) as exc:
            raise PcrFileError(path.name, "<document>", f"not valid YAML: {exc}") from None
        pcr = parse_pcr(data, path.name)
        if pcr.id != path.stem:
            raise PcrFileError(path.name, "id", f"'{pcr.id}' must match the file name")
        pcrs[pcr.id] = pcr
    return pcrs


def named_pcr(content: Mapping[str, Any], registry: Mapping[str, Pcr]) -> Pcr | None:
    """The PCR a model names, or None; an unknown id or version is a model error."""
    ref = content.get("pcr")
    if ref is None:
        return None
    pcr = registry.get(ref["id"])
    if pcr is None:
        raise ModelValidationError({"pcr.id": f"unknown product-category rule '{ref['id']}'; "
                                    f"registered: {', '.join(sorted(registry)) or 'none'}"})
    if pcr.version != str(ref["version"]):
        raise ModelValidationError({"pcr.version": N_(
            '%(id)s is registered in version %(version)s, not %(version2)s',
            id=pcr.id, version=pcr.version, version2=ref['version'])})
    return pcr


def check_model(content: Mapping[str, Any], pcr: Pcr) -> tuple[Gap, ...]:
    """Every rule of `pcr` the model (as stored: plain JSON) does not meet."""
    gaps: list[Gap] = []

    def gap(code: str, path: str, rule: str, expected: Any, found: Any) -> None:
        spec = pcr.rules[rule]
        gaps.append(Gap(code, path, rule, expected, found, bool(spec.get("illustrative")),
                        (spec.get("source") or {}).get("url")))

    stages = [s["stage"] for s in content["stages"]]
    if (r := pcr.rule("hs_codes")) is not None:
        hs = str(content["product"].get("hs_code") or "")
        if not any(hs.startswith(code) for code in r["codes"]):
            gap("HS_CODE_OUTSIDE_PCR", "product.hs_code", "hs_codes", list(r["codes"]),
                hs or None)
    if (r := pcr.rule("declared_unit")) is not None:
        unit = content["declared_unit"]
        if unit["unit"] != r["unit"] or float(unit["amount"]) != float(r["amount"]):
            gap("DECLARED_UNIT_MISMATCH", "declared_unit", "declared_unit",
                f"{r['amount']:g} {r['unit']}", f"{float(unit['amount']):g} {unit['unit']}")
    if (r := pcr.rule("boundary")) is not None:
        if content["boundary"] not in r["allowed"]:
            gap("BOUNDARY_NOT_IN_PCR", "boundary", "boundary", list(r["allowed"]),
                content["boundary"])
        for stage in r["required_stages"]:
            if stage not in stages:
                gap("STAGE_MISSING", "stages", "boundary", stage, stages)
        for stage in r.get("excluded_stages", ()):
            if stage in stages:
                gap("STAGE_EXCLUDED_BY_PCR", f"stages[{stages.index(stage)}]", "boundary",
                    f"no {stage} stage", stage)
    if (r := pcr.rule("cut_off")) is not None:
        excluded = sum(float(e["share_percent"]) for e in content.get("exclusions") or ())
        if excluded > r["max_exclusions_percent"]:
            gap("CUT_OFF_EXCEEDED", "exclusions", "cut_off",
                f"at most {r['max_exclusions_percent']:g} %", f"{excluded:g} %")
    if (r := pcr.rule("allocation")) is not None:
        for path, method in _allocations(content):
            if method not in r["allowed"]:
                gap("ALLOCATION_NOT_IN_PCR", path, "allocation", list(r["allowed"]), method)
    if (r := pcr.rule("required_primary_data")) is not None:
        for stage in r["stages"]:
            if stage not in stages:
                gap("PRIMARY_DATA_MISSING", "stages", "required_primary_data", stage, None)
            elif not _has_primary(content["stages"][stages.index(stage)]):
                gap("PRIMARY_DATA_MISSING", f"stages[{stages.index(stage)}]",
                    "required_primary_data", f"primary data in {stage}", "secondary only")
    if (r := pcr.rule("reference_period")) is not None:
        gaps.extend(_period_gap(content, pcr, r))
    return tuple(gaps)


def _allocations(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(f"stages[{i}].processes[{j}].allocation", p["allocation"])
            for i, s in enumerate(content["stages"]) for j, p in enumerate(s["processes"])
            if p.get("allocation")]


def _has_primary(stage: Mapping[str, Any]) -> bool:
    """Emissions are primary unless marked otherwise (the inventory schema's default)."""
    for process in stage["processes"]:
        for kind, default in (("inputs", False), ("emissions", True), ("transport", False)):
            if any(item.get("primary", default) for item in process.get(kind) or ()):
                return True
    return False


def _period_gap(content: Mapping[str, Any], pcr: Pcr, r: Mapping[str, Any]) -> list[Gap]:
    spec_url = (r.get("source") or {}).get("url")
    period = content.get("reference_period")
    if not period:
        return [Gap("REFERENCE_PERIOD_MISSING", "reference_period", "reference_period",
                    f"at most {r['max_months']} months", None, bool(r.get("illustrative")),
                    spec_url)]
    start, end = date.fromisoformat(str(period["start"])), date.fromisoformat(str(period["end"]))
    months = (end.year - start.year) * 12 + end.month - start.month + (end.day >= start.day)
    if months <= r["max_months"]:
        return []
    return [Gap("REFERENCE_PERIOD_TOO_LONG", "reference_period.end", "reference_period",
                f"at most {r['max_months']} months", f"{months} months",
                bool(r.get("illustrative")), spec_url)]


def rate(pcr: Pcr, kg_co2e_per_declared_unit: float, declared_unit: Mapping[str, Any]) -> Rating:
    """The grade of a footprint against the PCR's benchmark: the first grade whose
    `max_ratio` (footprint / benchmark) is not exceeded; a last grade without one takes the
    rest. Refused (naming the field) without a benchmark, with an illustrative one, or when
    the footprint is not per the PCR's declared unit."""
    bench = pcr.benchmark
    if bench is None:
        raise PcrRuleError("benchmark", f"{pcr.id} {pcr.version} publishes no benchmark, so "
                           "a rating label cannot be graded under it")
    if bench.get("illustrative") or "source" not in bench:
        raise PcrRuleError("benchmark.source", f"the benchmark of {pcr.id} {pcr.version} is "
                           "illustrative; only a sourced benchmark grades an issued label")
    unit = pcr.rule("declared_unit")
    if unit and (declared_unit["unit"] != unit["unit"]
                 or float(declared_unit["amount"]) != float(unit["amount"])):
        raise PcrRuleError("declared_unit", f"the benchmark is per {unit['amount']:g} "
                           f"{unit['unit']}, the footprint per {declared_unit['amount']:g} "
                           f"{declared_unit['unit']}")
    ratio = kg_co2e_per_declared_unit / float(bench["value"])
    for grade in bench["grades"]:
        if "max_ratio" not in grade or ratio <= grade["max_ratio"]:
            return Rating(grade["grade"], ratio, float(bench["value"]), bench["unit"],
                          int(bench["year"]), dict(bench["source"]))
    raise PcrRuleError("benchmark.grades", f"a footprint {ratio:.3f} times the benchmark is "
                       "above every grade the PCR defines; no grade can be given")
