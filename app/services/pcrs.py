"""The product-category rule (PCR) registry as the service uses it.

The registry is data shipped with the engine (lca_models/data/pcrs); `PCR_DIR` in the
configuration points at another directory (tests use one). A model that names a PCR is held
to it: an unknown id or version refuses the upload, and the certifier's review lists every
gap with the model path to fix.

Which directory is the edge's to say (`use_directory`): create_app sets it from the app's
configuration each time an app context is pushed (a request, a task, a command), so this
module reads no Flask configuration and a test that changes `PCR_DIR` is seen by the next
request.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.domain import InvalidInput, NotFound
from lca_models.messages import N_
from lca_models.pcr import Pcr, PcrRuleError, Rating, check_model, load_pcrs, named_pcr, rate


@lru_cache(maxsize=4)
def _load(directory: str | None) -> dict[str, Pcr]:
    return load_pcrs(directory)


_DIRECTORY: ContextVar[str | None] = ContextVar("carbonlabel_pcr_dir", default=None)


def use_directory(directory: str | Path | None) -> None:
    """The registry directory for what runs next in this context (None: the shipped one)."""
    _DIRECTORY.set(str(directory) if directory else None)


def registry() -> dict[str, Pcr]:
    return _load(_DIRECTORY.get())


def get(pcr_id: str) -> Pcr:
    pcr = registry().get(pcr_id)
    if pcr is None:
        raise NotFound(N_("no product-category rule '%(pcr_id)s'", pcr_id=pcr_id))
    return pcr


def view(pcr: Pcr) -> dict[str, Any]:
    bench = pcr.benchmark
    return {"id": pcr.id, "version": pcr.version, "name": pcr.name, "name_zh": pcr.name_zh,
            "publisher": pcr.publisher, "source_type": pcr.source_type,
            "product_group": pcr.product_group, "note": pcr.note,
            "rules": {k: dict(v) for k, v in pcr.rules.items()},
            "rating_possible": bench is not None and bool(bench)
            and not bench.get("illustrative") and "source" in bench}


def named(content: dict[str, Any]) -> Pcr | None:
    """The PCR a stored model names (ModelValidationError for an unknown one)."""
    return named_pcr(content, registry())


def check(content: dict[str, Any]) -> dict[str, Any] | None:
    """The model checked against its PCR, for the review; None when it names none."""
    pcr = named(content)
    if pcr is None:
        return None
    gaps = [g.to_dict() for g in check_model(content, pcr)]
    return {"id": pcr.id, "version": pcr.version, "name": pcr.name,
            "publisher": pcr.publisher, "benchmark": pcr.benchmark is not None,
            "checked_rules": sorted(pcr.rules), "gaps": gaps}


def rating(content: dict[str, Any], result: dict[str, Any]) -> tuple[Pcr, Rating]:
    """The grade of a calculation under its model's PCR; InvalidInput naming the field when
    the model names no PCR or the PCR has no sourced benchmark."""
    pcr = named(content)
    if pcr is None:
        raise InvalidInput(N_("a rating label needs the model to name a product-category rule "
                           "(pcr: {id, version}) with a benchmark"), field="model.pcr")
    try:
        return pcr, rate(pcr, result["kg_co2e_per_declared_unit"], result["declared_unit"])
    except PcrRuleError as exc:
        raise InvalidInput(N_(
            '%(id)s %(version)s: %(message)s',
            id=pcr.id, version=pcr.version, message=exc.message),
                           field=f"pcr.{exc.field}") from None


def product_rules(pcr: Pcr) -> dict[str, Any]:
    """The PCR as recognition metadata's `product_rules`."""
    return {"operator": pcr.publisher, "name": f"{pcr.id}: {pcr.name}",
            "source_type": pcr.source_type, "version": pcr.version}
