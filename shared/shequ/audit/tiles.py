"""A log as static C2SP ``tlog-tiles`` files (c2sp.org/tlog-tiles), written from its entries.

Files under the log's directory::

    checkpoint                  the signed checkpoint (notes.py), replaced last
    tile/<L>/<N>[.p/<W>]        hash tiles: 256 hashes of 32 bytes at level L (level 0 = the
                                leaf hashes, level L+1 = roots of the full tiles of level L)
    tile/entries/<N>[.p/<W>]    entry bundles: each entry as a big-endian uint16 length + bytes

``N`` is written in groups of three digits, every group but the last prefixed with ``x``
(1234067 -> ``x001/x234/067``); a partial tile (``W`` < 256 hashes) has its own path. A tile's
bytes follow from the entries alone, so every tile file is written once and never changed;
a client reading an older checkpoint still finds the partial tiles it names. Leaves and roots
are RFC 9162's (``rfc9162``).

>>> write_log(Path("var/disclosure-log"), [b'{"a":1}'], origin, key)
"""

from __future__ import annotations

import base64
import fcntl
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shequ.audit.notes import Checkpoint, sign_checkpoint
from shequ.audit.rfc9162 import HASH_SIZE, leaf_hash, mth
from shequ.audit.treeheads import atomic_write

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY = 0xFFFF
LOCK_FILE = ".write.lock"


def tile_index(n: int) -> str:
    """``N`` as a path: groups of three digits, all but the last prefixed with ``x``."""
    digits = f"{n:03d}"
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def tile_path(level: int | str, n: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>`` or, for a partial tile, ``tile/<L>/<N>.p/<W>``."""
    partial = f".p/{width}" if width < TILE_WIDTH else ""
    return f"tile/{level}/{tile_index(n)}{partial}"


def bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length and its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise ValueError(f"an entry of {len(entry)} bytes is over {MAX_ENTRY}")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def unbundle(data: bytes) -> list[bytes]:
    """The entries of an entry bundle (ValueError if it is cut short)."""
    entries, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise ValueError("an entry bundle ends inside a length")
        size = int.from_bytes(data[at : at + 2], "big")
        if at + 2 + size > len(data):
            raise ValueError("an entry bundle ends inside an entry")
        entries.append(data[at + 2 : at + 2 + size])
        at += 2 + size
    return entries


def levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """The hashes stored in tiles, per level: the leaf hashes, then at each level above the
    roots of every full group of 256 hashes of the level below."""
    out = [list(leaves)]
    while len(out[-1]) >= TILE_WIDTH:
        below = out[-1]
        out.append(
            [mth(below[i : i + TILE_WIDTH]) for i in range(0, len(below) // TILE_WIDTH * 256, 256)]
        )
    return out


def tiles(entries: Sequence[bytes]) -> dict[str, bytes]:
    """Every tile file of the log of ``entries`` (paths relative to the log's directory)."""
    files: dict[str, bytes] = {}
    leaves = [leaf_hash(e) for e in entries]
    for level, hashes in enumerate(levels(leaves)):
        for start in range(0, len(hashes), TILE_WIDTH):
            chunk = hashes[start : start + TILE_WIDTH]
            files[tile_path(level, start // TILE_WIDTH, len(chunk))] = b"".join(chunk)
    for start in range(0, len(entries), TILE_WIDTH):
        batch = entries[start : start + TILE_WIDTH]
        files[tile_path("entries", start // TILE_WIDTH, len(batch))] = bundle(batch)
    return files


def checkpoint_of(entries: Sequence[bytes], origin: str) -> Checkpoint:
    return Checkpoint(origin, len(entries), mth(leaf_hash(e) for e in entries))


def write_log(
    directory: Path, entries: Sequence[bytes], origin: str, key: Ed25519PrivateKey
) -> Checkpoint:
    """Write the tiles of ``entries`` that are not there yet, then the signed checkpoint.

    Tiles are immutable, so only new ones are written; the checkpoint is replaced last and
    atomically, so a reader never sees a checkpoint whose tiles are missing. Every replica of
    a service may write (each runs the job): under a lock on the directory, a checkpoint is
    never replaced by one of a smaller tree, so the log never appears to go back."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for path, data in tiles(entries).items():
            target = directory / path
            if not target.exists():
                atomic_write(target, data)
        checkpoint = checkpoint_of(entries, origin)
        target = directory / "checkpoint"
        if target.exists() and written_size(target.read_text(encoding="utf-8")) >= len(entries):
            return checkpoint
        atomic_write(target, sign_checkpoint(checkpoint, key).encode("utf-8"))
        return checkpoint


def written_size(note: str) -> int:
    """The tree size a checkpoint note names (-1 if it names none)."""
    lines = note.split("\n")
    return int(lines[1]) if len(lines) > 2 and lines[1].isdigit() else -1


def read_leaf_hashes(directory: Path, size: int) -> list[bytes]:
    """The leaf hashes of the first ``size`` entries, from the level-0 tiles."""
    out: list[bytes] = []
    for n in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, size - n * TILE_WIDTH)
        data = (directory / tile_path(0, n, width)).read_bytes()
        if len(data) != width * HASH_SIZE:
            raise ValueError(f"tile {tile_path(0, n, width)} holds {len(data)} bytes")
        out += [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
    return out


def b64url(data: bytes) -> str:
    """Base64url without padding, as in the board's QR links."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
