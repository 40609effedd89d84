"""The emission-factor database: the shipped, versioned release and user factor sets.

A release is a folder of CSV files plus `release.json` (version and the SHA-256 of the
canonical content). Loading recomputes the hash and refuses a release whose content no longer
matches its version, so a number cannot change without a new version: every calculation can
then be reproduced from the version and hash it records.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lca_models.canonical import sha256_hex
from lca_models.errors import (
    FactorFileError,
    ReleaseIntegrityError,
    UnknownFactorError,
    UnknownReleaseError,
)
from lca_models.factor_rows import COLUMNS, Factor, canonical_row, validate_rows
from lca_models.inert import inert_text, restore_text
from lca_models.messages import N_
from lca_models.safe_xlsx import open_workbook

if TYPE_CHECKING:
    import pandas as pd

#: Every shipped release, by version, and its folder. A release never changes once shipped
#: (its hash is in each result computed with it), so a correction is a new release beside
#: it, and a stored calculation is recomputed with the release it names.
SHIPPED_RELEASES = {"2026.1": "data/factors", "2026.2": "data/factors-2026.2"}
CURRENT_RELEASE = "2026.2"
SHIPPED_RELEASE_DIR = SHIPPED_RELEASES[CURRENT_RELEASE]


@dataclass(frozen=True)
class FactorTable:
    """Validated factor rows with their canonical hash; shared by releases and user sets."""

    name: str
    sha256: str
    rows: tuple[MappingProxyType[str, Any], ...] = field(repr=False)
    factors: MappingProxyType[str, Factor] = field(repr=False)  # id -> Factor

    @cached_property
    def _frame(self) -> pd.DataFrame:
        import pandas as pd  # only tables and spreadsheets need it; the web app starts without

        frame = pd.DataFrame([dict(r) for r in self.rows]).set_index("id", drop=False)
        return frame[[c for c in frame.columns]]

    @property
    def table(self) -> pd.DataFrame:
        """A copy-on-write view: changing it never changes the release."""
        return self._frame.copy(deep=False)

    def get(self, factor_id: str) -> Factor:
        try:
            return self.factors[factor_id]
        except KeyError:
            raise UnknownFactorError(N_("factor '%(id)s' is not in %(table)s", id=factor_id,
                                        table=self.name)) from None

    def __contains__(self, factor_id: object) -> bool:
        return factor_id in self.factors

    def __len__(self) -> int:
        return len(self.factors)


@dataclass(frozen=True)
class FactorRelease(FactorTable):
    version: str = ""
    description: str = ""


def table_from_rows(name: str, rows: Sequence[Mapping[str, Any]], *, release: bool,
                    source: str, first_row_number: int = 2) -> FactorTable:
    factors, errors = validate_rows(rows, release=release, factor_set=name,
                                    first_row_number=first_row_number)
    if errors:
        raise FactorFileError(source, errors)
    canon = tuple(MappingProxyType(canonical_row(r)) for r in
                  sorted(rows, key=lambda r: str(r.get("id"))))
    return FactorTable(
        name=name,
        sha256=sha256_hex([dict(r) for r in canon]),
        rows=canon,
        factors=MappingProxyType({f.id: f for f in factors}),
    )


def read_csv_rows(text: str, source: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise FactorFileError(source, [(1, None, N_("the file is empty or has no header row"))])
    _check_header(reader.fieldnames, source)
    rows = []
    for row in reader:
        if None in row:
            raise FactorFileError(source, [(reader.line_num, None,
                                            N_("more cells than header columns"))])
        rows.append({k: restore_text(v) if isinstance(v, str) else v for k, v in row.items()})
    return rows


def read_xlsx_rows(path: Path, source: str) -> list[dict[str, Any]]:
    """The first sheet's rows by header, read within the input limits (`safe_xlsx`): a
    factor file may come from anyone, and a workbook can be a bomb."""
    with open_workbook(str(path)) as book:
        rows = book.rows(book.sheetnames[0])
        first = next(rows, None)
        header = [str(v).strip() if v is not None else "" for v in (first[1] if first else ())]
        _check_header([h for h in header if h], source)
        out = []
        for _, values in rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            out.append({h: restore_text(v) if isinstance(v, str) else v
                        for h, v in zip(header, values, strict=False) if h})
        return out


def _check_header(fieldnames: Iterable[str], source: str) -> None:
    names = [f.strip() for f in fieldnames]
    missing = [c for c in ("id", "name", "category", "unit", "geography", "reference_year",
                           "source_publisher") if c not in names]
    dupes = sorted({n for n in names if names.count(n) > 1})
    errors = [(1, c, N_("required column is missing")) for c in missing]
    errors += [(1, c, N_("column appears more than once")) for c in dupes]
    if errors:
        raise FactorFileError(source, errors)


def load_release(directory: Path | None = None, *, verify: bool = True,
                 version: str | None = None) -> FactorRelease:
    """Load a release folder, or a shipped release by version (default: the current one)."""
    if directory is None:
        return _shipped_release(version or CURRENT_RELEASE, verify)
    return _load_release_dir(Path(directory), verify)


def shipped_versions() -> tuple[str, ...]:
    return tuple(SHIPPED_RELEASES)


@lru_cache(maxsize=8)
def _shipped_release(version: str, verify: bool) -> FactorRelease:
    folder = SHIPPED_RELEASES.get(version)
    if folder is None:
        raise UnknownReleaseError(f"no shipped factor release {version}; shipped: "
                                 f"{', '.join(SHIPPED_RELEASES)}")
    root = resources.files("lca_models").joinpath(folder)
    with resources.as_file(root) as path:
        release = _load_release_dir(Path(path), verify)
    if release.version != version:
        raise ReleaseIntegrityError(f"the folder of release {version} holds {release.version}")
    return release


def _load_release_dir(directory: Path, verify: bool) -> FactorRelease:
    meta = json.loads((directory / "release.json").read_text("utf-8"))
    rows: list[dict[str, Any]] = []
    errors: list[tuple[int | None, str | None, str]] = []
    for name in meta["files"]:
        text = (directory / name).read_text("utf-8")
        file_rows = read_csv_rows(text, name)
        try:
            table_from_rows(meta["version"], file_rows, release=True, source=name)
        except FactorFileError as exc:
            errors.extend((r, c, f"{name}: {m}") for r, c, m in exc.errors)
        rows.extend(file_rows)
    if errors:
        raise FactorFileError(str(directory), errors)
    try:
        table = table_from_rows(meta["version"], rows, release=True, source=str(directory))
    except FactorFileError as exc:  # duplicates across files
        raise FactorFileError(str(directory), exc.errors) from None
    if verify and table.sha256 != meta.get("sha256"):
        raise ReleaseIntegrityError(
            f"factor release {meta['version']} content hash is {table.sha256} but "
            f"release.json records {meta.get('sha256')}: a changed factor needs a new version "
            "(run `carbonlabel factors hash` and update release.json)")
    return FactorRelease(name=table.name, sha256=table.sha256, rows=table.rows,
                         factors=table.factors, version=meta["version"],
                         description=meta.get("description", ""))


def import_factor_set(path: Path, name: str, release: FactorRelease) -> FactorTable:
    """Validate a user factor file (CSV or XLSX); any bad row rejects the whole file."""
    path = Path(path)
    source = path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = read_csv_rows(path.read_text("utf-8-sig"), source)
    elif suffix in (".xlsx", ".xlsm"):
        rows = read_xlsx_rows(path, source)
    else:
        raise FactorFileError(source, [(None, None, N_("factor files must be .csv or .xlsx"))])
    clashes = [(i + 2, "id", N_("'%(id)s' is a factor of the shipped release %(release)s; user "
                                "factors may not shadow it, choose another id", id=r.get("id"),
                                release=release.version)) for i, r in enumerate(rows)
               if str(r.get("id") or "").strip() in release]
    try:
        table = table_from_rows(name, rows, release=False, source=source)
    except FactorFileError as exc:
        raise FactorFileError(source, sorted([*exc.errors, *clashes],
                                             key=lambda e: (e[0] or 0, e[1] or ""))) from None
    if clashes:
        raise FactorFileError(source, clashes)
    return table


def export_rows(table: FactorTable) -> str:
    """CSV text of a table in the shipped column order (round-trips through import)."""
    buffer = io.StringIO()
    extra = sorted({k for r in table.rows for k in r} - set(COLUMNS))
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *extra], lineterminator="\n")
    writer.writeheader()
    for row in table.rows:
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):  # an id or source from a user's file: never a live formula
        return inert_text(value)
    return value


def resolve(factor_id: str, release: FactorRelease,
            user_sets: Mapping[str, FactorTable] | None = None) -> Factor:
    """Find a factor in the release or in exactly one of the user sets the model names."""
    if factor_id in release:
        return release.factors[factor_id]
    hits = [t for t in (user_sets or {}).values() if factor_id in t]
    if len(hits) > 1:
        raise UnknownFactorError(N_(
            "factor '%(id)s' is in several user factor sets (%(sets)s); rename one",
            id=factor_id, sets=", ".join(t.name for t in hits)))
    if hits:
        return hits[0].factors[factor_id]
    hint = _did_you_mean(factor_id, release, user_sets)
    if user_sets:
        raise UnknownFactorError(N_(
            "'%(id)s' is not a factor of release %(release)s or of user sets %(sets)s%(hint)s",
            id=factor_id, release=release.version, sets=", ".join(user_sets), hint=hint))
    raise UnknownFactorError(N_("'%(id)s' is not a factor of release %(release)s%(hint)s",
                                id=factor_id, release=release.version, hint=hint))


def _did_you_mean(factor_id: str, release: FactorRelease,
                  user_sets: Mapping[str, FactorTable] | None) -> str:
    """The closest factor ids, by id or by name, so a typo gets its fix in the message."""
    tables = [release, *(user_sets or {}).values()]
    ids = [fid for t in tables for fid in t.factors]
    by_name = {t.factors[fid].name.lower(): fid for t in tables for fid in t.factors}
    found = difflib.get_close_matches(factor_id, ids, n=3, cutoff=0.6)
    for name in difflib.get_close_matches(factor_id.lower(), list(by_name), n=3, cutoff=0.6):
        if by_name[name] not in found:
            found.append(by_name[name])
    names = [repr(f) for f in found[:3]]
    if not names:
        return ""
    if len(names) == 1:
        return N_("; did you mean %(a)s?", a=names[0])
    if len(names) == 2:
        return N_("; did you mean %(a)s or %(b)s?", a=names[0], b=names[1])
    return N_("; did you mean %(a)s, %(b)s or %(c)s?", a=names[0], b=names[1], c=names[2])
