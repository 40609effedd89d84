"""Parameters and formulas in inventory models, evaluated without `eval`.

Formulas are plain arithmetic over the model's parameters (simpleeval walks the syntax tree
and allows only the names and functions listed here), so a model file can never run code.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from graphlib import CycleError, TopologicalSorter

from simpleeval import EvalWithCompoundTypes, InvalidExpression, NameNotDefined

from lca_models.messages import N_, message_of

FUNCTIONS = {
    "min": min, "max": max, "abs": abs, "round": round,
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "log10": math.log10,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
#: Names a parameter may not take: in a formula they would mean either the language's own
#: function or constant, or the parameter, depending on how the formula is read.
RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS)


class FormulaProblem(ValueError):
    """A formula is malformed, names an unknown parameter, or does not give a number."""


def names_in(formula: str) -> set[str]:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise FormulaProblem(N_("'%(formula)s' is not a valid formula (%(detail)s)",
                                formula=formula, detail=exc.msg)) from None
    called = {n.func.id for n in ast.walk(tree)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called - set(CONSTANTS)


def evaluate(formula: str, values: Mapping[str, float]) -> float:
    unknown = sorted(names_in(formula) - set(values))
    if unknown:
        raise FormulaProblem(N_("'%(formula)s' names unknown parameter(s): %(names)s",
                                formula=formula, names=", ".join(unknown)))
    evaluator = EvalWithCompoundTypes(functions=FUNCTIONS, names={**CONSTANTS, **values})
    try:
        result = evaluator.eval(formula)
    except NameNotDefined as exc:
        raise FormulaProblem(N_("'%(formula)s' names unknown parameter '%(name)s'",
                                formula=formula, name=exc.name)) from None
    except (InvalidExpression, ZeroDivisionError, ValueError, TypeError, OverflowError) as exc:
        raise FormulaProblem(N_("'%(formula)s' cannot be evaluated: %(detail)s",
                                formula=formula, detail=str(exc))) from None
    if isinstance(result, bool) or not isinstance(result, int | float) or not math.isfinite(
            result):
        raise FormulaProblem(N_("'%(formula)s' does not evaluate to a finite number",
                                formula=formula))
    return float(result)


def resolve_parameters(parameters: Mapping[str, float | str]) -> tuple[dict[str, float],
                                                                        dict[str, str]]:
    """Evaluate parameters in dependency order.

    Returns (values, errors by parameter name); a parameter that depends on a broken one is
    reported too, so the user sees every consequence of one mistake at once.
    """
    deps: dict[str, set[str]] = {}
    errors: dict[str, str] = {}
    for name, value in parameters.items():
        if name in RESERVED:
            errors[name] = (N_("'%(name)s' is a constant of the formula language and cannot "
                               "name a parameter; choose another name", name=name)
                            if name in CONSTANTS else
                            N_("'%(name)s' is a function of the formula language and cannot "
                               "name a parameter; choose another name", name=name))
            deps[name] = set()
        elif isinstance(value, str):
            try:
                deps[name] = names_in(value)
            except FormulaProblem as exc:
                errors[name] = message_of(exc)
        else:
            deps[name] = set()
    try:
        order = list(TopologicalSorter({n: d & set(parameters) for n, d in deps.items()})
                     .static_order())
    except CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        return {}, {name: N_("circular formula: %(cycle)s", cycle=cycle)
                    for name in exc.args[1][:1]}
    values: dict[str, float] = {}
    for name in order:
        if name not in parameters or name in errors:
            continue
        value = parameters[name]
        if not isinstance(value, str):
            values[name] = float(value)
            continue
        try:
            values[name] = evaluate(value, values)
        except FormulaProblem as exc:
            broken = sorted(deps[name] & set(errors))
            errors[name] = (N_("depends on invalid parameter(s) %(names)s",
                               names=", ".join(broken)) if broken else message_of(exc))
    return values, errors
