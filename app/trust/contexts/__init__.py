"""The JSON-LD contexts this service's credentials name, shipped as files so that a verifier
(and our own tests) can load them without fetching anything.

v2 (``carbon-label-v2.jsonld``) defines every term the label credential uses, explicitly and
``@protected``, under instance-independent IRIs (``urn:carbonlabel:vocab:...``): the same
bytes are served by every deployment at ``/contexts/carbon-label/v2``. v1 only set
``@vocab`` to the instance's own URL; it is still served, unchanged, because credentials
issued before v2 name it and are signed.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from app.trust import strict_json

V1_PATH = "/contexts/carbon-label/v1"
V2_PATH = "/contexts/carbon-label/v2"
V2_FILE = "carbon-label-v2.jsonld"


@cache
def v2_bytes() -> bytes:
    """The context file exactly as shipped and served."""
    return resources.files(__package__).joinpath(V2_FILE).read_bytes()


def v2() -> dict[str, Any]:
    context = strict_json.loads(v2_bytes())
    if not isinstance(context, dict):
        raise ValueError(f"{V2_FILE} is not a JSON object")
    return context



def v1(vocab: str) -> dict[str, Any]:
    """The v1 context of an instance whose vocabulary IRI is ``vocab``."""
    return {"@context": {"@protected": True, "@vocab": vocab}}
