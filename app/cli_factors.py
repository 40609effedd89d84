"""`carbonlabel factors`: browse, export, validate and import emission factors, and turn
suppliers' PACT footprints into user factor sets (also used by `pact pull`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from app.cli_common import friendly_errors, instance_dir
from lca_models.safe_load import load_json


@click.group()
def factors() -> None:
    """Browse, export, validate and import emission factors."""


@factors.command("releases")
@friendly_errors
def factors_releases() -> None:
    """List the shipped releases (each loadable, checked against its recorded hash)."""
    from lca_models.factors import CURRENT_RELEASE, load_release, shipped_versions

    for version in shipped_versions():
        release = load_release(version=version)
        mark = "current" if version == CURRENT_RELEASE else "kept for recomputation"
        click.echo(f"{version:<8} {len(release):>4} rows  sha256 {release.sha256}  {mark}")


@factors.command("list")
@click.option("--category", default=None, help="electricity, fuel, transport, material, ...")
@click.option("--geography", default=None, help="ISO 3166 code, e.g. CN-GD or HK.")
@click.option("--release", "version", default=None, help="A shipped release (default: current).")
@friendly_errors
def factors_list(category: str | None, geography: str | None, version: str | None) -> None:
    """List the factors of a shipped release."""
    from lca_models.factors import load_release

    release = load_release(version=version)
    click.echo(f"release {release.version}  sha256 {release.sha256}")
    for f in sorted(release.factors.values(), key=lambda f: f.id):
        if category and f.category != category:
            continue
        if geography and geography not in f.geography.split(";"):
            continue
        click.echo(f"{f.id:<70} {f.unit:<5} {f.geography[:18]:<18} {f.reference_year}")


@factors.command("show")
@click.argument("factor_id")
@friendly_errors
def factors_show(factor_id: str) -> None:
    """Show every column of one factor, with its source."""
    from lca_models.factors import load_release

    release = load_release()
    release.get(factor_id)
    row = next(r for r in release.rows if r["id"] == factor_id)
    for key, value in row.items():
        if value not in (None, ""):
            click.echo(f"{key:>24}: {value}")


@factors.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (.csv or .xlsx) instead of standard output.")
@friendly_errors
def factors_export(output: Path | None) -> None:
    """Export the shipped release as one table."""
    from lca_models.factors import export_rows, load_release
    from lca_models.inert import inert_value

    release = load_release()
    if output and output.suffix.lower() == ".xlsx":  # text cells inert, as in every export
        release.table.map(inert_value).to_excel(output, index=False,
                                                sheet_name=f"release {release.version}")
    elif output:
        output.write_text(export_rows(release), "utf-8")
    else:
        click.echo(export_rows(release), nl=False)


@factors.command("validate")
@click.argument("factor_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly_errors
def factors_validate(factor_file: Path) -> None:
    """Check a user factor file (CSV/XLSX) without importing it."""
    from lca_models.factors import import_factor_set, load_release

    table = import_factor_set(factor_file, factor_file.stem, load_release())
    click.echo(f"{factor_file.name}: {len(table)} factors valid, sha256 {table.sha256}")


@factors.command("import")
@click.argument("factor_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Name models use in `factor_sets`.")
@friendly_errors
def factors_import(factor_file: Path, name: str) -> None:
    """Validate FACTOR_FILE and store it as user factor set NAME in the instance folder."""
    from lca_models.factors import export_rows, import_factor_set, load_release

    table = import_factor_set(factor_file, name, load_release())
    target = instance_dir() / "factor_sets" / f"{name}.csv"
    if target.exists():
        raise ValueError(f"factor set '{name}' exists already ({target}); choose a new name "
                         "so results that used it stay reproducible")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(export_rows(table), "utf-8")
    tmp.replace(target)
    click.echo(f"imported {len(table)} factors as '{name}' (sha256 {table.sha256}) "
               f"into {target}")


@factors.command("import-pact")
@click.argument("footprint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Name of the user factor set to create.")
@friendly_errors
def factors_import_pact(footprint_file: Path, name: str) -> None:
    """Turn a supplier's PACT ProductFootprint(s) (JSON: one footprint, {"data": ...} or a
    list) into a user factor set, provenance in each row's notes."""
    data = load_json(footprint_file.read_bytes())  # a supplier's file: bounded, I-JSON
    data = data.get("data", data) if isinstance(data, dict) else data
    footprints = data if isinstance(data, list) else [data]
    store_supplier_footprints(footprints, name, footprint_file.name)


def store_supplier_footprints(footprints: list[dict[str, Any]], name: str, source: str,
                              source_url: Callable[[dict[str, Any]], str] | None = None
                              ) -> None:
    """Footprints -> user factor set NAME in the instance folder (one row each, see
    lca_models.pact.footprint_to_factor_row); all or nothing. Shared by `factors import-pact`
    and `pact pull`, which passes each footprint's URL at the partner's host."""
    from lca_models.errors import FactorFileError
    from lca_models.factors import export_rows, load_release, table_from_rows
    from lca_models.pact import PactMappingError, footprint_to_factor_row

    target = instance_dir() / "factor_sets" / f"{name}.csv"
    if target.exists():
        raise ValueError(f"factor set '{name}' exists already ({target}); choose a new name")
    if not footprints:
        raise ValueError(f"{source}: no footprints to import")
    try:
        rows = [footprint_to_factor_row(pf, source_url=source_url(pf) if source_url else None)
                for pf in footprints]
    except PactMappingError as exc:
        raise ValueError(f"{source}: {exc}") from None
    release = load_release()
    clashes = [(i + 2, "id", "shadows a shipped factor") for i, r in enumerate(rows)
               if r["id"] in release]
    if clashes:
        raise FactorFileError(source, clashes)
    table = table_from_rows(name, rows, release=False, source=source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(export_rows(table), "utf-8")
    for row in table.rows:
        click.echo(f"  {row['id']}  {row['co2e_kg']} kg CO2e / {row['unit']}")
    click.echo(f"imported {len(table)} supplier footprint(s) as '{name}' into {target}")


@factors.command("hash")
@click.argument("release_dir", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@friendly_errors
def factors_hash(release_dir: Path | None) -> None:
    """Print the content hash of a release folder (to record in its release.json)."""
    from lca_models.factors import load_release

    release = load_release(release_dir, verify=False)
    click.echo(f"{release.version} {release.sha256}")

