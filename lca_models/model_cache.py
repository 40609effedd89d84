"""One validation and one compilation per stored model version.

A model version is validated and compiled when it is uploaded (so errors show then); the
calculation needs exactly that compiled form. Keyed by the SHA-256 of the stored content and
of the factor release, the compiled model is kept here, so upload and every later calculation
in the same process share one `load_model` and one `compile_model`. The key names content and
release exactly, so a hit can never hand back another model's compilation; another worker
process simply compiles once for itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from lca_models.factors import FactorRelease
from lca_models.system import CompiledModel

#: Compiled models kept per process (a compiled 1,000-process model is a few hundred kB).
MAX_MODELS = 256

_CACHE: OrderedDict[tuple[str, str], CompiledModel] = OrderedDict()
_LOCK = threading.Lock()


def compiled_model(content: Mapping[str, Any], content_sha256: str,
                   release: FactorRelease) -> CompiledModel:
    """The validated, compiled model of `content` (whose canonical hash is `content_sha256`)
    under `release`; raises ModelValidationError as `load_model`/`compile_model` do."""
    from lca_models.conditioning import check_solvable
    from lca_models.inventory_schema import load_model
    from lca_models.system import compile_model

    key = (content_sha256, release.sha256)
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    compiled = compile_model(load_model(content), release)
    check_solvable(compiled)
    with _LOCK:
        _CACHE[key] = compiled
        while len(_CACHE) > MAX_MODELS:
            _CACHE.popitem(last=False)
    return compiled


def clear() -> None:
    with _LOCK:
        _CACHE.clear()
