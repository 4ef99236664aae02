"""Appending to a tiled log: given the tree's size, a way to read the tiles already stored
and the new entries, work out every tile and entry bundle to write and the new root hash.

The sequencer stores what this returns in one transaction (full tiles are written once;
a partial tile is replaced by a wider one), so the tree's shape lives here, tested against
a naive tree, and the database code only moves bytes. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ecourt.evidence.tlog.merkle import HASH_SIZE, leaf_hash, tree_hash
from ecourt.evidence.tlog.tiles import (
    TILE_WIDTH,
    Tile,
    entry_bundle,
    fold,
    parse_entry_bundle,
    reader_from_tiles,
)

#: read(level, index) → the stored tile's bytes (the widest stored), or b"" if none.
TileReader = Callable[[int, int], bytes]
#: read(index) → the stored entry bundle's bytes (the widest stored), or b"" if none.
BundleReader = Callable[[int], bytes]

FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE


@dataclass(frozen=True)
class TileWrite:
    tile: Tile
    data: bytes


@dataclass(frozen=True)
class Appended:
    size: int
    root_hash: bytes
    writes: list[TileWrite]


def _fold(data: bytes) -> bytes:
    return fold([data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)])


def append(
    size: int, read_tile: TileReader, read_bundle: BundleReader, entries: Sequence[bytes]
) -> Appended:
    """The writes that append ``entries`` to a log of ``size`` entries, and its new root."""
    if size < 0:
        raise ValueError("a log size is not negative")
    writes: list[TileWrite] = []
    if not entries:
        return Appended(size, tree_hash(size, reader_from_tiles(read_tile)), writes)

    # Entry bundles: the partial bundle (if any) grows, new bundles follow.
    first_bundle, kept = divmod(size, TILE_WIDTH)
    existing = parse_entry_bundle(read_bundle(first_bundle))[:kept] if kept else []
    if len(existing) != kept:
        raise LookupError(f"entry bundle {first_bundle} holds fewer than {kept} entries")
    pending = [*existing, *entries]
    for offset in range(0, len(pending), TILE_WIDTH):
        chunk = pending[offset : offset + TILE_WIDTH]
        tile = Tile("entries", first_bundle + offset // TILE_WIDTH, len(chunk))
        writes.append(TileWrite(tile, entry_bundle(chunk)))

    # Hash tiles, level by level: new hashes at a level come from the tiles that became
    # full at the level below.
    new_hashes = [leaf_hash(entry) for entry in entries]
    level, before = 0, size  # hashes at this tile level before the append
    while new_hashes:
        first_tile, kept = divmod(before, TILE_WIDTH)
        old = read_tile(level, first_tile)[: kept * HASH_SIZE] if kept else b""
        if len(old) != kept * HASH_SIZE:
            raise LookupError(f"tile {level}/{first_tile} holds fewer than {kept} hashes")
        data = old + b"".join(new_hashes)
        completed = []
        for offset in range(0, len(data), FULL_TILE_BYTES):
            tile_bytes = data[offset : offset + FULL_TILE_BYTES]
            width = len(tile_bytes) // HASH_SIZE
            tile = Tile(level, first_tile + offset // FULL_TILE_BYTES, width)
            writes.append(TileWrite(tile, tile_bytes))
            if not tile.is_partial:
                completed.append(_fold(tile_bytes))
        level, before, new_hashes = level + 1, before // TILE_WIDTH, completed

    written = {(w.tile.level, w.tile.index): w.data for w in writes}

    def read_after(tile_level: int, index: int) -> bytes:
        return written.get((tile_level, index)) or read_tile(tile_level, index)

    new_size = size + len(entries)
    return Appended(new_size, tree_hash(new_size, reader_from_tiles(read_after)), writes)
