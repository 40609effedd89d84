"""`carbonlabel pcrs`: the product-category rules shipped (or in a directory), and a check of
one PCR file before it is added, naming the field that fails its schema."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli_common import friendly_errors


@click.group()
def pcrs() -> None:
    """List product-category rules and validate PCR files."""


@pcrs.command("list")
@click.option("--dir", "directory", type=click.Path(exists=True, file_okay=False,
                                                    path_type=Path),
              help="A PCR directory (default: the shipped registry).")
@friendly_errors
def pcrs_list(directory: Path | None) -> None:
    """Each PCR: id, version, declared unit, rules checked and whether it has a benchmark."""
    from lca_models.pcr import load_pcrs

    for pcr in load_pcrs(directory).values():
        unit = pcr.rules["declared_unit"]  # every PCR has one (its schema requires it)
        bench = pcr.benchmark
        graded = ("no benchmark" if bench is None else "benchmark illustrative"
                  if bench.get("illustrative") else f"benchmark {bench['value']:g} {bench['unit']}")
        click.echo(f"{pcr.id} {pcr.version}  per {unit['amount']:g} {unit['unit']}  "
                   f"rules: {', '.join(sorted(pcr.rules))}  {graded}")


@pcrs.command("validate")
@click.argument("pcr_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly_errors
def pcrs_validate(pcr_file: Path) -> None:
    """Check one PCR file against the schema (and that its id is its file name)."""
    import shutil
    import tempfile

    from lca_models.pcr import load_pcrs

    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(pcr_file, Path(folder) / pcr_file.name)
        (pcr,) = load_pcrs(folder).values()
    guessed = sum(1 for rule in pcr.rules.values() if rule.get("illustrative"))
    click.echo(f"{pcr_file.name}: {pcr.id} {pcr.version} is valid ({len(pcr.rules)} rules, "
               f"{guessed} illustrative)")
