"""Products, model versions and calculations, within organisation boundaries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.domain import Conflict, InvalidInput, NotFound
from app.persistence import Calculation, ModelVersion, Product, User
from app.services import DbSession, audit, compiled_forms, keyset, pcrs
from app.services.footprints import check_monte_carlo
from lca_models.calculation import compute_footprint
from lca_models.canonical import sha256_hex
from lca_models.errors import ModelValidationError
from lca_models.factors import load_release, shipped_versions
from lca_models.inventory import InventoryModel
from lca_models.messages import N_
from lca_models.model_cache import compiled_model
from lca_models.results import FootprintResult


def visible_products(session: DbSession, user: User):
    query = select(Product).order_by(Product.created_at, Product.id)
    if user.role != "admin":
        query = query.where(Product.organisation_id == user.organisation_id)
    return query


def list_products(session: DbSession, user: User, after: str | None, size: int) -> keyset.Page:
    return keyset.page(session, visible_products(session, user), after, size)


def list_versions(session: DbSession, user: User, product_id: str, after: str | None,
                  size: int) -> keyset.Page:
    """Model versions of one of the user's products, oldest first."""
    product = get_product(session, user, product_id)
    return keyset.page(session, select(ModelVersion).where(
        ModelVersion.product_id == product.id).order_by(ModelVersion.number), after, size)


def get_product(session: DbSession, user: User, product_id: str) -> Product:
    product = session.get(Product, product_id)
    if product is None or not _owns(user, product):
        raise NotFound(N_("no such product"))
    return product


def _owns(user: User, product: Product) -> bool:
    """Another organisation's resource answers exactly like a missing one (no leak)."""
    return user.role == "admin" or product.organisation_id == user.organisation_id


def create_product(session: DbSession, user: User, data: dict[str, Any]) -> Product:
    product = Product(organisation_id=user.organisation_id, **data)
    session.add(product)
    session.flush()
    audit.append(session, user, "product.created", target_type="product",
                 target_id=product.id, details={"name": product.name})
    return product


def get_version(session: DbSession, user: User, version_id: str) -> ModelVersion:
    version = session.get(ModelVersion, version_id)
    if version is None or not _owns(user, version.product):
        raise NotFound(N_("no such model version"))
    return version


def plain(data: Any) -> Any:
    """JSON-safe copy (YAML gives dates; the database stores JSON). Outside documents reach
    here only through the bounded loaders (aliases expanded within the node limit, cycles
    refused); a cycle from elsewhere is still a 422, not a 500."""
    try:
        return json.loads(json.dumps(data, default=str))
    except (ValueError, RecursionError) as exc:
        raise ModelValidationError({"_schema": N_(
            'not a plain document: %(exc)s',
            exc=exc)}) from None


def checked_content(content: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The model as stored (JSON-safe) and its hash, validated with every factor resolved now,
    so errors show at upload time and name the field as the request spells it (`model.…`).
    The compiled form stays in `model_cache` for the calculations that follow."""
    content = plain(content)
    sha256 = sha256_hex(content)
    try:
        compiled_model(content, sha256, load_release())
        pcrs.named(content)  # a model naming an unknown PCR is refused, nothing stored
    except ModelValidationError as exc:
        raise exc.under("model") from None
    return content, sha256


def add_version(session: DbSession, user: User, product: Product, content: dict[str, Any],
                source_format: str) -> ModelVersion:
    content, sha256 = checked_content(content)
    number = (session.scalar(select(func.max(ModelVersion.number))
                             .where(ModelVersion.product_id == product.id)) or 0) + 1
    version = ModelVersion(product_id=product.id, number=number, source_format=source_format,
                           content=content, content_sha256=sha256, created_by=user.id)
    session.add(version)
    session.flush()
    audit.append(session, user, "model_version.created", target_type="model_version",
                 target_id=version.id, details={"product_id": product.id, "number": number,
                                                "sha256": version.content_sha256})
    return version


def replace_version(session: DbSession, user: User, version: ModelVersion,
                    content: dict[str, Any]) -> ModelVersion:
    if version.frozen:
        raise Conflict(N_("this model version has been submitted for certification and is "
                       "frozen; upload a new version instead"), state="frozen")
    version.content, version.content_sha256 = checked_content(content)
    audit.append(session, user, "model_version.replaced", target_type="model_version",
                 target_id=version.id, details={"sha256": version.content_sha256})
    return version


def calculate(session: DbSession, user: User, version: ModelVersion, *, gwp_set: str,
              monte_carlo: int | None, seed: int, brightway_dir: Path,
              max_monte_carlo: int | None = None) -> Calculation:
    if max_monte_carlo is not None:
        check_monte_carlo(monte_carlo, max_monte_carlo)
    model, result = footprint(version.content, gwp_set=gwp_set, monte_carlo=monte_carlo,
                              seed=seed, brightway_dir=brightway_dir,
                              content_sha256=version.content_sha256)
    return record(session, user, version, model, result, monte_carlo=monte_carlo, seed=seed)


def footprint(content: dict[str, Any], *, gwp_set: str, monte_carlo: int | None, seed: int,
              brightway_dir: Path, progress: Callable[[int, int], None] | None = None,
              content_sha256: str | None = None) -> tuple[InventoryModel, FootprintResult]:
    """The computation alone, touching no database (a background job holds no transaction
    open while it runs). The stored version's compiled form comes from `model_cache`."""
    release = load_release()
    compiled = compiled_model(content, content_sha256 or sha256_hex(content), release)
    return compiled.model, compute_footprint(
        compiled.model, release, gwp_set=gwp_set, brightway_dir=brightway_dir,
        monte_carlo=monte_carlo, seed=seed, progress=progress, compiled=compiled)


def record(session: DbSession, user: User, version: ModelVersion, model: InventoryModel,
           result: FootprintResult, *, monte_carlo: int | None, seed: int) -> Calculation:
    data = plain(result.to_dict())
    calc = Calculation(
        model_version_id=version.id, gwp_set=result.gwp_set,
        monte_carlo_iterations=monte_carlo, seed=seed, inputs=model.to_canonical(),
        result=data, kg_co2e_per_declared_unit=result.kg_co2e_per_declared_unit,
        factor_release_version=result.factor_release["version"],
        factor_release_sha256=result.factor_release["sha256"], engine=result.engine,
        inputs_sha256=result.inputs_sha256, result_sha256=sha256_hex(data),
        created_by=user.id)
    session.add(calc)
    session.flush()
    _remember_compiled_form(session, version)
    audit.append(session, user, "calculation.created", target_type="calculation",
                 target_id=calc.id, details={"inputs_sha256": calc.inputs_sha256,
                                             "result_sha256": calc.result_sha256,
                                             "kg_co2e": calc.kg_co2e_per_declared_unit})
    return calc


def _remember_compiled_form(session: DbSession, version: ModelVersion) -> None:
    """Store the version's compiled form (cached from the calculation just made), so an
    impact run reads it instead of validating and compiling the version again."""
    from lca_models.errors import LcaModelError
    from lca_models.vectorised import split

    release = load_release()
    try:
        compiled = compiled_model(version.content, version.content_sha256, release)
        structure, values = split(compiled)
    except LcaModelError:  # e.g. user factor sets: an impact run compiles such a model
        return
    compiled_forms.remember(session, {version.content_sha256: (structure, values,
                                                               release.sha256)})


def calculations_of(session: DbSession, version: ModelVersion) -> list[Calculation]:
    """A version's stored calculations, newest first."""
    return list(session.scalars(select(Calculation).where(
        Calculation.model_version_id == version.id).order_by(Calculation.created_at.desc())))


def get_calculation(session: DbSession, user: User, calculation_id: str) -> Calculation:
    calc = session.get(Calculation, calculation_id)
    if calc is None or not _owns(user, calc.model_version.product):
        raise NotFound(N_("no such calculation"))
    return calc


def recompute_matches(calc: Calculation, brightway_dir: Path) -> bool:
    """Recompute a stored calculation and compare it with what was stored, bit for bit, with
    the factor release it used (every shipped release stays loadable)."""
    if calc.factor_release_version not in shipped_versions():
        raise InvalidInput(N_("the calculation used factor release %(version)s, this service "
                              "ships %(shipped)s", version=calc.factor_release_version,
                              shipped=", ".join(shipped_versions())))
    release = load_release(version=calc.factor_release_version)
    if release.sha256 != calc.factor_release_sha256:
        raise InvalidInput(N_(
            'factor release %(version)s now hashes to %(sha256)s, the calculation recorded '
            '%(factor_release_sha256)s',
            version=release.version, sha256=release.sha256,
            factor_release_sha256=calc.factor_release_sha256))
    version = calc.model_version
    compiled = compiled_model(version.content, version.content_sha256, release)
    again = compute_footprint(compiled.model, release, gwp_set=calc.gwp_set,
                              brightway_dir=brightway_dir, compiled=compiled,
                              monte_carlo=calc.monte_carlo_iterations, seed=calc.seed)
    return sha256_hex(plain(again.to_dict())) == calc.result_sha256
