"""A certification body's electronic seal: uploaded once by the body (or an admin), printed
on each certificate it issues.

The image is untrusted input that WeasyPrint will draw, so it is checked here and nowhere
else: PNG by its signature and header (at most 2000 x 2000 pixels), SVG parsed without any
DOCTYPE or entity, with no script, no foreign object, no event handler and no reference
outside the file; at most 256 KiB either way. The renderer also fetches nothing but data:
URLs and the templates folder (documents._fetch), so a seal cannot reach the network.
"""

from __future__ import annotations

import base64
import re
import struct
import xml.etree.ElementTree as ET
from typing import Any

from app.domain import Forbidden, InvalidInput, NotFound
from app.persistence import Organisation, User
from app.services import DbSession, audit
from lca_models.messages import N_

MAX_BYTES = 256 * 1024
MAX_PIXELS = 2000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FORBIDDEN_TAGS = {"script", "foreignObject", "iframe", "object", "embed"}
_REF = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)


def _refuse(code: str, message: str) -> InvalidInput:
    """InvalidInput on the field `seal`; `code` lets a page say it in the reader's language."""
    exc = InvalidInput(message, field="seal")
    exc.code = code  # type: ignore[attr-defined]
    return exc


def check(data: bytes) -> str:
    """The media type of an acceptable seal image, or InvalidInput naming the field `seal`."""
    if not data:
        raise _refuse("empty", "choose a PNG or SVG file for the seal")
    if len(data) > MAX_BYTES:
        raise _refuse("too_large", f"the seal image is larger than {MAX_BYTES // 1024} KiB")
    if data.startswith(PNG_SIGNATURE):
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise _refuse("png", "the seal is not a readable PNG image")
        width, height = struct.unpack(">II", data[16:24])
        if not (0 < width <= MAX_PIXELS and 0 < height <= MAX_PIXELS):
            raise _refuse("pixels", f"the seal image may be at most {MAX_PIXELS} x "
                                    f"{MAX_PIXELS} pixels")
        return "image/png"
    _check_svg(data)
    return "image/svg+xml"


def _check_svg(data: bytes) -> None:
    bad = _refuse("svg", "the seal must be a PNG or a plain SVG image (no scripts, entities "
                         "or links to other files)")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise bad
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise bad from None
    if _local(root.tag) != "svg":
        raise bad
    for element in root.iter():
        if _local(element.tag) in _FORBIDDEN_TAGS:
            raise bad
        for name, value in element.attrib.items():
            local = _local(name)
            if local.startswith("on") or (local == "href" and not value.startswith("#")):
                raise bad
            if _REF.search(value):
                raise bad
        if _local(element.tag) == "style" and element.text and (
                _REF.search(element.text) or "@import" in element.text):
            raise bad


def _local(name: Any) -> str:
    return str(name).rsplit("}", 1)[-1]


def set_seal(session: DbSession, actor: User, org_id: str, data: bytes) -> Organisation:
    """Store a body's seal: the body's own certifiers or an admin may; others see 404 for a
    body they cannot see and 403 for one they can (the same rule as the organisation API)."""
    org = session.get(Organisation, org_id)
    own = actor.role == "admin" or (actor.role == "certifier"
                                    and actor.organisation_id == org_id)
    if org is None or (not own and org.kind != "certification_body"):
        raise NotFound(N_("no such organisation"))  # as GET /organisations/{id} answers
    if not own:
        raise Forbidden(N_("only the body's certifiers or an admin may change its seal"))
    if org.kind != "certification_body":
        raise InvalidInput(N_("only a certification body has a seal"), field="organisation")
    mime = check(data)
    org.seal_image, org.seal_mime = data, mime
    audit.append(session, actor, "organisation.seal_set", target_type="organisation",
                 target_id=org.id, details={"media_type": mime, "bytes": len(data)})
    return org


def data_uri(org: Organisation) -> str | None:
    """The seal as a data: URL for the certificate, or None."""
    if not org.seal_image or not org.seal_mime:
        return None
    return f"data:{org.seal_mime};base64,{base64.b64encode(org.seal_image).decode()}"
