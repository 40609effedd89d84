"""List endpoints page by keyset (app.services.keyset): `?after=<cursor>&page_size=`, an
envelope {items, page_size, next} and a `Link: <...>; rel="next"` header while there is a
next page. No page counts the rows, and page n costs what page 1 does.

The service's list function reads the page (`service.list_x(session, ..., after, size)`);
this module only says it in HTTP, so no handler builds a query."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request

from app.services import keyset

#: A page as the list endpoints return it: body, status, headers (Link)
Page = tuple[dict[str, Any], int, dict[str, str]]


def cursor(args: dict[str, Any]) -> tuple[str | None, int]:
    """`after` and `page_size` of a parsed PageQuerySchema, as the list services take them."""
    return args.get("after"), args["page_size"]


def paginate(found: keyset.Page, args: dict[str, Any]) -> Page:
    size = args["page_size"]
    headers = {}
    if found.next is not None:
        params = {k: v for k, v in request.args.items() if k != "after"}
        url = f"{request.base_url}?{urlencode({**params, 'after': found.next})}"
        headers["Link"] = f'<{url}>; rel="next"'
    return {"items": found.items, "page_size": size, "next": found.next}, 200, headers
