"""Locating factor releases for diffs and impact runs.

Every shipped release is found by its version (the current one also as "shipped"), so an
old release such as 2026.1 stays reachable from the API, the CLI and the pages. Other
releases live in folders named by their version under FACTOR_RELEASES_DIR (the instance's
`factor-releases/`); the CLI may also name a folder by path. Every release is loaded with
its checksum verified. Only the current shipped release is used for a new calculation that
can become a label (app/services/products.py); the others are read for comparison and
recomputation.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from app.domain import InvalidInput, NotFound
from lca_models.errors import FactorFileError, ReleaseIntegrityError
from lca_models.factors import (
    SHIPPED_RELEASE_DIR,
    FactorRelease,
    load_release,
    shipped_versions,
)
from lca_models.messages import N_

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def locate(name: str, releases_dir: Path, *, allow_path: bool = False) -> tuple[
        FactorRelease, Path | None]:
    """The release and its folder (None: a shipped one), checksum verified."""
    if name == "shipped" or name in shipped_versions():
        try:
            return load_release(version=None if name == "shipped" else name), None
        except ReleaseIntegrityError as exc:  # a damaged installation: say so, start nothing
            raise InvalidInput(N_(
                'shipped factor release %(name)s fails its checksum: %(exc)s',
                name=name, exc=exc),
                               field="release") from None
    folder = None
    if _VERSION.match(name) and (Path(releases_dir) / name / "release.json").is_file():
        folder = Path(releases_dir) / name
    elif allow_path and (Path(name) / "release.json").is_file():
        folder = Path(name)
    if folder is None:
        raise NotFound(f"no factor release '{name}' (known: {', '.join(known(releases_dir))})",
                       field="release")
    return load_folder(folder), folder.resolve()


def load_folder(folder: Path) -> FactorRelease:
    try:
        return load_release(folder)
    except ReleaseIntegrityError as exc:
        raise InvalidInput(N_(
            'factor release in %(name)s fails its checksum: %(exc)s',
            name=folder.name, exc=exc),
                           field="release") from None
    except (FactorFileError, OSError, ValueError, KeyError) as exc:
        raise InvalidInput(N_(
            'factor release in %(name)s cannot be read: %(exc)s',
            name=folder.name, exc=exc),
                           field="release") from None


def known(releases_dir: Path) -> list[str]:
    names = list(shipped_versions())
    if Path(releases_dir).is_dir():
        names += sorted(p.name for p in Path(releases_dir).iterdir()
                        if (p / "release.json").is_file())
    return names


def write_illustrative_release(target: Path, factor_id: str, multiplier: float) -> Path:
    """A TEST release: the shipped one with one factor's gas amounts multiplied, marked
    illustrative in its version, description and the changed row's source, for walk-throughs
    and tests of the impact run. It is never a published figure and never shipped."""
    shipped = load_release()
    shipped.get(factor_id)  # UnknownFactorError for a typo
    version = f"{shipped.version}-TEST-{factor_id}-x{multiplier:g}"[:64]
    folder = Path(target) / version
    root = resources.files("lca_models").joinpath(SHIPPED_RELEASE_DIR)
    with resources.as_file(root) as source:
        shutil.copytree(source, folder, dirs_exist_ok=True)
    meta = json.loads((folder / "release.json").read_text("utf-8"))
    for name in meta["files"]:
        path = folder / name
        rows, header = _read(path)
        if any(r["id"] == factor_id for r in rows):
            for row in rows:
                if row["id"] == factor_id:
                    _scale(row, multiplier)
            _write(path, header, rows)
    meta.update(version=version, illustrative=True, description=(
        f"ILLUSTRATIVE TEST RELEASE, not for labels: {shipped.version} with {factor_id} "
        f"multiplied by {multiplier:g}; not a published figure."))
    meta["sha256"] = load_release(folder, verify=False).sha256
    (folder / "release.json").write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    return folder


def _read(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    reader = csv.DictReader(io.StringIO(path.read_text("utf-8")))
    return list(reader), list(reader.fieldnames or [])


def _write(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), "utf-8")


def _scale(row: dict[str, Any], multiplier: float) -> None:
    for column, value in row.items():
        if column.endswith("_kg") and value not in ("", None):
            row[column] = repr(round(float(value) * multiplier, 12))
    row["source_document"] = (f"ILLUSTRATIVE TEST VALUE: x{multiplier:g} on the shipped "
                              f"figure, not a published factor. {row['source_document']}")
