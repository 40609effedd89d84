"""The log as C2SP tlog-tiles (c2sp.org/tlog-tiles): fixed files anyone can serve and cache.

Why: a label is verified far more often than issued, and a verifier that needs our database
for every proof needs our service to be up. Tiles are the Merkle tree cut into files of 256
hashes: a *full* tile never changes once written, a *partial* tile (``.p/<W>``) is fixed for
its width, so a CDN can cache every one of them forever and only the small checkpoint
changes. The same nodes the database stores (perfect subtrees) are what tiles hold, so a
proof computed from tiles equals the service's, hash for hash.

A tile at tile level L, index N, lists the hashes of Merkle level 8*L from index 256*N on.
Entry bundles (``tile/entries/<N>``) hold the entries' exact bytes, each prefixed by its
length as a big-endian uint16. Everything here is pure; ``read`` is the caller's file or
URL reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from app.trust import merkle

WIDTH = 256
HEIGHT = 8  # log2(WIDTH): Merkle levels per tile level
HASH = merkle.HASH_SIZE
MAX_ENTRY = 0xFFFF


def encode_index(index: int) -> str:
    """N as 3-digit path elements, all but the last prefixed by "x": 1234067 ->
    x001/x234/067 (so a directory never holds more than 1000 files)."""
    if index < 0:
        raise ValueError(f"tile index must be non-negative, got {index}")
    parts = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        parts.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(parts))


def tile_path(level: int, index: int, width: int = WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]``; level "entries" names the entry bundles."""
    if not 0 < width <= WIDTH:
        raise ValueError(f"tile width must be 1..{WIDTH}, got {width}")
    suffix = "" if width == WIDTH else f".p/{width}"
    return f"tile/{level}/{encode_index(index)}{suffix}"


def entries_path(index: int, width: int = WIDTH) -> str:
    return tile_path("entries", index, width)  # type: ignore[arg-type]


def tiles_for(size: int) -> Iterator[tuple[int, int, int]]:
    """(tile level, tile index, width) of every tile a tree of `size` leaves has: at each
    level the full tiles, then the partial one if the level's hash count is not a multiple
    of 256. Level 0's list is also the list of entry bundles."""
    level = 0
    while size >> (HEIGHT * level):
        count = size >> (HEIGHT * level)
        for index in range(count // WIDTH):
            yield level, index, WIDTH
        if count % WIDTH:
            yield level, count // WIDTH, count % WIDTH
        level += 1


def tile_width(size: int, level: int, index: int) -> int:
    """How many hashes tile (level, index) holds in a tree of `size` (0: none yet)."""
    count = size >> (HEIGHT * level)
    return max(0, min(WIDTH, count - index * WIDTH))


def tile_bytes(level: int, index: int, width: int, get: merkle.NodeGetter) -> bytes:
    """The tile's content from stored nodes: hashes of Merkle level 8*L, concatenated."""
    start = index * WIDTH
    return b"".join(get(HEIGHT * level, start + i) for i in range(width))


def bundle(entries: list[bytes]) -> bytes:
    """An entry bundle: each entry's length (big-endian uint16), then its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise ValueError(f"an entry of {len(entry)} bytes does not fit a bundle")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def unbundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; ValueError if it is truncated."""
    entries, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError("entry bundle truncated in a length prefix")
        length = int.from_bytes(data[pos:pos + 2], "big")
        if pos + 2 + length > len(data):
            raise ValueError("entry bundle truncated in an entry")
        entries.append(data[pos + 2:pos + 2 + length])
        pos += 2 + length
    return entries


class TileReader:
    """A merkle.NodeGetter over the tiles of a tree of `size`, fetching each tile once.

    A node (level, index) lies in tile level level // 8; its hash is rebuilt from the
    2**(level % 8) hashes of that tile below it. Each tile is read at the width it has in
    a tree of `size`, the only width a verifier holding that checkpoint may ask for, and
    must hold exactly that many hashes (anything else is refused, never guessed around).
    """

    def __init__(self, size: int, read: Callable[[str], bytes]) -> None:
        self.size, self._read = size, read
        self._tiles: dict[tuple[int, int], bytes] = {}

    def tile(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._tiles:
            width = tile_width(self.size, level, index)
            if width == 0:
                raise LookupError(f"tile {level}/{index} is not in a tree of {self.size}")
            data = self._read(tile_path(level, index, width))
            if len(data) != width * HASH:
                raise ValueError(f"tile {tile_path(level, index, width)} holds {len(data)} "
                                 f"bytes, not {width * HASH}")
            self._tiles[key] = data
        return self._tiles[key]

    def get(self, level: int, index: int) -> bytes:
        tile_level, height = divmod(level, HEIGHT)
        first = index << height  # first hash of tile level `tile_level` under the node
        tile_index, offset = divmod(first, WIDTH)
        data = self.tile(tile_level, tile_index)
        hashes = [data[(offset + i) * HASH:(offset + i + 1) * HASH] for i in range(1 << height)]
        if any(len(h) != HASH for h in hashes):
            raise LookupError(f"node ({level}, {index}) is not complete in the tiles")
        while len(hashes) > 1:
            hashes = [merkle.node_hash(hashes[i], hashes[i + 1])
                      for i in range(0, len(hashes), 2)]
        return hashes[0]

    def entry(self, index: int) -> bytes:
        """Entry `index`'s exact bytes, from its bundle (checked against its level-0 leaf
        hash, so a bundle that lies is caught before anyone trusts its bytes)."""
        bundle_index, offset = divmod(index, WIDTH)
        width = tile_width(self.size, 0, bundle_index)
        found = unbundle(self._read(entries_path(bundle_index, width)))
        if len(found) != width or offset >= width:
            raise ValueError(f"entry bundle {bundle_index} holds {len(found)} entries, "
                             f"not {width}")
        entry = found[offset]
        if merkle.leaf_hash(entry) != self.get(0, index):
            raise ValueError(f"entry {index} in its bundle does not match the tile's hash")
        return entry


def parse_path(path: str) -> tuple[int | str, int, int]:
    """(level or "entries", index, width) of a tile path below ``tile/``'s parent; ValueError
    for anything that is not exactly the spec's encoding (no leading "x" on the last
    element, three digits each, a width of 1..255 only with ``.p/``)."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise ValueError(f"{path!r} is not a tile path")
    level_text, rest = parts[1], parts[2:]
    width = WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        width_text = rest.pop()
        rest[-1] = rest[-1][:-2]
        if not width_text.isdigit() or str(int(width_text)) != width_text \
                or not 0 < int(width_text) < WIDTH:
            raise ValueError(f"{path!r} has no valid partial width")
        width = int(width_text)
    if level_text == "entries":
        level: int | str = "entries"
    elif level_text.isdigit() and str(int(level_text)) == level_text and int(level_text) < 64:
        level = int(level_text)
    else:
        raise ValueError(f"{path!r} has no valid level")
    index = 0
    for position, element in enumerate(rest):
        last = position == len(rest) - 1
        digits = element if last else element.removeprefix("x")
        if (not last and not element.startswith("x")) or len(digits) != 3 \
                or not digits.isdigit():
            raise ValueError(f"{path!r} has no valid index")
        index = index * 1000 + int(digits)
    if encode_index(index) != "/".join(rest):
        raise ValueError(f"{path!r} does not encode its index canonically")
    return level, index, width
