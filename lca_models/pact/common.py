"""What both directions of the PACT v3 exchange share: the spec version, PACT's units and
string formats, the one error type, and PACT's number and time notation. Kept apart so the label
mapping (label.py), the schema check (schema.py) and the supplier import (supplier.py) agree on
them without importing one another.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass
SPEC_VERSION = "3.0.3"
EXTENSION_SPEC_VERSION = "2.0.0"  # of the PACT Data Model Extensions specification
EXTENSION_SCHEMA_PATH = Path(__file__).parent.parent / "data" / "pact-extension-v1.schema.json"
FACTOR_RELEASE_NAME = "GBA carbon label emission-factor release"
#: Fixed, so a label's footprint id is the same on every host, run and rebuild.
FOOTPRINT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:carbonlabel:pact:product-footprint")
#: PACT declaredUnitOfMeasurement -> pint unit of our models and factor rows. "megabit second"
#: is left out on purpose: it is ambiguous (Mbit x s or Mbit/s) and nothing here uses it.
PACT_UNITS = {"kilogram": "kg", "liter": "l", "cubic meter": "m3", "kilowatt hour": "kWh",
              "megajoule": "MJ", "ton kilometer": "tkm", "square meter": "m**2",
              "piece": "item", "hour": "h"}
_URN = re.compile(r"^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$", re.IGNORECASE)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")  # the prose also allows 1.2e+6
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")
class PactMappingError(ValueError):
    """A label or footprint cannot be carried across without inventing or distorting data."""

def footprint_id(label_id: str) -> str:
    return str(uuid.uuid5(FOOTPRINT_NAMESPACE, label_id.strip().upper()))


def decimal_string(value: float | int | Decimal) -> str:
    """PACT Decimal in plain notation (its pattern has no exponent); floats keep 12 significant
    digits so binary noise such as 0.30000000000000004 does not travel."""
    number = Decimal(format(value, ".12g")) if isinstance(value, float) else Decimal(value)
    _require(number.is_finite(), f"{value} is not a finite number")
    text = "0" if number.is_zero() else format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _drop_nulls(node: Any) -> Any:
    if isinstance(node, Mapping):
        return _drop_null_fields(node)
    return [_drop_nulls(v) for v in node] if isinstance(node, list) else node


def _drop_null_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """`_drop_nulls` of one object, typed as the object it is."""
    return {k: _drop_nulls(v) for k, v in doc.items() if v is not None}

def _require(ok: object, message: str) -> None:
    if not ok:
        raise PactMappingError(message)


def _is_timestamp(text: Any) -> bool:
    try:
        return bool(_RFC3339.match(text)) and bool(datetime.fromisoformat(text.upper()))
    except (TypeError, ValueError):
        return False


def _when(src: Mapping[str, Any], key: str) -> datetime:
    text = src.get(key)
    _require(_is_timestamp(text), f"{key} is missing or not an RFC 3339 date-time: {text!r}")
    return datetime.fromisoformat(str(text).upper()).astimezone(UTC)


def _nonneg(what: str, value: float | None) -> str | None:
    """Float noise below zero is zero; a real negative is an error, never clipped."""
    if value is None or value >= 0:
        return None if value is None else decimal_string(value)
    _require(value > -1e-9, f"{what} cannot be negative ({value})")
    return "0"


def _plus_3_years(moment: datetime) -> datetime:
    leap_day = (moment.month, moment.day) == (2, 29)
    return moment.replace(year=moment.year + 3, day=28 if leap_day else moment.day)


def _day(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


def _ts(moment: datetime) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
