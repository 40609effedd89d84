"""Validation of a ProductFootprint against the PACT spec's OpenAPI schema. Apart from the
mapping because it reads the spec file and needs jsonschema (imported on first use, so the web
app starts without it), which neither building nor importing a footprint does.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from lca_models.safe_load import load_yaml

if TYPE_CHECKING:
    from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker

from lca_models.pact.common import _DECIMAL, _URN, _UUID, _drop_nulls, _is_timestamp


def validate_product_footprint(pf: Mapping[str, Any], openapi_path: Path) -> list[str]:
    """Errors against the openapi.yaml's ProductFootprint schema as 'path: message'. Nulls are
    dropped first: the spec reads null as undefined, so a required one is reported missing."""
    errors = _validator(str(openapi_path)).iter_errors(_drop_nulls(pf))
    out = []
    for e in sorted(errors, key=lambda e: [str(p) for p in e.path]):
        # a oneOf/anyOf message dumps the whole instance; name the alternatives instead
        why = (f"matches none or several of {'/'.join(map(str, e.schema_path))}"
               if e.validator in ("oneOf", "anyOf") else e.message[:300])
        out.append(f"{'/'.join(map(str, e.path)) or '(root)'}: {why}")
    return out


@lru_cache(maxsize=4)
def _validator(openapi_path: str) -> Draft4Validator | Draft202012Validator:
    """The schema carries the file's components along, so '#/components/...' refs resolve
    inside it. OpenAPI 3.1 is JSON Schema 2020-12; 3.0's `nullable` becomes a null type.
    jsonschema is imported here, on first validation, so the web app starts without it."""
    from jsonschema import Draft4Validator, Draft202012Validator
    doc = load_yaml(Path(openapi_path).read_text("utf-8"))
    components = _nullable(doc["components"])
    schema = {**components["schemas"]["ProductFootprint"], "components": components}
    cls = Draft202012Validator if str(doc.get("openapi", "")).startswith("3.1") else Draft4Validator
    return cls(schema, format_checker=_formats())


def _nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    return out | {"type": [out["type"], "null"]} if node.get("nullable") and "type" in out else out


def _formats() -> FormatChecker:
    """Own checkers, so results do not hang on optional jsonschema extras being installed."""
    from jsonschema import FormatChecker
    checker = FormatChecker(formats=())
    checks = {"date-time": _is_timestamp, "uri": lambda s: bool(urlparse(s).scheme),
              "urn": lambda s: bool(_URN.match(s)), "uuid": lambda s: bool(_UUID.match(s)),
              "decimal": lambda s: bool(_DECIMAL.match(s))}
    for name, check in checks.items():
        checker.checks(name)(lambda s, check=check: not isinstance(s, str) or check(s))
    return checker
