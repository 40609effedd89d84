"""Bounds on ZIP archives from outside (XLSX workbooks are ZIP files of XML) before a reader
expands them: a few hundred KiB of upload must not become gigabytes of XML in memory.

The declared sizes in the central directory are a sound bound: Python's zipfile never
expands a member past its declared size (a member whose data is longer fails its CRC check),
so refusing archives whose declared total is too large caps what any reader can expand.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lca_models.messages import N_

MAX_EXPANDED_BYTES = 64 * 2**20  # a workbook of tens of thousands of rows is a few MiB of XML
MAX_MEMBERS = 2_000


class ZipLimitError(ValueError):
    """The archive would expand beyond the limits; the message says by how much."""


def check_zip(source: bytes | str | Path, *, max_expanded_bytes: int = MAX_EXPANDED_BYTES,
              max_members: int = MAX_MEMBERS) -> None:
    """Raise ZipLimitError if the archive declares too many members or too many expanded
    bytes; a file that is not a ZIP archive is left for the reader to reject."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes)
                             else source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if len(members) > max_members:
        raise ZipLimitError(N_("the archive has %(count)s members; at most %(limit)s are "
                               "accepted", count=len(members), limit=max_members))
    expanded = sum(member.file_size for member in members)
    if expanded > max_expanded_bytes:
        raise ZipLimitError(N_("the archive expands to %(size)s bytes; at most %(limit)s are "
                               "accepted", size=expanded, limit=max_expanded_bytes))
