"""Unit handling with pint, so that '450 kWh' and '1.62 GJ' are the same thing and '2 kg'
fed to a factor per kWh is an error instead of a silent factor of 1000."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lca_models.messages import N_

if TYPE_CHECKING:
    import pint

#: Units the registry does not know by default but inventories commonly use.
_EXTRA_DEFINITIONS = (
    "tkm = tonne * kilometer = tonne_kilometer",
    "m3 = meter ** 3",
    "item = [item] = piece = pcs",  # not "pc": pint already means parsec by it
)


_TONS = N_("is not a metric tonne (pint reads it as a US short ton of 907.18 kg, or a long ton "
         "of 1016.05 kg); write t or tonne for 1000 kg, or give the mass in kg")
_CALORIES = N_("has two meanings (thermochemical 4.184 J or International Table 4.1868 J); "
             "write kcal_th or kcal_it (cal_th or cal_it), or better kJ or MJ")
_US_IMPERIAL = N_("differs between US and imperial measure; write L or m3 (or imperial_gallon, "
                "US_liquid_gallon, imperial_pint, liquid_pint, imperial_quart)")
#: Unit words refused because a reader cannot tell which unit the writer meant.
AMBIGUOUS = {
    **dict.fromkeys(("ton", "tons", "short_ton", "long_ton", "US_ton", "UK_ton"), _TONS),
    **dict.fromkeys(("cal", "kcal", "Cal", "calorie", "calories", "kilocalorie",
                     "kilocalories", "Mcal"), _CALORIES),
    **dict.fromkeys(("gallon", "gallons", "gal", "pint", "pints", "pt", "quart", "quarts",
                     "qt", "fluid_ounce", "floz", "fl_oz", "cup"), _US_IMPERIAL),
    **dict.fromkeys(("barrel", "barrels", "bbl"),
                    N_("means different volumes (US beer barrel 117 L, oil barrel 159 L); "
                       "write oil_barrel, L or m3")),
    **dict.fromkeys(("therm", "therms", "thm"),
                    N_("differs between the EC and US therm; write EC_therm, US_therm, MJ or "
                       "GJ")),
    **dict.fromkeys(("hp", "horsepower"),
                    N_("may be mechanical (745.7 W) or metric (735.5 W) horsepower; write kW")),
}
#: Pint's own names behind aliases not listed above (e.g. 'ton' for any short-ton alias).
_AMBIGUOUS_CANONICAL = {"ton": _TONS, "long_ton": _TONS}
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


class UnitProblem(ValueError):
    """A unit is unknown or two units cannot be converted; the message says which."""


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry[float]:
    import pint  # imported on first use: the web app starts without it

    ureg: pint.UnitRegistry[float] = pint.UnitRegistry(autoconvert_offset_to_baseunit=False)
    for definition in _EXTRA_DEFINITIONS:
        ureg.define(definition)
    return ureg


@lru_cache(maxsize=4096)
def parse_unit(unit: str) -> pint.Unit:
    """The pint unit of `unit`; ambiguous words ('ton', 'kcal', 'gallon'...) are refused with
    the spellings that say which unit is meant (`AMBIGUOUS`)."""
    if not isinstance(unit, str) or not unit.strip():
        raise UnitProblem(N_("a unit is required"))
    for word in _WORD.findall(unit):
        if word in AMBIGUOUS:
            raise UnitProblem(N_("'%(word)s' in '%(unit)s' %(why)s", word=word, unit=unit,
                                 why=AMBIGUOUS[word]))
    import pint

    try:
        parsed = registry().parse_units(unit.strip())
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError,
            AttributeError, TypeError, AssertionError) as exc:
        raise UnitProblem(N_("'%(unit)s' is not a known unit", unit=unit)) from exc
    for name in parsed._units:  # pint has no public accessor for the unit names
        if name in _AMBIGUOUS_CANONICAL:
            raise UnitProblem(N_("'%(unit)s' %(why)s", unit=unit,
                                 why=_AMBIGUOUS_CANONICAL[name]))
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
    import pint

    source, target = parse_unit(from_unit), parse_unit(to_unit)
    try:
        return float(registry().Quantity(1.0, source).to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitProblem(N_(
            "'%(from_unit)s' cannot be converted to '%(to_unit)s' (%(from_dim)s vs %(to_dim)s)",
            from_unit=from_unit, to_unit=to_unit, from_dim=_dimension(source),
            to_dim=_dimension(target))) from exc


def is_mass(unit: str) -> bool:
    return parse_unit(unit).dimensionality == registry().kilogram.dimensionality


def _dimension(unit: pint.Unit) -> str:
    return str(registry().Quantity(1.0, unit).dimensionality)


def __getattr__(name: str) -> Any:
    """`units.DimensionalityError` without importing pint until an except clause needs it
    (an except expression is only evaluated when an exception reaches it)."""
    if name == "DimensionalityError":
        import pint

        return pint.errors.DimensionalityError
    raise AttributeError(name)
