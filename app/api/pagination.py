"""Offset pagination with an envelope: {items, page, page_size, total}."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def paginate(session: Session, query, args: dict[str, Any]) -> dict[str, Any]:
    page, size = args["page"], args["page_size"]
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(query.limit(size).offset((page - 1) * size)).all()
    return {"items": items, "page": page, "page_size": size, "total": total}
