"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0) section 2.1, over stored subtrees.

The log lives in a database and must answer root, inclusion and consistency queries for
millions of entries without loading them. The trick: a *perfect* subtree (2**level leaves,
aligned) never changes once its last leaf is appended, so it can be written once and cached
forever, while every other subtree hash depends on the tree size being asked about. RFC 9162
splits every tree at the largest power of two below its size, so each subtree it ever hashes
is a run of at most log2(n) + 1 perfect pieces. Every function here therefore reads O(log n)
stored nodes and computes the size-dependent hashes on the fly.

A node is addressed by ``(level, index)`` and covers leaves ``[index * 2**level,
(index + 1) * 2**level)``; level 0 holds leaf hashes. Callers supply ``get(level, index)``,
which must return the stored hash of a complete subtree (the functions never ask for an
incomplete one, nor for one beyond the tree size in question).

Verification (``verify_inclusion``, ``verify_consistency``) needs no store: it follows the
RFC 9162 algorithms of sections 2.1.3.2 and 2.1.4.2 so that third parties and the offline
CLI can check proofs with nothing but the signed tree head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeGetter = Callable[[int, int], bytes]
StoredNode = tuple[int, int, bytes]


def leaf_hash(entry: bytes) -> bytes:
    """The 0x00 prefix keeps a leaf from ever colliding with an interior node (RFC 9162 2.1.1).

    Without domain separation, someone could present the 64-byte concatenation of two child
    hashes as a "leaf" and forge an inclusion proof for it.
    """
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Interior nodes get the 0x01 prefix for the same second-preimage reason as leaves."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """RFC 9162's k for n >= 2: the largest power of two strictly smaller than n."""
    return 1 << ((n - 1).bit_length() - 1)


def _range_hash(start: int, end: int, get: NodeGetter) -> bytes:
    """MTH(D[start:end]) for a subtree the RFC recursion can produce, from its perfect pieces.

    RFC 9162 always splits off the largest power of two on the left, so such a subtree is its
    size's binary decomposition laid out largest first, hashed together right to left. That
    costs one read per set bit of the size instead of one per leaf.
    """
    size = end - start
    if size <= 0:
        raise ValueError(f"empty or inverted leaf range [{start}, {end})")
    top = size.bit_length() - 1
    if start < 0 or start & ((1 << top) - 1):
        # A misaligned range has no stored pieces; reading anyway would hash the wrong leaves.
        raise ValueError(f"[{start}, {end}) is not a subtree of any RFC 9162 tree")
    pieces: list[bytes] = []
    pos = start
    for level in range(top, -1, -1):
        if size >> level & 1:
            pieces.append(get(level, pos >> level))
            pos += 1 << level
    acc = pieces[-1]
    for piece in reversed(pieces[:-1]):
        acc = node_hash(piece, acc)
    return acc


def appended_nodes(leaf_index: int, leaf: bytes, get: NodeGetter) -> list[StoredNode]:
    """Every perfect subtree that appending entry ``leaf`` at ``leaf_index`` completes.

    ``leaf`` is the raw entry (it is hashed here, so a caller cannot store an unprefixed
    hash by mistake). The result starts with the level-0 leaf hash and climbs while the new
    node is a right child, reading each left sibling once: at most log2(n) reads, and these
    are exactly the rows to insert, since no stored node ever changes afterwards.
    """
    if leaf_index < 0:
        raise ValueError(f"leaf index must be non-negative, got {leaf_index}")
    current = leaf_hash(leaf)
    nodes: list[StoredNode] = [(0, leaf_index, current)]
    level, index = 0, leaf_index
    while index & 1:
        current = node_hash(get(level, index - 1), current)
        level, index = level + 1, index >> 1
        nodes.append((level, index, current))
    return nodes


def root_hash(size: int, get: NodeGetter) -> bytes:
    """MTH of the first ``size`` leaves; the signed tree head commits to exactly this value.

    Reads one stored node per set bit of ``size`` (at most log2(size) + 1).
    """
    if size < 0:
        raise ValueError(f"tree size must be non-negative, got {size}")
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, get)


def inclusion_proof(index: int, size: int, get: NodeGetter) -> list[bytes]:
    """RFC 9162 PATH(index, D[size]), leaf sibling first, in the order verifiers expect.

    Walks the RFC recursion top-down. While the leaf is in a right subtree the sibling is a
    perfect left subtree (one read); the first time it goes left the sibling is the tree's
    non-perfect right edge (one read per set bit), and below that everything is perfect.
    Hence at most about 2 * log2(size) reads.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, n = 0, size
    while n > 1:
        k = _split(n)
        if index - start < k:
            path.append(_range_hash(start + k, start + n, get))
            n = k
        else:
            path.append(_range_hash(start, start + k, get))
            start, n = start + k, n - k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, get: NodeGetter) -> list[bytes]:
    """RFC 9162 PROOF(old_size, D[new_size]) = SUBPROOF(old_size, D[new_size], true).

    Empty when there is nothing to prove (old tree empty or identical). The SUBPROOF
    recursion is unrolled top-down and reversed, because the RFC lists the deepest hash first.
    Read count has the same shape as ``inclusion_proof`` plus one for the old subtree root.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"cannot prove size {old_size} is a prefix of size {new_size}")
    if old_size in (0, new_size):
        return []
    siblings: list[bytes] = []
    start, m, n = 0, old_size, new_size
    old_root_known = True  # RFC's b: the old tree's root is this subtree, so the client has it
    while m != n:
        k = _split(n)
        if m <= k:
            siblings.append(_range_hash(start + k, start + n, get))
            n = k
        else:
            siblings.append(_range_hash(start, start + k, get))
            start, m, n = start + k, m - k, n - k
            old_root_known = False
    if not old_root_known:
        siblings.append(_range_hash(start, start + m, get))
    siblings.reverse()
    return siblings


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _all_hashes(values: Sequence[object]) -> bool:
    # Rejecting malformed input up front keeps a truncated or padded proof element from being
    # silently hashed; verification reads attacker-supplied data.
    return all(_is_hash(v) for v in values)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2: does ``proof`` tie ``leaf_hash`` at ``index`` to ``root``?

    ``leaf_hash`` is the already-prefixed hash (``leaf_hash(entry)``), as in the RFC. Returns
    False rather than raising, so untrusted input can never crash the public verifier.
    """
    if not (_is_hash(leaf_hash) and _is_hash(root) and _all_hashes(proof)):
        return False
    if index < 0 or index >= size:
        return False
    fn, sn = index, size - 1
    r = bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # On the right edge a node may be promoted past levels where it has no sibling.
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2: is the tree ``new_root`` an append-only extension of ``old_root``?

    The RFC defines the algorithm for 0 < old_size < new_size. The trivial cases are decided
    here the only way that cannot be abused: equal sizes need equal roots and an empty proof,
    and an empty old tree needs an empty proof and the empty-tree root (its MTH is fixed).
    """
    if not (_is_hash(old_root) and _is_hash(new_root) and _all_hashes(proof)):
        return False
    if old_size < 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is a perfect left subtree, so the proof omits the hash the client has.
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


class MemoryNodeStore:
    """A log kept in a dict, with the same ``get`` contract as the database store.

    Tests and small tools use it so they exercise exactly the code path production uses.
    ``get`` raises KeyError for a subtree that is not complete yet: asking for one is a bug,
    and a silent default would hide it.
    """

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0

    def get(self, level: int, index: int) -> bytes:
        """Stored hash of the complete subtree at ``(level, index)``."""
        return self.nodes[(level, index)]

    def append(self, entry: bytes) -> int:
        """Add ``entry`` as the next leaf and return its index."""
        index = self.size
        for level, node_index, digest in appended_nodes(index, entry, self.get):
            self.nodes[(level, node_index)] = digest
        self.size += 1
        return index

    def root(self, size: int | None = None) -> bytes:
        """Root of the current tree, or of an earlier prefix of it."""
        size = self.size if size is None else size
        if size > self.size:
            raise ValueError(f"tree has {self.size} leaves, not {size}")
        return root_hash(size, self.get)
