"""The layers stay apart (docs/architecture.md): HTTP handlers (app/api) and pages (app/web)
parse, call a service and render; every query and every rule of who sees what is in
app/services (or app/persistence); services know nothing of Flask, so the CLI, the workers
and tests call them with a session and plain values.

Read from the source with `ast`, without importing anything: an import inside a function
counts like one at the top, and only imports under `if TYPE_CHECKING:` (annotations) are
left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

#: What an edge module must not import: SQLAlchemy (queries are the services'; an edge has
#: no use for the rest either) and the persistence models (loading rows is a query).
EDGE_FORBIDDEN = ("sqlalchemy", "app.persistence")
#: What a service must not import: Flask and its extensions, and the edges themselves.
SERVICE_FORBIDDEN = ("flask", "flask_babel", "flask_login", "flask_smorest", "flask_limiter",
                     "flask_sqlalchemy", "werkzeug", "app.extensions", "app.auth", "app.api",
                     "app.web", "app.queue", "app.tasks")
#: Documented exceptions, each with its reason; keep it short.
EXCEPTIONS = {
    # `transaction()`: the one unit of work of a request, on Flask-SQLAlchemy's scoped
    # session. The edges open it; the services only receive the session.
    "app/services/__init__.py": {"app.extensions"},
}
#: Attribute calls that build or run a query on a session, wherever the session came from.
QUERY_CALLS = {"query", "scalars", "scalar", "execute"}


def _modules(folder: str) -> list[Path]:
    return sorted((APP / folder).rglob("*.py"))


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"))


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted module) of every import not under `if TYPE_CHECKING:`; for `from a
    import b`, both `a` and `a.b` (so `from app import web` counts as app.web)."""
    found: list[tuple[int, str]] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                for rest in child.orelse:
                    walk(rest)
                continue
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.lineno, child.module))
                found.extend((child.lineno, f"{child.module}.{alias.name}")
                             for alias in child.names)
            walk(child)

    walk(tree)
    return found


def _hits(name: str, forbidden: tuple[str, ...]) -> set[str]:
    return {f for f in forbidden if name == f or name.startswith(f + ".")}


def _violations(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    relative = path.relative_to(APP.parent).as_posix()
    allowed = EXCEPTIONS.get(relative, set())
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{relative}:{line} imports {name}" for line, name in _imports(tree)
            if _hits(name, forbidden) - allowed]


@pytest.mark.parametrize("folder", ["api", "web"])
def test_edges_build_no_queries_and_load_no_rows_themselves(folder):
    problems = [p for path in _modules(folder) for p in _violations(path, EDGE_FORBIDDEN)]
    assert problems == []


@pytest.mark.parametrize("folder", ["api", "web"])
def test_edges_run_no_statements_on_a_session(folder):
    """`db.session.scalars(...)`, `.execute(...)`, `.get(Model, ...)`: the service does it."""
    problems = []
    for path in _modules(folder):
        relative = path.relative_to(APP.parent).as_posix()
        if "sqlalchemy" in EXCEPTIONS.get(relative, set()):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            on_session = (isinstance(owner, ast.Attribute) and owner.attr == "session") or (
                isinstance(owner, ast.Name) and owner.id == "session")
            if on_session and node.func.attr in QUERY_CALLS | {"get"}:
                problems.append(f"{relative}:{node.lineno} session.{node.func.attr}(...)")
    assert problems == []


def test_services_know_nothing_of_flask():
    problems = [p for path in _modules("services")
                for p in _violations(path, SERVICE_FORBIDDEN)]
    assert problems == []


def test_the_walk_sees_what_it_must():
    """The checks above would pass on anything if the walk missed imports: it finds them at
    the top, inside functions and beside TYPE_CHECKING, and skips only the annotations."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from sqlalchemy import select\n"
        "if TYPE_CHECKING:\n"
        "    from app.persistence import Label\n"
        "def f():\n"
        "    import flask\n"
        "    from app import extensions\n")
    names = {name for _, name in _imports(ast.parse(source))}
    assert {"sqlalchemy.select", "flask", "app.extensions"} <= names
    assert not any(n.startswith("app.persistence") for n in names)
    assert _hits("flask_babel", SERVICE_FORBIDDEN) == {"flask_babel"}
    assert _hits("flaskless", SERVICE_FORBIDDEN) == set()


def test_no_module_is_an_exception_without_needing_to_be():
    """An exception that no longer matches anything is removed, not kept "just in case"."""
    stale = []
    for relative, allowed in EXCEPTIONS.items():
        path = APP.parent / relative
        forbidden = SERVICE_FORBIDDEN if relative.startswith("app/services") else EDGE_FORBIDDEN
        names = {name for _, name in _imports(ast.parse(path.read_text(encoding="utf-8")))}
        for prefix in allowed:
            if not any(prefix in _hits(n, forbidden) for n in names):
                stale.append(f"{relative}: {prefix}")
    assert stale == []
