"""CBAM SEE in decimal arithmetic, for the rounding the regulation asks for.

Implementing Regulation (EU) 2023/1773 reports specific embedded emissions to five decimals;
rounding half-up is only right on the exact value. Binary floats turn 123.455 / 1000 into
0.12345499999999998, which would round down. So beside its float figures (kept for display and
the breakdown), the calculation works out each process's SEE here: every number enters as the
decimal it was written as (its shortest repr); sums, products with precursor masses, the
default values' mark-up and the division by the activity level are exact (the caller sets a
50-digit context). A stream's emissions enter as the decimal repr of their unit-converted
product.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lca_models.cbam_results import ProcessResult, StreamResult

_ZERO = Decimal(0)
#: Processes or precursors by id: (index in the input, the input's entry)
Indexed = dict[str, tuple[int, Mapping[str, Any]]]


def _d(value: float) -> Decimal:
    """A float as the decimal it prints as (0.1 -> Decimal('0.1'), not its binary value)."""
    return Decimal(repr(float(value)))


class ExactSee:
    """Mixed into the CBAM calculation; `exact` holds (direct, indirect) SEE per process."""

    exact: dict[str, tuple[Decimal, Decimal]]
    defaults: Any
    if TYPE_CHECKING:  # the calculation it is mixed into (cbam._Calc) has these
        def process(self, pid: str, procs: Indexed, precs: Indexed,
                    streams: tuple[StreamResult, ...]) -> ProcessResult: ...
        def get_markup(self) -> float: ...

    def _exact_see(self, pid: str, p: Mapping[str, Any], al: float, ef: float | None,
                   precs: Indexed, procs: Indexed, streams: tuple[StreamResult, ...]
                   ) -> tuple[Decimal, Decimal]:
        """The process's SEE (direct, indirect) in decimal arithmetic."""
        heat = {k: (_d(p[k]["energy_tj"]) * _d(p[k]["emission_factor_t_per_tj"]) if p[k]
                    else _ZERO) for k in ("heat_imported", "heat_exported")}
        emitted = [s.emissions_t for s in streams if s.process == pid] + [
            o["amount_t"] for o in p["other_direct_emissions"]]
        direct = (sum((_d(v) for v in emitted), _ZERO) + heat["heat_imported"]
                  - heat["heat_exported"] + _d(p["waste_gas_imported_t"])
                  - _d(p["waste_gas_exported_t"]) - _d(p["electricity_exported_mwh"])
                  * _d(p["electricity_exported_ef_t_per_mwh"] or 0.0))
        indirect = _d(p["electricity_consumed_mwh"]) * _d(ef or 0.0)
        for use in p["precursors"]:
            k, prec = precs[use["precursor"]]
            see = self.exact_precursor_see(prec, f"precursors[{k}]", procs, precs, streams)
            direct += _d(use["mass_t"]) * see[0]
            indirect += _d(use["mass_t"]) * see[1]
        return direct / _d(al), indirect / _d(al)

    def exact_precursor_see(self, prec: Mapping[str, Any], path: str, procs: Indexed,
                            precs: Indexed, streams: tuple[StreamResult, ...]
                            ) -> tuple[Decimal, Decimal]:
        if prec["origin"] == "own":
            self.process(prec["process"], procs, precs, streams)
            return self.exact[prec["process"]]
        if prec["eu_origin"]:
            return _ZERO, _ZERO
        if prec["see_source"] == "actual":
            return _d(prec["see_direct"]), _d(prec["see_indirect"])
        return self.exact_default_see(prec["country"], prec["cn_code"], path)

    def exact_default_see(self, country: str | None, cn: str | None, path: str
                          ) -> tuple[Decimal, Decimal]:
        found = self.defaults.lookup(country, cn) if self.defaults and country and cn else None
        if found is None:
            return _ZERO, _ZERO  # default_see has reported it
        factor = 1 + _d(self.get_markup()) / 100
        return _d(found.direct) * factor, _d(found.indirect) * factor
