"""`carbonlabel calc`, `cbam` and `recognition`: the footprint engine and the documents made
from its results, usable without the web service."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.cli_common import friendly_errors, instance_dir


@click.command()
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


@click.group()
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


@click.command()
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

