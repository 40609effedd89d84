"""The stored-subtree Merkle log agrees with RFC 9162 section 2.1 and stays O(log n).

The reference below is written straight from the RFC's recursive definitions over the full
list of entries (MTH, PATH, PROOF/SUBPROOF) and deliberately shares no code with
app.trust.merkle, so a mistake in the stored-subtree arithmetic cannot hide behind itself.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.trust import merkle

# --- Independent reference: RFC 9162 section 2.1.1, 2.1.3.1, 2.1.4.1 -------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _ref_k(n: int) -> int:
    """The largest power of two smaller than n, counted up rather than bit-twiddled."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@functools.lru_cache(maxsize=8192)
def ref_mth(d: tuple[bytes, ...]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + d[0])
    k = _ref_k(n)
    return _sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: tuple[bytes, ...]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _ref_k(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: tuple[bytes, ...], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _ref_k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: tuple[bytes, ...]) -> list[bytes]:
    return ref_subproof(m, d, True)


# --- Fixtures ------------------------------------------------------------------------------

SMALL_N = 64
BIG_N = 1100


def _entry(i: int) -> bytes:
    return b"" if i == 0 else f"carbon-label/{i}".encode()


ENTRIES = tuple(_entry(i) for i in range(BIG_N))


class BoundedReads:
    """Wraps a getter, counts reads, and fails any read of a node outside the tree size.

    In the database the log keeps growing, so nodes beyond an older tree size exist; reading
    one while answering for that older size would silently mix in later entries.
    """

    def __init__(self, get: Callable[[int, int], bytes], size: int) -> None:
        self._get = get
        self.size = size
        self.reads = 0

    def __call__(self, level: int, index: int) -> bytes:
        assert level >= 0 and index >= 0
        assert (index + 1) << level <= self.size, f"read ({level}, {index}) beyond {self.size}"
        self.reads += 1
        return self._get(level, index)


@functools.cache
def _store(n: int) -> merkle.MemoryNodeStore:
    store = merkle.MemoryNodeStore()
    for entry in ENTRIES[:n]:
        store.append(entry)
    return store


def _bound(n: int) -> int:
    return 2 * math.ceil(math.log2(n)) + 2 if n > 1 else 2


# --- Hashing and roots ---------------------------------------------------------------------


def test_hash_prefixes_match_rfc6962_hasher_vectors():
    # transparency-dev/merkle rfc6962/rfc6962_test.go (TestRFC6962Hasher).
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert merkle.leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert merkle.node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_empty_tree_root_reads_nothing():
    get = BoundedReads(_store(0).get, 0)
    assert merkle.root_hash(0, get) == ref_mth(()) == merkle.EMPTY_ROOT
    assert get.reads == 0


@pytest.mark.parametrize("n", range(1, SMALL_N + 1))
def test_root_matches_recursive_mth(n):
    get = BoundedReads(_store(SMALL_N).get, n)
    assert merkle.root_hash(n, get) == ref_mth(ENTRIES[:n])
    assert get.reads == n.bit_count()
    # Built incrementally to exactly n leaves, the store agrees too.
    assert _store(n).root() == ref_mth(ENTRIES[:n])


def test_appended_nodes_are_the_completed_perfect_subtrees():
    store = merkle.MemoryNodeStore()
    for i in range(SMALL_N):
        get = BoundedReads(store.get, i)
        nodes = merkle.appended_nodes(i, ENTRIES[i], get)
        trailing_ones = (~i & (i + 1)).bit_length() - 1
        assert get.reads == trailing_ones
        assert [(lvl, idx) for lvl, idx, _ in nodes] == [
            (lvl, (i + 1 - (1 << lvl)) >> lvl) for lvl in range(trailing_ones + 1)
        ]
        for lvl, idx, digest in nodes:
            assert digest == ref_mth(ENTRIES[idx << lvl : (idx + 1) << lvl])
            store.nodes[(lvl, idx)] = digest
        store.size += 1
    assert store.nodes == _store(SMALL_N).nodes


def test_store_never_holds_incomplete_subtrees():
    store = _store(5)
    assert set(store.nodes) == {(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (1, 0), (1, 1), (2, 0)}
    with pytest.raises(KeyError):
        store.get(1, 2)
    with pytest.raises(ValueError):
        store.root(6)


# --- Proof generation against the reference ------------------------------------------------


@pytest.mark.parametrize("n", range(1, SMALL_N + 1))
def test_inclusion_proofs_match_path_for_every_index(n):
    for m in range(n):
        get = BoundedReads(_store(SMALL_N).get, n)
        assert merkle.inclusion_proof(m, n, get) == ref_path(m, ENTRIES[:n]), (m, n)
        assert get.reads <= _bound(n)


@pytest.mark.parametrize("n", range(1, SMALL_N + 1))
def test_consistency_proofs_match_proof_for_every_old_size(n):
    assert merkle.consistency_proof(0, n, _store(n).get) == []
    for m in range(1, n + 1):
        get = BoundedReads(_store(SMALL_N).get, n)
        assert merkle.consistency_proof(m, n, get) == ref_proof(m, ENTRIES[:n]), (m, n)
        assert get.reads <= _bound(n)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (merkle.inclusion_proof, (0, 0)),
        (merkle.inclusion_proof, (3, 3)),
        (merkle.inclusion_proof, (-1, 3)),
        (merkle.consistency_proof, (4, 3)),
        (merkle.consistency_proof, (-1, 3)),
        (merkle.root_hash, (-1,)),
        (merkle.appended_nodes, (-1, b"x")),
    ],
)
def test_impossible_requests_raise(call, args):
    with pytest.raises(ValueError):
        call(*args, _store(4).get)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(min_value=1, max_value=BIG_N))
def test_larger_trees_match_reference(data, n):
    d = ENTRIES[:n]
    m = data.draw(st.integers(min_value=0, max_value=n - 1), label="index")
    old = data.draw(st.integers(min_value=1, max_value=n), label="old_size")
    get = BoundedReads(_store(BIG_N).get, n)
    root = merkle.root_hash(n, get)
    assert root == ref_mth(d)
    path = merkle.inclusion_proof(m, n, get)
    assert path == ref_path(m, d)
    assert merkle.verify_inclusion(merkle.leaf_hash(d[m]), m, n, path, root)
    proof = merkle.consistency_proof(old, n, get)
    assert proof == ref_proof(old, d)
    assert merkle.verify_consistency(old, n, ref_mth(d[:old]), root, proof)


# --- Verification accepts good proofs and rejects tampered ones ----------------------------

OTHER = _sha256(b"not a node of this tree")


def _flip(h: bytes, bit: int) -> bytes:
    return bytes([h[0] ^ (1 << bit), *h[1:]])


def _inclusion_tampering(m, n, path, root, lh):
    yield "wrong leaf", (OTHER, m, n, path, root)
    yield "wrong root", (lh, m, n, path, OTHER)
    yield "empty-tree root", (lh, m, n, path, merkle.EMPTY_ROOT)
    yield "index - 1", (lh, m - 1, n, path, root)
    yield "index + 1", (lh, m + 1, n, path, root)
    yield "index ^ 2", (lh, m ^ 2, n, path, root)
    yield "size * 2", (lh, m, n * 2, path, root)
    yield "size / 2", (lh, m, n // 2, path, root)
    yield "trailing node", (lh, m, n, [*path, OTHER], root)
    yield "trailing root", (lh, m, n, [*path, root], root)
    yield "preceding node", (lh, m, n, [OTHER, *path], root)
    yield "short node", (lh, m, n, [*path[:-1], path[-1][:-1]] if path else [b""], root)
    if path:
        yield "dropped last", (lh, m, n, path[:-1], root)
        yield "dropped first", (lh, m, n, path[1:], root)
        yield "inserted", (lh, m, n, [path[0], OTHER, *path[1:]], root)
    for i in range(len(path)):
        flipped = [*path[:i], _flip(path[i], 3), *path[i + 1 :]]
        yield f"flipped proof[{i}]", (lh, m, n, flipped, root)


@pytest.mark.parametrize("n", range(1, 34))
def test_verify_inclusion_accepts_good_and_rejects_tampered(n):
    d = ENTRIES[:n]
    root = ref_mth(d)
    for m in range(n):
        path = ref_path(m, d)
        lh = merkle.leaf_hash(d[m])
        assert merkle.verify_inclusion(lh, m, n, path, root), (m, n)
        for desc, args in _inclusion_tampering(m, n, path, root, lh):
            assert not merkle.verify_inclusion(*args), (desc, m, n)


def _consistency_tampering(m, n, r1, r2, proof):
    yield "old - 1", (m - 1, n, r1, r2, proof)
    yield "old + 1", (m + 1, n, r1, r2, proof)
    yield "old ^ 2", (m ^ 2, n, r1, r2, proof)
    yield "new * 2", (m, n * 2, r1, r2, proof)
    yield "new / 2", (m, n // 2, r1, r2, proof)
    yield "wrong old root", (m, n, OTHER, r2, proof)
    yield "wrong new root", (m, n, r1, OTHER, proof)
    yield "swapped roots", (m, n, r2, r1, proof)
    yield "empty proof", (m, n, r1, r2, [])
    yield "dropped last", (m, n, r1, r2, proof[:-1])
    yield "dropped first", (m, n, r1, r2, proof[1:])
    yield "trailing node", (m, n, r1, r2, [*proof, OTHER])
    yield "trailing old root", (m, n, r1, r2, [*proof, r1])
    yield "trailing new root", (m, n, r1, r2, [*proof, r2])
    yield "preceding node", (m, n, r1, r2, [OTHER, *proof])
    yield "preceding old root", (m, n, r1, r2, [r1, *proof])
    yield "preceding new root", (m, n, r1, r2, [r2, *proof])
    yield "preceding proof[0]", (m, n, r1, r2, [proof[0], *proof])
    yield "padded node", (m, n, r1, r2, [proof[0] + b"\x00", *proof[1:]])
    for i in range(len(proof)):
        flipped = [*proof[:i], _flip(proof[i], 4), *proof[i + 1 :]]
        yield f"flipped proof[{i}]", (m, n, r1, r2, flipped)


@pytest.mark.parametrize("n", range(2, 34))
def test_verify_consistency_accepts_good_and_rejects_tampered(n):
    d = ENTRIES[:n]
    r2 = ref_mth(d)
    for m in range(1, n):
        r1 = ref_mth(d[:m])
        proof = ref_proof(m, d)
        assert merkle.verify_consistency(m, n, r1, r2, proof), (m, n)
        for desc, args in _consistency_tampering(m, n, r1, r2, proof):
            assert not merkle.verify_consistency(*args), (desc, m, n)


def test_verify_consistency_trivial_cases():
    r3 = ref_mth(ENTRIES[:3])
    assert merkle.verify_consistency(3, 3, r3, r3, [])
    assert not merkle.verify_consistency(3, 3, r3, OTHER, [])
    assert not merkle.verify_consistency(3, 3, r3, r3, [r3])
    assert merkle.verify_consistency(0, 3, merkle.EMPTY_ROOT, r3, [])
    assert not merkle.verify_consistency(0, 3, OTHER, r3, [])
    assert not merkle.verify_consistency(0, 3, merkle.EMPTY_ROOT, r3, [r3])
    assert not merkle.verify_consistency(4, 3, r3, r3, [r3])
    assert not merkle.verify_consistency(3, 4, b"short", r3, [r3])


def test_verify_inclusion_single_leaf_and_malformed_input():
    lh = merkle.leaf_hash(b"data")
    assert merkle.verify_inclusion(lh, 0, 1, [], lh)
    assert not merkle.verify_inclusion(lh, 0, 1, [], OTHER)
    assert not merkle.verify_inclusion(b"", 0, 1, [], b"")
    assert not merkle.verify_inclusion(lh, 0, 0, [], lh)
    assert not merkle.verify_inclusion(lh, 1, 1, [], lh)


# --- O(log n) reads at a million entries ---------------------------------------------------


def _fake_get(size: int) -> BoundedReads:
    """A store of 2**20-scale trees without building them: any complete node has a hash."""
    return BoundedReads(lambda level, index: _sha256(b"%d/%d" % (level, index)), size)


LARGE_SIZES = [2**20, 2**20 - 1, 2**20 + 1, 10**6, 2**19 + 1, 3 * 2**18 + 5]


@pytest.mark.parametrize("n", LARGE_SIZES)
def test_reads_are_logarithmic_at_a_million_entries(n):
    rng = random.Random(n)
    bound = _bound(n)
    get = _fake_get(n)
    merkle.root_hash(n, get)
    assert get.reads == n.bit_count() <= bound
    for m in {0, 1, n // 2, n - 2, n - 1, *rng.sample(range(n), 40)}:
        get = _fake_get(n)
        path = merkle.inclusion_proof(m, n, get)
        assert len(path) <= math.ceil(math.log2(n))
        assert get.reads <= bound, (m, n, get.reads)
    for old in {1, 2, n // 2, n - 1, n, *rng.sample(range(1, n), 40)}:
        get = _fake_get(n)
        merkle.consistency_proof(old, n, get)
        assert get.reads <= bound, (old, n, get.reads)
    get = _fake_get(n + 1)
    merkle.appended_nodes(n, b"next", get)
    assert get.reads <= math.ceil(math.log2(n + 1))


# --- Known answers: transparency-dev/merkle proof/verify_test.go ---------------------------
# The 8-entry tree of Google's Certificate Transparency tests (same data as
# google/certificate-transparency's merkle tree tests). Leaf indices there are 1-based.

KAT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
KAT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
KAT_INCLUSION = [  # (1-based leaf, tree size, proof)
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
KAT_CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


@functools.cache
def _kat_store() -> merkle.MemoryNodeStore:
    store = merkle.MemoryNodeStore()
    for leaf in KAT_LEAVES:
        store.append(leaf)
    return store


def test_known_answer_roots():
    store = _kat_store()
    assert [store.root(n).hex() for n in range(1, 9)] == KAT_ROOTS


@pytest.mark.parametrize(("leaf", "size", "proof"), KAT_INCLUSION)
def test_known_answer_inclusion(leaf, size, proof):
    store = _kat_store()
    path = merkle.inclusion_proof(leaf - 1, size, store.get)
    assert [h.hex() for h in path] == proof
    root = bytes.fromhex(KAT_ROOTS[size - 1])
    lh = merkle.leaf_hash(KAT_LEAVES[leaf - 1])
    assert merkle.verify_inclusion(lh, leaf - 1, size, path, root)


@pytest.mark.parametrize(("old", "new", "proof"), KAT_CONSISTENCY)
def test_known_answer_consistency(old, new, proof):
    store = _kat_store()
    got = merkle.consistency_proof(old, new, store.get)
    assert [h.hex() for h in got] == proof
    r1, r2 = (bytes.fromhex(KAT_ROOTS[s - 1]) for s in (old, new))
    assert merkle.verify_consistency(old, new, r1, r2, got)
