"""What changed between two factor releases: rows added, removed and changed, with the
relative change of each gas amount and whether the cited source changed.

A certifier reads this before an impact run to know which numbers moved; the impact run
(app/services/impact.py) then says which labels they move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lca_models.factors import FactorRelease

SOURCE_FIELDS = ("source_publisher", "source_document", "source_table", "source_url")


@dataclass(frozen=True)
class GasChange:
    old: float | None
    new: float | None

    @property
    def relative_change(self) -> float | None:
        """(new - old) / |old|; None when the gas appears, disappears or was zero."""
        if self.old is None or self.new is None or self.old == 0:
            return None
        return (self.new - self.old) / abs(self.old)


@dataclass(frozen=True)
class FactorChange:
    id: str
    name: str
    gases: dict[str, GasChange] = field(default_factory=dict)
    source_changed: bool = False
    other_fields: tuple[str, ...] = ()  # unit, geography, year... that changed

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "source_changed": self.source_changed,
                "other_fields": list(self.other_fields),
                "changes": {gas: {"old": c.old, "new": c.new,
                                  "relative_change": c.relative_change}
                            for gas, c in self.gases.items()}}


@dataclass(frozen=True)
class ReleaseDiff:
    old: dict[str, str]
    new: dict[str, str]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[FactorChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "added": list(self.added),
                "removed": list(self.removed), "changed": [c.to_dict() for c in self.changed]}


def diff_releases(old: FactorRelease, new: FactorRelease) -> ReleaseDiff:
    old_rows = {r["id"]: r for r in old.rows}
    new_rows = {r["id"]: r for r in new.rows}
    changed = []
    for factor_id in sorted(old_rows.keys() & new_rows.keys()):
        change = _compare(old, new, old_rows[factor_id], new_rows[factor_id])
        if change is not None:
            changed.append(change)
    return ReleaseDiff(
        old={"version": old.version, "sha256": old.sha256},
        new={"version": new.version, "sha256": new.sha256},
        added=tuple(sorted(new_rows.keys() - old_rows.keys())),
        removed=tuple(sorted(old_rows.keys() - new_rows.keys())),
        changed=tuple(changed))


def _compare(old: FactorRelease, new: FactorRelease, old_row: Mapping[str, Any],
             new_row: Mapping[str, Any]) -> FactorChange | None:
    factor_id = old_row["id"]
    before, after = dict(old.get(factor_id).gases), dict(new.get(factor_id).gases)
    gases = {gas: GasChange(before.get(gas), after.get(gas))
             for gas in sorted(before.keys() | after.keys())
             if before.get(gas) != after.get(gas)}
    source_changed = any(old_row.get(f) != new_row.get(f) for f in SOURCE_FIELDS)
    ignored = {*SOURCE_FIELDS, "id", "name", "notes", "licence"}
    other = tuple(sorted(k for k in old_row.keys() | new_row.keys()
                         if k not in ignored and not k.endswith("_kg")
                         and old_row.get(k) != new_row.get(k)))
    if not gases and not source_changed and not other:
        return None
    return FactorChange(id=factor_id, name=str(new_row.get("name")), gases=gases,
                        source_changed=source_changed, other_fields=other)
