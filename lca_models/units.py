"""Unit handling with pint, so that '450 kWh' and '1.62 GJ' are the same thing and '2 kg'
fed to a factor per kWh is an error instead of a silent factor of 1000."""

from __future__ import annotations

from functools import lru_cache

import pint

#: Units the registry does not know by default but inventories commonly use.
_EXTRA_DEFINITIONS = (
    "tkm = tonne * kilometer = tonne_kilometer",
    "m3 = meter ** 3",
    "item = [item] = piece = pcs",  # not "pc": pint already means parsec by it
)


class UnitProblem(ValueError):
    """A unit is unknown or two units cannot be converted; the message says which."""


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=False)
    for definition in _EXTRA_DEFINITIONS:
        ureg.define(definition)
    return ureg


@lru_cache(maxsize=4096)
def parse_unit(unit: str) -> pint.Unit:
    if not isinstance(unit, str) or not unit.strip():
        raise UnitProblem("a unit is required")
    try:
        parsed = registry().parse_units(unit.strip())
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError,
            AttributeError, TypeError, AssertionError) as exc:
        raise UnitProblem(f"'{unit}' is not a known unit") from exc
    return parsed


def is_known_unit(unit: str) -> bool:
    try:
        parse_unit(unit)
    except UnitProblem:
        return False
    return True


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier turning an amount in `from_unit` into `to_unit`."""
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    try:
        return float(registry().Quantity(1.0, source).to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitProblem(
            f"'{from_unit}' cannot be converted to '{to_unit}' "
            f"({_dimension(source)} vs {_dimension(target)})"
        ) from exc


def is_mass(unit: str) -> bool:
    return parse_unit(unit).dimensionality == registry().kilogram.dimensionality


def _dimension(unit: pint.Unit) -> str:
    return str(registry().Quantity(1.0, unit).dimensionality)
