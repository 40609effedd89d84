"""Keyset ("seek") pagination: a page is the rows after the previous page's last row in the
query's own order, found through an index, so page 10,000 costs what page 1 does and no
page counts the rows. The order must be total (end with a unique column, e.g. (created_at,
id)) and all ascending or all descending; the cursor is the last row's sort key, opaque to
clients (base64url of JSON).

Under concurrent inserts a row inserted with a sort key behind the cursor is not shown by
later pages (it was not there when those positions were read) and no row is shown twice or
skipped: a cursor names a position, not an offset.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, tuple_
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import desc_op

from app.domain import InvalidInput
from app.services import DbSession

MAX_CURSOR_CHARS = 512


@dataclass
class Page:
    items: list[Any]
    next: str | None  # cursor of the page after this one; None on the last page


def page(session: DbSession, query: Select, after: str | None, size: int) -> Page:
    """The `size` rows of `query` after cursor `after` (from the start when None). One
    query of `size + 1` rows: the extra row only says whether there is a next page."""
    columns, descending = _order(query)
    if after is not None:
        values = _decode(after, len(columns))
        key = tuple_(*columns)
        bound = tuple_(*(bindparam(None, value, type_=column.type)
                         for column, value in zip(columns, values, strict=True)))
        query = query.where(key < bound if descending else key > bound)
    rows = session.scalars(query.limit(size + 1)).all()
    items = list(rows[:size])
    following = None
    if len(rows) > size:
        last = items[-1]
        following = _encode([getattr(last, column.key) for column in columns])
    return Page(items, following)


def _order(query: Select) -> tuple[list[Any], bool]:
    """The ORDER BY columns and whether they all descend (mixed directions are refused)."""
    columns, directions = [], set()
    for clause in query._order_by_clauses:
        if isinstance(clause, UnaryExpression) and clause.modifier is not None:
            directions.add(clause.modifier is desc_op)
            columns.append(clause.element)
        else:
            directions.add(False)
            columns.append(clause)
    if not columns or len(directions) != 1:
        raise ValueError("keyset pagination needs an ORDER BY of one direction")
    return columns, directions.pop()


def _encode(values: list[Any]) -> str:
    tagged = [["t", v.isoformat()] if isinstance(v, datetime) else ["v", v] for v in values]
    text = json.dumps(tagged, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list[Any]:
    """The sort key a cursor holds, or InvalidInput: a cursor from another list, an edited
    one or a truncated one is refused rather than guessed at."""
    problem = InvalidInput("not a cursor this list gave out; start again without `after`",
                           field="after")
    if len(cursor) > MAX_CURSOR_CHARS:
        raise problem
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tagged = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise problem from None
    if not isinstance(tagged, list) or len(tagged) != count:
        raise problem
    values = []
    for item in tagged:
        if not (isinstance(item, list) and len(item) == 2 and item[0] in ("t", "v")):
            raise problem
        tag, value = item
        if tag == "t":
            try:
                value = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                raise problem from None
            if value.tzinfo is None:
                raise problem
        elif not isinstance(value, str | int) or isinstance(value, bool):
            raise problem
        values.append(value)
    return values
