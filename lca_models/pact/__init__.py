"""PACT v3 exchange: an issued label as a ProductFootprint (label), validation against the
spec's OpenAPI schema (schema), and a supplier's ProductFootprint as a user factor row (supplier).
This package keeps `lca_models.pact` as the one import path for callers; the parts live in
submodules so each stays small enough to read whole (see docs/pact-mapping.md).
"""

from lca_models.pact.common import (
    EXTENSION_SCHEMA_PATH,
    EXTENSION_SPEC_VERSION,
    FACTOR_RELEASE_NAME,
    FOOTPRINT_NAMESPACE,
    PACT_UNITS,
    SPEC_VERSION,
    PactMappingError,
    decimal_string,
    footprint_id,
)
from lca_models.pact.label import (
    LabelFacts,
    extension_data,
    pact_declared_unit,
    product_footprint,
)
from lca_models.pact.schema import validate_product_footprint
from lca_models.pact.supplier import footprint_to_factor_row, validity_period

__all__ = ["EXTENSION_SCHEMA_PATH", "EXTENSION_SPEC_VERSION", "FACTOR_RELEASE_NAME",
           "FOOTPRINT_NAMESPACE", "PACT_UNITS", "SPEC_VERSION", "LabelFacts", "PactMappingError",
           "decimal_string", "extension_data", "footprint_id", "footprint_to_factor_row",
           "pact_declared_unit", "product_footprint", "validate_product_footprint",
           "validity_period"]
