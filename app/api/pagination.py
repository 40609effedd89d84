"""List endpoints page by keyset (app.services.keyset): `?after=<cursor>&page_size=`, an
envelope {items, page_size, next} and a `Link: <...>; rel="next"` header while there is a
next page. No page counts the rows, and page n costs what page 1 does."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request
from sqlalchemy import Select

from app.services import DbSession, keyset

#: A page as the list endpoints return it: body, status, headers (Link)
Page = tuple[dict[str, Any], int, dict[str, str]]


def paginate(session: DbSession, query: Select, args: dict[str, Any]) -> Page:
    size = args["page_size"]
    found = keyset.page(session, query, args.get("after"), size)
    headers = {}
    if found.next is not None:
        params = {k: v for k, v in request.args.items() if k != "after"}
        url = f"{request.base_url}?{urlencode({**params, 'after': found.next})}"
        headers["Link"] = f'<{url}>; rel="next"'
    return {"items": found.items, "page_size": size, "next": found.next}, 200, headers
