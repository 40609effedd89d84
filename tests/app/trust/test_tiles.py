"""tlog-tiles: the path encoding of c2sp.org/tlog-tiles, and proofs computed from tiles
equal to proofs computed from the stored nodes, for trees crossing full/partial tiles at
three tile levels."""

from __future__ import annotations

import pytest

from app.trust import merkle, tiles


def test_index_encoding_follows_the_spec_examples():
    assert tiles.encode_index(0) == "000"
    assert tiles.encode_index(67) == "067"
    assert tiles.encode_index(1234067) == "x001/x234/067"
    assert tiles.encode_index(1000) == "x001/000"
    assert tiles.tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tiles.tile_path(1, 3, 17) == "tile/1/003.p/17"
    assert tiles.entries_path(2, 5) == "tile/entries/002.p/5"
    with pytest.raises(ValueError):
        tiles.tile_path(0, 0, 0)


def test_tiles_of_a_tree_by_hand():
    # 70000 leaves: level 0 has 273 full tiles (273*256 = 69888) and one of 112;
    # level 1 counts 70000 >> 8 = 273 hashes: one full tile and one of 17;
    # level 2 counts 70000 >> 16 = 1 hash: a partial tile of width 1.
    found = list(tiles.tiles_for(70000))
    assert len(found) == 274 + 2 + 1
    assert found[273] == (0, 273, 112)
    assert found[274:] == [(1, 0, 256), (1, 1, 17), (2, 0, 1)]
    assert list(tiles.tiles_for(0)) == []
    assert tiles.tile_width(70000, 1, 1) == 17 and tiles.tile_width(70000, 1, 2) == 0


def test_bundles_round_trip_and_refuse_truncation():
    data = tiles.bundle([b"a", b"", b"xyz"])
    assert data == b"\x00\x01a\x00\x00\x00\x03xyz"
    assert tiles.unbundle(data) == [b"a", b"", b"xyz"]
    with pytest.raises(ValueError):
        tiles.unbundle(data[:-1])


@pytest.fixture(scope="module")
def log() -> merkle.MemoryNodeStore:
    store = merkle.MemoryNodeStore()
    for i in range(65536 + 300):  # crosses into tile level 2
        store.append(b"entry %d" % i)
    return store


def publish_files(store: merkle.MemoryNodeStore, size: int, files: dict[str, bytes]) -> None:
    for level, index, width in tiles.tiles_for(size):
        files[tiles.tile_path(level, index, width)] = tiles.tile_bytes(
            level, index, width, store.get)


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 511, 65536, 65536 + 300])
def test_proofs_from_tiles_equal_proofs_from_nodes(log, size):
    files: dict[str, bytes] = {}
    publish_files(log, size, files)
    reader = tiles.TileReader(size, files.__getitem__)
    root = log.root(size)
    assert merkle.root_hash(size, reader.get) == root
    for index in sorted({0, size // 3, size // 2, size - 1}):
        from_tiles = merkle.inclusion_proof(index, size, reader.get)
        assert from_tiles == merkle.inclusion_proof(index, size, log.get)
        assert merkle.verify_inclusion(log.get(0, index), index, size, from_tiles, root)


def test_a_tile_of_the_wrong_length_is_refused(log):
    files: dict[str, bytes] = {}
    publish_files(log, 300, files)
    files["tile/0/001.p/44"] = files["tile/0/001.p/44"][:-1]
    with pytest.raises(ValueError, match="bytes, not"):
        merkle.inclusion_proof(299, 300, tiles.TileReader(300, files.__getitem__).get)


@pytest.mark.parametrize("level,index,width", [(0, 0, 256), (3, 1234067, 17),
                                               ("entries", 1000, 255)])
def test_paths_parse_back(level, index, width):
    assert tiles.parse_path(tiles.tile_path(level, index, width)) == (level, index, width)


@pytest.mark.parametrize("path", ["tile/0/1", "tile/0/x000", "tile/0/000/001",
                                  "tile/0/x000/001", "tile/0/001.p/256", "tile/0/001.p/0",
                                  "tile/0/001.p/07", "tile/01/001", "tile/64/001",
                                  "tiles/0/001", "tile/x/001"])
def test_non_canonical_paths_are_refused(path):
    with pytest.raises(ValueError):
        tiles.parse_path(path)


def test_status_lists_are_published_under_their_list_names():
    from app.trust.static_log import status_file

    base = "https://labels.test/api/v1/status-lists/revocation"
    assert status_file(base) == "status/revocation.json"
    assert status_file(base + "/3") == "status/revocation/3.json"
    with pytest.raises(ValueError):
        status_file("https://labels.test/api/v1/status-lists/../x")
