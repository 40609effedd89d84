"""Stored compiled forms of model contents (app/persistence/products.py: CompiledForm and
ModelStructure), so an impact run validates and compiles a model version once, ever, and
not once per run: the values are read as float64 bytes and the structure, shared by every
product variant of a model, is parsed once per worker process."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from app.persistence import CompiledForm, ModelStructure
from app.services import DbSession

if TYPE_CHECKING:
    import numpy as np

    from lca_models.vectorised import Structure

#: Structures kept per worker process (one per model template: a few hundred bytes each).
MAX_STRUCTURES = 4096
_STRUCTURES: OrderedDict[str, Structure] = OrderedDict()
_LOCK = threading.Lock()


def structures(session: DbSession, shas: Iterable[str]) -> dict[str, Structure]:
    """The structures named, from this process's memo or in one query."""
    from lca_models.vectorised import Structure

    wanted = set(shas)
    with _LOCK:
        found = {s: _STRUCTURES[s] for s in wanted if s in _STRUCTURES}
    missing = wanted - set(found)
    if missing:
        rows = session.execute(select(ModelStructure.sha256, ModelStructure.spec)
                               .where(ModelStructure.sha256.in_(missing))).all()
        for sha, spec in rows:
            structure = Structure.from_json(spec)
            if structure.sha256 != sha:  # a damaged row is not used; the caller compiles
                continue
            found[sha] = structure
        with _LOCK:
            for sha in missing & set(found):
                _STRUCTURES[sha] = found[sha]
            while len(_STRUCTURES) > MAX_STRUCTURES:
                _STRUCTURES.popitem(last=False)
    return found


def remember(session: DbSession,
             forms: Mapping[str, tuple[Structure, np.ndarray, str]]) -> None:
    """Store content hash -> (structure, values, release sha256) in two bulk inserts,
    leaving rows another writer stored first (the caller commits)."""
    if not forms:
        return
    by_sha = {s.sha256: s for s, _, _ in forms.values()}
    _insert_missing(session, ModelStructure, ModelStructure.sha256,
                    [{"sha256": sha, "spec": s.to_json()} for sha, s in by_sha.items()])
    _insert_missing(session, CompiledForm, CompiledForm.content_sha256, [
        {"content_sha256": content, "structure_sha256": s.sha256, "release_sha256": release,
         "values": values.astype("<f8").tobytes()}
        for content, (s, values, release) in forms.items()])


def _insert_missing(session: DbSession, model: Any, key: Any, rows: list[dict]) -> None:
    if not rows:
        return
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        session.execute(postgresql.insert(model).on_conflict_do_nothing(), rows)
        return
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        session.execute(sqlite.insert(model).on_conflict_do_nothing(), rows)
        return
    present = set(session.scalars(select(key).where(key.in_([r[key.key] for r in rows]))))
    fresh = [r for r in rows if r[key.key] not in present]
    if fresh:
        session.execute(insert(model), fresh)


def values_of(data: bytes) -> np.ndarray:
    import numpy as np

    return np.frombuffer(data, dtype="<f8").astype(np.float64)


def clear() -> None:
    with _LOCK:
        _STRUCTURES.clear()
