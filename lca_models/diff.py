"""Differences between two versions of a model or of a result, path by path.

Paths use the model's own field-path notation (`stages[1].processes[0].inputs[2].amount`),
the same one review comments are anchored to, so a certifier can read a diff next to the
comments it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class Change:
    path: str
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        if self.old is _MISSING:
            return "added"
        if self.new is _MISSING:
            return "removed"
        return "changed"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind,
                "old": None if self.old is _MISSING else self.old,
                "new": None if self.new is _MISSING else self.new}


def diff(old: Any, new: Any, path: str = "") -> list[Change]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            out += diff(old.get(key, _MISSING), new.get(key, _MISSING), sub)
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            out += diff(old[i] if i < len(old) else _MISSING,
                        new[i] if i < len(new) else _MISSING, f"{path}[{i}]")
        return out
    if old is _MISSING or new is _MISSING or old != new or type(old) is not type(new):
        if old is _MISSING and new is _MISSING:
            return []
        if isinstance(old, int | float) and isinstance(new, int | float) and old == new:
            return []
        return [Change(path, old, new)]
    return []


def result_delta(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Totals and stage contributions side by side (kg CO2e per declared unit)."""
    stages = sorted(set(old.get("by_stage", {})) | set(new.get("by_stage", {})))
    total_old, total_new = old["kg_co2e_per_declared_unit"], new["kg_co2e_per_declared_unit"]
    return {
        "total": {"old": total_old, "new": total_new, "delta": total_new - total_old,
                  "relative": (total_new - total_old) / total_old if total_old else None},
        "by_stage": {s: {"old": old.get("by_stage", {}).get(s, 0.0),
                         "new": new.get("by_stage", {}).get(s, 0.0)} for s in stages},
        "factor_release": {"old": old.get("factor_release"), "new": new.get("factor_release")},
    }
