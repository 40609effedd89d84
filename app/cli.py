"""The `carbonlabel` command line: calculations and factor management without the web
service, plus `serve`. Engine errors are printed with their field paths, never a traceback."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import DBAPIError

from app.domain import ServiceError
from lca_models.errors import FactorFileError, LcaModelError, ModelValidationError
from lca_models.safe_load import load_json


def _fail(exc: Exception) -> None:
    if isinstance(exc, ModelValidationError):
        click.echo("error: the model is invalid:", err=True)
        for path, messages in exc.errors.items():
            for message in messages:
                click.echo(f"  {path}: {message}", err=True)
    elif isinstance(exc, FactorFileError):
        click.echo(f"error: {exc.source} was rejected, nothing was imported:", err=True)
        for row, column, message in exc.errors:
            where = ", ".join(x for x in (f"row {row}" if row else "",
                                          f"column '{column}'" if column else "") if x)
            click.echo(f"  {where}: {message}" if where else f"  {message}", err=True)
    elif isinstance(exc, ServiceError) and exc.field:
        click.echo(f"error: {exc} ({exc.field})", err=True)
    elif isinstance(exc, DBAPIError):  # one line: which database, and the driver's reason
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        click.echo(f"error: cannot use the database: {reason}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(2)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Engine, service and database errors print plainly and exit 2; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (LcaModelError, ServiceError, ValueError, OSError, DBAPIError) as exc:
            _fail(exc)

    return wrapper


def instance_dir() -> Path:
    return Path(os.environ.get("CARBONLABEL_INSTANCE", "instance")).resolve()


@click.group()
@click.version_option(package_name="carbonlabel")
def main() -> None:
    """Product carbon footprints and carbon labels for Greater Bay Area exporters."""
    from app.config import input_limits
    from lca_models.safe_load import set_limits

    set_limits(input_limits())  # files read by any command: the configured input limits


@main.command()
@click.argument("model_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--gwp", "gwp_set", type=click.Choice(["AR6", "AR5"]), default="AR6",
              show_default=True, help="IPCC GWP100 set.")
@click.option("--monte-carlo", "iterations", type=click.IntRange(min=2), default=None,
              help="Run N Monte Carlo iterations.")
@click.option("--seed", type=int, default=0, show_default=True, help="Monte Carlo seed.")
@click.option("--factor-set", "factor_sets", multiple=True, metavar="NAME=FILE",
              help="A user factor set (CSV/XLSX) the model names; repeatable.")
@friendly_errors
def calc(model_file: Path, as_json: bool, gwp_set: str, iterations: int | None, seed: int,
         factor_sets: tuple[str, ...]) -> None:
    """Compute the footprint of MODEL_FILE (YAML or JSON)."""
    from app.reports import format_result
    from lca_models.calculation import compute_footprint
    from lca_models.factors import load_release
    from lca_models.inventory_schema import load_model_file

    model = load_model_file(model_file)
    release = load_release()
    user_sets = _load_user_sets(model.factor_sets, factor_sets, release)
    progress = None
    if iterations and not as_json and sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            click.echo(f"\rMonte Carlo {done}/{total}", nl=done == total, err=True)
    result = compute_footprint(model, release, gwp_set=gwp_set, user_sets=user_sets,
                               monte_carlo=iterations, seed=seed, progress=progress)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_result(result))


def _load_user_sets(names: tuple[str, ...], given: tuple[str, ...], release) -> dict:
    from lca_models.factors import import_factor_set

    paths: dict[str, Path] = {}
    for item in given:
        name, sep, path = item.partition("=")
        if not sep:
            raise ValueError(f"--factor-set needs NAME=FILE, not '{item}'")
        paths[name] = Path(path)
    for name in names:
        stored = instance_dir() / "factor_sets" / f"{name}.csv"
        if name not in paths and stored.exists():
            paths[name] = stored
    return {name: import_factor_set(path, name, release) for name, path in paths.items()}


@main.group()
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


@main.group()
def cbam() -> None:
    """EU CBAM communication for importers (specific embedded emissions per good)."""


@cbam.command("report")
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "json", "pdf"]), default="xlsx",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True)
@friendly_errors
def cbam_report(input_file: Path, fmt: str, output: Path) -> None:
    """Compute an installation's report from INPUT_FILE (YAML/JSON/XLSX) and write it."""
    from lca_models.cbam import compute_report, load_report_input
    from lca_models.cbam_report import to_json, to_xlsx

    report = compute_report(load_report_input(input_file))
    if fmt == "xlsx":
        to_xlsx(report, output)
    elif fmt == "pdf":
        from app.services.cbam_pdf import cbam_report_pdf

        output.write_bytes(cbam_report_pdf(report))
    else:
        output.write_text(json.dumps(to_json(report), indent=2, ensure_ascii=False), "utf-8")
    click.echo(f"wrote {output}")


@cbam.command("template")
@click.argument("input_file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True)
@friendly_errors
def cbam_template(input_file: Path | None, output: Path) -> None:
    """Write the XLSX input workbook: blank, or filled from INPUT_FILE (YAML/JSON/XLSX).

    The input is copied as it is, not validated, so a draft can be finished in the workbook;
    `cbam report` validates it.
    """
    from lca_models.cbam_xlsx import read_input_xlsx, write_input_xlsx
    from lca_models.inventory_schema import parse_model_text

    data = None
    if input_file is not None:
        suffix = input_file.suffix.lower()
        if suffix == ".xlsx":
            data = read_input_xlsx(input_file)
        else:
            data = parse_model_text(input_file.read_text("utf-8"),
                                    "json" if suffix == ".json" else "yaml")
    write_input_xlsx(data, output)
    click.echo(f"wrote {output}")


@main.command()
@click.argument("label_or_file")
@click.option("--scheme", default=None, help="One scheme id (default: every scheme).")
@friendly_errors
def recognition(label_or_file: str, scheme: str | None) -> None:
    """Is a label acceptable under other schemes? LABEL_OR_FILE: a credential JSON file or a
    label ID of this service's database."""
    from app.services.recognition import evaluate_credential

    path = Path(label_or_file)
    if path.exists():
        from app.trust import strict_json

        credential = strict_json.loads(path.read_text("utf-8"))
    else:
        from app import create_app
        from app.extensions import db
        from app.services import labels

        with create_app().app_context():
            credential = labels.get_label(db.session, label_or_file).credential
    for result in evaluate_credential(credential, scheme):
        click.echo(f"{result.scheme_id:<24} {result.outcome}"
                   + ("  (illustrative rules)" if result.illustrative else ""))
        for reason in result.reasons:
            click.echo(f"    {reason.severity:<9} {reason.code} {reason.field}: expected "
                       f"{reason.expected}, found {reason.found}")
        for fix in result.adjustments:
            click.echo(f"    suggestion: {fix}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=int, show_default=True)
def serve(host: str, port: int) -> None:
    """Run the development server (production: gunicorn, see README)."""
    from app import create_app

    create_app().run(host=host, port=port)


def _register_service_commands() -> None:
    import app.cli_issuer
    import app.cli_pcrs
    import app.cli_publish
    import app.cli_queue
    import app.cli_service
    import app.cli_verify  # noqa: F401
    # cli_service adds init, db, demo, orgs, users, tokens, audit; cli_issuer `issuer show`
    # and `issuer move`; cli_verify `verify`; cli_pcrs `pcrs list` and `pcrs validate`;
    # cli_queue `worker`, `factors diff` and `impact`; cli_publish `publish`


_register_service_commands()

if __name__ == "__main__":
    # Run as `python -m app.cli`, this file is `__main__`, and app.cli_service registered its
    # commands (keys, db, demo, ...) on the group of the module `app.cli`: run that one.
    from app.cli import main as registered_main

    registered_main()
