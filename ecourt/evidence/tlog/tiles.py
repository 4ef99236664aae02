"""C2SP tlog-tiles: tile and entry-bundle paths, which tiles a tree size has, reading any
complete subtree hash out of tiles, and entry bundles (uint16 big-endian length prefixes).

Standard library only. See https://c2sp.org/tlog-tiles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ecourt.evidence.tlog.merkle import HASH_SIZE, NodeReader, node_hash

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes, 8,192 bytes when full
MAX_LEVEL = 63
MAX_ENTRY_SIZE = 0xFFFF

_ELEMENT = re.compile(r"x\d{3}")
_LAST = re.compile(r"\d{3}")
_DECIMAL = re.compile(r"0|[1-9]\d*")


class TilePathError(ValueError):
    """A tile path that C2SP tlog-tiles does not allow."""


@dataclass(frozen=True)
class Tile:
    """Tile ``index`` at ``level`` ("entries" for an entry bundle), ``width`` hashes wide."""

    level: int | str
    index: int
    width: int = TILE_WIDTH

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        suffix = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{self.level}/{encode_index(self.index)}{suffix}"


def encode_index(n: int) -> str:
    """1234067 → "x001/x234/067": 3-digit elements, all but the last prefixed with x."""
    if n < 0:
        raise TilePathError("a tile index is not negative")
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def parse_tile_path(path: str) -> Tile:
    """The tile a request path names (without the log's prefix), strictly: no extra zeroes,
    no empty elements, widths 1..255, levels 0..63."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise TilePathError("a tile path starts with tile/<L>/ or tile/entries/")
    level_text = parts[1]
    rest = parts[2:]
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        width_text = rest[-1]
        if not _DECIMAL.fullmatch(width_text) or not 1 <= int(width_text) < TILE_WIDTH:
            raise TilePathError("a partial tile's width is 1 to 255")
        width = int(width_text)
        rest = [*rest[:-2], rest[-2][:-2]]
    if not rest or not _LAST.fullmatch(rest[-1]):
        raise TilePathError("the last element of a tile index has 3 digits")
    if any(not _ELEMENT.fullmatch(element) for element in rest[:-1]):
        raise TilePathError("every element of a tile index but the last is x and 3 digits")
    if len(rest) > 1 and rest[0] == "x000":
        raise TilePathError("a tile index has no leading zero elements")
    index = int("".join(element.lstrip("x") for element in rest))
    if level_text == "entries":
        return Tile("entries", index, width)
    if not _DECIMAL.fullmatch(level_text) or int(level_text) > MAX_LEVEL:
        raise TilePathError("a tile level is 0 to 63")
    return Tile(int(level_text), index, width)


def tiles_for_size(size: int) -> list[Tile]:
    """Every hash tile of a tree of ``size`` leaves, level by level (full, then partial)."""
    tiles: list[Tile] = []
    level, count = 0, size  # count: hashes at this tile level (8·level)
    while count > 0:
        full, rest = divmod(count, TILE_WIDTH)
        tiles += [Tile(level, n) for n in range(full)]
        if rest:
            tiles.append(Tile(level, full, rest))
        level, count = level + 1, full
    return tiles


def tile_for_node(level: int, index: int) -> tuple[Tile, int, int]:
    """Where the complete subtree (level, index) lives: the tile at level ``level // 8``
    holding it, the first hash of it inside the tile, and how many hashes it spans."""
    tile_level, height = divmod(level, TILE_HEIGHT)
    first = index << height  # index at tree level 8·tile_level
    tile_index, offset = divmod(first, TILE_WIDTH)
    span = 1 << height
    return Tile(tile_level, tile_index, TILE_WIDTH), offset, span


def reader_from_tiles(read: Callable[[int, int], bytes]) -> NodeReader:
    """A node reader over stored tiles. ``read(tile_level, tile_index)`` returns the tile's
    bytes (full, or the widest partial one stored)."""

    def node(level: int, index: int) -> bytes:
        tile, offset, span = tile_for_node(level, index)
        data = read(int(tile.level), tile.index)
        hashes = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        if len(hashes) < offset + span:
            raise LookupError(f"tile {tile.path} is too narrow for node ({level}, {index})")
        return fold(hashes[offset : offset + span])

    return node


def fold(hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of a power-of-two run of hashes (a full tile, or part of one)."""
    layer = list(hashes)
    while len(layer) > 1:
        layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
    return layer[0]


def entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries as a bundle: each a big-endian uint16 length, then its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise ValueError("an entry is at most 65,535 bytes")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def parse_entry_bundle(data: bytes) -> list[bytes]:
    entries, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            raise ValueError("an entry bundle ends inside a length prefix")
        length = int.from_bytes(data[i : i + 2], "big")
        if i + 2 + length > len(data):
            raise ValueError("an entry bundle ends inside an entry")
        entries.append(data[i + 2 : i + 2 + length])
        i += 2 + length
    return entries
