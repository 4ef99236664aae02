"""Appending to a tiled log in random batches gives exactly the tiles, bundles and root hash of
a tree built in one go (and of the naive RFC tree)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecourt.evidence.tlog.builder import append
from ecourt.evidence.tlog.merkle import leaf_hash, reader_from_leaves, tree_hash
from ecourt.evidence.tlog.tiles import TILE_WIDTH, parse_entry_bundle, tiles_for_size


class Store:
    """Tiles and bundles as a sequencer would keep them: a write replaces what was there."""

    def __init__(self) -> None:
        self.tiles: dict[tuple[int, int], bytes] = {}
        self.bundles: dict[int, bytes] = {}
        self.size = 0

    def read_tile(self, level: int, index: int) -> bytes:
        return self.tiles.get((level, index), b"")

    def read_bundle(self, index: int) -> bytes:
        return self.bundles.get(index, b"")

    def add(self, entries: list[bytes]) -> bytes:
        result = append(self.size, self.read_tile, self.read_bundle, entries)
        for write in result.writes:
            if write.tile.level == "entries":
                self.bundles[write.tile.index] = write.data
            else:
                self.tiles[int(write.tile.level), write.tile.index] = write.data
        self.size = result.size
        return result.root_hash


def entry(i: int) -> bytes:
    return f"entry {i}".encode()


@settings(deadline=None, max_examples=60)
@given(st.lists(st.integers(min_value=0, max_value=700), min_size=1, max_size=8))
def test_batches_build_the_same_tiles_as_one_tree(batches):
    store, everything = Store(), []
    for batch in batches:
        new = [entry(len(everything) + i) for i in range(batch)]
        everything += new
        root = store.add(new)
        leaves = [leaf_hash(e) for e in everything]
        memory = reader_from_leaves(leaves)
        assert root == tree_hash(len(leaves), memory)
    size = len(everything)
    # Every tile of the final size is stored, at least as wide as the tree needs.
    for tile in tiles_for_size(size):
        level = int(tile.level)
        first = tile.index * TILE_WIDTH
        expected = b"".join(memory(8 * level, first + i) for i in range(tile.width))
        assert store.tiles[level, tile.index][: len(expected)] == expected
    bundled = [e for i in sorted(store.bundles) for e in parse_entry_bundle(store.bundles[i])]
    assert bundled == everything


def test_an_empty_batch_changes_nothing():
    store = Store()
    first = store.add([entry(0), entry(1)])
    result = append(store.size, store.read_tile, store.read_bundle, [])
    assert (result.size, result.root_hash, result.writes) == (2, first, [])


def test_it_refuses_to_append_over_missing_tiles():
    store = Store()
    store.add([entry(i) for i in range(10)])
    store.tiles.clear()
    with pytest.raises(LookupError):
        append(store.size, store.read_tile, store.read_bundle, [entry(10)])
