"""Bounded readers for outside data: JSON, YAML and CSV with limits checked before anything
large is built.

Why: a few kilobytes of YAML aliases expand to gigabytes, JSON nested a thousand deep exhausts
Python's recursion, and duplicate member names let a reader see a different value than a
signer did (RFC 8785 needs I-JSON). Every reader here refuses such input with an
`InputLimitError` (naming the limit, its value and where it was passed) or a `MalformedInput`
(syntax, duplicate names) before the document is materialised.

The limits are an `InputLimits` value. Callers pass one, or the one in force for the current
context (the web service sets it per request from its configuration) is used; the defaults
here are the documented ones (README, "Configuration"; docs/security.md, "Input limits").
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, Event
from yaml.nodes import MappingNode
from yaml.resolver import Resolver

from lca_models.errors import InputLimitError, InputTooLarge, MalformedInput
from lca_models.messages import N_


@dataclass(frozen=True)
class InputLimits:
    """Ceilings for outside data (see README's configuration table for the settings)."""

    max_document_bytes: int = 10 * 1024 * 1024   # one JSON/YAML/CSV document
    max_depth: int = 64                          # nested objects/arrays (JSON), nodes (YAML)
    max_string_chars: int = 100_000              # one string value or key
    max_yaml_nodes: int = 500_000                # YAML nodes, counted with aliases expanded
    max_yaml_aliases: int = 1_000                # alias uses in one YAML document
    max_rows: int = 20_000                       # CSV records, spreadsheet rows per sheet
    max_columns: int = 256                       # CSV fields per record, spreadsheet columns
    max_cell_chars: int = 32_767                 # one CSV field or cell (Excel's own ceiling)
    max_xlsx_cells: int = 1_000_000              # cells written in a workbook, all sheets
    max_xlsx_expanded_bytes: int = 64 * 1024 * 1024  # a workbook's members, uncompressed
    max_xlsx_ratio: int = 100                    # uncompressed/compressed, members over 1 MiB
    max_xlsx_members: int = 1_000                # files inside the workbook's zip


DEFAULT_LIMITS = InputLimits()
_CURRENT: ContextVar[InputLimits] = ContextVar("carbonlabel_input_limits",
                                               default=DEFAULT_LIMITS)


def current_limits() -> InputLimits:
    """The limits in force here (the service's configured ones during a request)."""
    return _CURRENT.get()


def set_limits(limits: InputLimits) -> None:
    """Make `limits` the ones in force for the current context (a request, a CLI run)."""
    _CURRENT.set(limits)


@contextmanager
def using_limits(limits: InputLimits) -> Iterator[InputLimits]:
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def check_size(size: int, limits: InputLimits, what: str = N_("the document")) -> None:
    if size > limits.max_document_bytes:
        raise InputTooLarge("max_document_bytes", limits.max_document_bytes,
                            N_("%(what)s is %(size)s bytes; the limit is %(limit)s",
                               what=what, size=size, limit=limits.max_document_bytes))


# ---- JSON ------------------------------------------------------------------------------------

# A JSON string token or a bracket; everything else between them is skipped by the search.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class _Duplicated(dict[str, Any]):
    """An object that named a member twice; `duplicate` is the first name repeated."""

    duplicate: str = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    seen: set[str] = set()
    marked = _Duplicated(out)
    marked.duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore
    return marked


def _no_constant(name: str) -> Any:
    raise MalformedInput({"_schema": N_("%(name)s is not a JSON number (RFC 8259)", name=name)})


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise MalformedInput({"_schema": N_("number %(number)s is out of range",
                                            number=text[:40])})
    return value


def load_json(text: str | bytes, limits: InputLimits | None = None) -> Any:
    """Parse outside JSON: size, depth and string length capped, duplicate member names and
    non-finite numbers refused (I-JSON, RFC 7493)."""
    limits = limits or current_limits()
    check_size(len(text), limits)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedInput({"_schema": N_("not UTF-8 (byte %(byte)s)",
                                                byte=exc.start)}) from None
    _check_json_depth(text, limits)
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant,
                          parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise MalformedInput({"_schema": N_(
            "malformed JSON at line %(line)s column %(column)s: %(problem)s", line=exc.lineno,
            column=exc.colno, problem=exc.msg)}) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of over 4,300 digits
        raise MalformedInput({"_schema": N_("malformed JSON: %(problem)s",
                                            problem=str(exc))}) from None
    _check_tree(data, limits)
    return data


def _check_json_depth(text: str, limits: InputLimits) -> None:
    """Refuse deep nesting before the recursive parser sees it (a string's brackets are
    skipped; where this and the parser disagree the parser fails earlier anyway)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limits.max_depth:
                line = text.count("\n", 0, match.start()) + 1
                raise InputLimitError("max_depth", limits.max_depth,
                                      N_("nested more than %(limit)s levels deep",
                                         limit=limits.max_depth), N_("line %(line)s", line=line))
        elif char in "]}":
            depth -= 1


def _check_tree(data: Any, limits: InputLimits, key_word: str = "a member name") -> None:
    """Duplicate member names (JSON marks them while parsing) and over-long strings, reported
    with their path (`a.b[2]`); one walk over the constructed document, JSON or YAML."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            _check_string(value, path, limits)
        elif isinstance(value, dict):
            if isinstance(value, _Duplicated):
                raise MalformedInput({path or "_schema": N_(
                    "duplicate member name '%(name)s'", name=value.duplicate[:80])})
            for key, item in value.items():
                if isinstance(key, str):
                    _check_string(key, f"{path} ({key_word})", limits)
                stack.append((item, f"{path}.{key}" if path else str(key)))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(value))


def _check_string(value: str, where: str, limits: InputLimits) -> None:
    if len(value) > limits.max_string_chars:
        raise InputLimitError("max_string_chars", limits.max_string_chars,
                              N_("a string of %(count)s characters; the limit is %(limit)s",
                                 count=len(value), limit=limits.max_string_chars),
                              where.strip() or None)


# ---- YAML ------------------------------------------------------------------------------------


class _BoundedComposer(Composer):
    """Builds the node graph counting nodes with aliases expanded, alias uses and depth, so a
    billion-laughs document or a self-referencing alias stops at the first node over a limit;
    nothing is constructed until the whole graph is known to be within the limits."""

    limits: InputLimits
    if TYPE_CHECKING:  # from the parser (libyaml's or Python's) the loader mixes it with
        def peek_event(self) -> Event | None: ...

    def _bounds_init(self, limits: InputLimits) -> None:
        self.limits = limits
        self._expanded = self._aliases = self._depth = self._deepest = 0
        self._open: set[str] = set()
        self._anchored: dict[str, tuple[int, int]] = {}  # anchor -> (expanded size, height)

    def _where(self, event: Any) -> str:
        mark = getattr(event, "start_mark", None)
        return N_("line %(line)s column %(column)s", line=mark.line + 1,
                  column=mark.column + 1) if mark else "YAML"

    def _count(self, size: int, event: Any) -> None:
        self._expanded += size
        if self._expanded > self.limits.max_yaml_nodes:
            raise InputLimitError("max_yaml_nodes", self.limits.max_yaml_nodes,
                                  N_("more than %(limit)s nodes with aliases expanded",
                                     limit=self.limits.max_yaml_nodes), self._where(event))

    def _reach(self, depth: int, event: Any) -> None:
        self._deepest = max(self._deepest, depth)
        if depth > self.limits.max_depth:
            raise InputLimitError("max_depth", self.limits.max_depth,
                                  N_("nested more than %(limit)s levels deep",
                                     limit=self.limits.max_depth), self._where(event))

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            return self._alias(event)
        anchor = getattr(event, "anchor", None)
        self._depth += 1
        self._reach(self._depth, event)
        self._count(1, event)
        before, outer = self._expanded - 1, self._deepest
        self._deepest = self._depth
        if anchor is not None:
            self._open.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self._open.discard(anchor)
            self._anchored[anchor] = (self._expanded - before, self._deepest - self._depth + 1)
        self._deepest = max(outer, self._deepest)
        self._depth -= 1
        return node

    def _alias(self, event: AliasEvent) -> Any:
        if event.anchor in self._open:
            raise MalformedInput({self._where(event): N_(
                "alias *%(anchor)s refers to a node that contains it (a cycle)",
                anchor=event.anchor)})
        self._aliases += 1
        if self._aliases > self.limits.max_yaml_aliases:
            raise InputLimitError("max_yaml_aliases", self.limits.max_yaml_aliases,
                                  N_("more than %(limit)s aliases",
                                     limit=self.limits.max_yaml_aliases), self._where(event))
        size, height = self._anchored.get(event.anchor or "", (1, 1))  # "": no such anchor
        self._reach(self._depth + height, event)
        self._count(size, event)
        # the base returns the anchored node; PyYAML itself passes index None here
        # (compose_document), which types-PyYAML's `index: int` leaves out
        return super().compose_node(None, None)  # type: ignore[arg-type]


class _StrictConstructor(SafeConstructor):
    """SafeConstructor that refuses a key given twice in one mapping (merged keys `<<` may
    still be overridden, as YAML intends)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    if key in seen:
                        raise ConstructorError("while constructing a mapping", node.start_mark,
                                               f"found duplicate key '{str(key)[:80]}'",
                                               key_node.start_mark)
                    seen.add(key)
                except TypeError:
                    pass  # an unhashable key: SafeConstructor reports it
        return super().construct_mapping(node, deep=deep)


class _Loader(Protocol):
    def get_single_data(self) -> Any: ...
    def dispose(self) -> None: ...


#: True when the C parser reads outside YAML (tests assert it): libyaml's parser, when PyYAML
#: was built with it (issue 21: 5x faster than Python's).
WITH_LIBYAML: bool = yaml.__with_libyaml__
_BoundedLoader: Callable[[str, InputLimits], _Loader]

if WITH_LIBYAML:
    from yaml._yaml import CParser  # the C extension itself (yaml.cyaml re-exports it)

    class _CLoader(_BoundedComposer, CParser, _StrictConstructor, Resolver):
        def __init__(self, stream: str, limits: InputLimits):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            _StrictConstructor.__init__(self)
            Resolver.__init__(self)
            self._bounds_init(limits)

    _BoundedLoader = _CLoader
else:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _PyLoader(Reader, Scanner, Parser, _BoundedComposer, _StrictConstructor, Resolver):
        def __init__(self, stream: str, limits: InputLimits):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _StrictConstructor.__init__(self)
            Resolver.__init__(self)
            self._bounds_init(limits)

    _BoundedLoader = _PyLoader


def load_yaml(text: str | bytes, limits: InputLimits | None = None) -> Any:
    """Parse outside YAML with libyaml (when present) under the limits: node count with
    aliases expanded, alias uses, depth, string length; cycles and duplicate keys refused."""
    limits = limits or current_limits()
    check_size(len(text), limits)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedInput({"_schema": N_("not UTF-8 (byte %(byte)s)",
                                                byte=exc.start)}) from None
    loader = _BoundedLoader(text, limits)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise MalformedInput({"_schema": N_(
            "malformed YAML at line %(line)s column %(column)s: %(problem)s",
            line=mark.line + 1, column=mark.column + 1, problem=problem) if mark else
            N_("malformed YAML: %(problem)s", problem=problem)}) from None
    finally:
        loader.dispose()
    _check_tree(data, limits, key_word="a key")
    return data


def load_document(text: str | bytes, fmt: str, limits: InputLimits | None = None) -> Any:
    """`load_json` for fmt 'json', else `load_yaml`."""
    return load_json(text, limits) if fmt == "json" else load_yaml(text, limits)


# ---- CSV -------------------------------------------------------------------------------------


def csv_records(text: str, limits: InputLimits | None = None
                ) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on, stopping at the first record over the row,
    column or cell limit; a syntax error is a MalformedInput naming the line."""
    limits = limits or current_limits()
    check_size(len(text), limits)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    start, count = 1, 0
    try:
        for cells in reader:
            count += 1
            if count > limits.max_rows:
                raise InputLimitError("max_rows", limits.max_rows,
                                      N_("more than %(limit)s records", limit=limits.max_rows),
                                      N_("line %(line)s", line=start))
            if len(cells) > limits.max_columns:
                raise InputLimitError("max_columns", limits.max_columns,
                                      N_("%(count)s fields; the limit is %(limit)s",
                                         count=len(cells), limit=limits.max_columns),
                                      N_("line %(line)s", line=start))
            for cell in cells:
                if len(cell) > limits.max_cell_chars:
                    raise InputLimitError("max_cell_chars", limits.max_cell_chars,
                                          N_("a field of %(count)s characters; the limit is "
                                             "%(limit)s", count=len(cell),
                                             limit=limits.max_cell_chars),
                                          N_("line %(line)s", line=start))
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise MalformedInput({"file": N_("malformed CSV at line %(line)s: %(problem)s",
                                         line=reader.line_num, problem=str(exc))}) from None


__all__ = ["DEFAULT_LIMITS", "InputLimits", "check_size", "csv_records", "current_limits",
           "load_document", "load_json", "load_yaml", "set_limits", "using_limits"]
