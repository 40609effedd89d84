"""The `carbonlabel` command group is put together in one place (app/cli.py), so every way
of starting it offers the same commands. It used to be assembled by the command modules
importing app/cli.py back, and `python -m app.cli` then built a second copy of the group
that lacked what had registered on the first. Each check runs in a fresh interpreter, where
the import order is the real one."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "pint", "openpyxl", "jsonschema", "numpy", "scipy", "bw2data", "celery",
         "weasyprint")
# a few of each kind, so an empty or truncated listing on both sides cannot pass
EXPECTED = {"calc", "factors", "cbam", "recognition", "init", "db", "demo", "keys", "orgs",
            "users", "tokens", "audit", "pact", "issuer", "pcrs", "publish", "verify",
            "worker", "impact", "serve", "sequencer", "approve"}


def _run(args: list[str]) -> str:
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                                            "CARBONLABEL_DEV": "1"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def _commands(help_text: str) -> list[str]:
    """The names in the "Commands:" section of click's help (one per line, indented)."""
    section = help_text.split("\nCommands:\n", 1)[1]
    return [m[1] for m in re.finditer(r"^  (\S+)", section, re.MULTILINE)]


def _entry_point_code(*args: str) -> list[str]:
    """`python -c` running what pyproject.toml's `carbonlabel` script names, as the
    installed script would (prog name carbonlabel)."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    module, _, attr = scripts["carbonlabel"].partition(":")
    return ["-c", f"import importlib; importlib.import_module({module!r}).{attr}"
                  f"({list(args)!r}, prog_name='carbonlabel')"]


def test_python_dash_m_and_the_entry_point_list_the_same_commands():
    as_module = _commands(_run(["-m", "app.cli", "--help"]))
    as_script = _commands(_run(_entry_point_code("--help")))
    assert as_module == as_script
    assert set(as_module) == EXPECTED
    # commands added to a group from another module (factors diff comes from cli_queue)
    factors_module = _commands(_run(["-m", "app.cli", "factors", "--help"]))
    factors_script = _commands(_run(_entry_point_code("factors", "--help")))
    assert factors_module == factors_script
    assert {"diff", "make-test-release", "import-pact", "list"} <= set(factors_module)


def test_no_command_module_imports_the_assembling_module():
    """The import cycle that made two groups: app/cli_*.py must not import app.cli."""
    offenders = []
    for path in sorted((REPO / "app").glob("cli_*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module] if node.module != "app" else [
                    f"app.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if "app.cli" in names:
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_the_command_line_starts_without_heavy_libraries():
    """Building the group (every command module) imports none of the engine's heavy
    libraries: each command imports them when it runs."""
    out = _run(["-c", f"import sys, app.cli; print([m for m in {HEAVY!r} if m in sys.modules])"])
    assert out.strip() == "[]"
