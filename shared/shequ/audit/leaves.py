"""Leaves of a service's audit tree: one per stored event, and the append-only leaf log.

A leaf commits to an event's position (its notification id) and its content, so an edit,
a move to another position, a deletion or an insertion all change the sequence of leaves.
The leaf log ``<service>/leaves.log`` holds one line per leaf, ``<position> <leaf hash hex>``,
and lives outside the database, so whoever can write to the database cannot rewrite it too.

Example line::

    42 5f1c...e9 (64 hex digits: SHA-256 of 0x00 || leaf_data, RFC 9162 §2.1)
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from eventsourcing.persistence import Notification
from pymerkle import InmemoryTree
from pymerkle.hasher import MerkleHasher

LEAF_FORMAT = "shequ.audit.leaf/1"
HASH_ALGORITHM = "sha256"

_HASHER = MerkleHasher(HASH_ALGORITHM)  # security=True: leaf prefix 0x00, node prefix 0x01


class AuditError(Exception):
    """The audit files cannot be used as they are."""


class LeafLogError(AuditError):
    """The leaf log is malformed or does not match the signed tree heads."""


class LeafEntry(NamedTuple):
    """One sealed event: its position in the application sequence and its leaf hash."""

    position: int
    leaf: bytes


def leaf_data(notification: Notification) -> bytes:
    """The canonical bytes of one stored event, including its position.

    Canonical JSON (sorted keys, no spaces, UTF-8) so an auditor can recompute it in any
    language; the state is represented by its SHA-256, not embedded. A column emptied by hand
    (NULL) is ``null``, so the verifier names that row instead of stopping on it.

    >>> # {"format":"shequ.audit.leaf/1","originator_id":"…","originator_version":1,
    >>> #  "position":42,"state_sha256":"…","topic":"registry:Household.Registered"}
    """
    state = notification.state
    fields = {
        "format": LEAF_FORMAT,
        "position": int(notification.id),
        "originator_id": _text(notification.originator_id),
        "originator_version": _integer(notification.originator_version),
        "topic": notification.topic,
        "state_sha256": None if state is None else hashlib.sha256(state_bytes(state)).hexdigest(),
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _integer(value: object) -> int | str | None:
    # SQLite keeps whatever a hand-written row put in the column: hash it as it is.
    if value is None or isinstance(value, int):
        return value
    return str(value)


def state_bytes(state: object) -> bytes:
    # A row edited by hand may come back as text (SQLite's replace() returns TEXT): hash what
    # is there, so the edit shows up as a changed leaf instead of stopping the verifier.
    if isinstance(state, str):
        return state.encode("utf-8")
    return bytes(state)  # type: ignore[call-overload]


def leaf_hash(notification: Notification) -> bytes:
    """RFC 9162 leaf hash of the event: SHA-256(0x00 || leaf_data), computed by pymerkle."""
    return bytes(_HASHER.hash_buff(leaf_data(notification)))


def leaf_entry(notification: Notification) -> LeafEntry:
    return LeafEntry(int(notification.id), leaf_hash(notification))


class LeafTree(InmemoryTree):
    """pymerkle's in-memory RFC 9162 tree, fed with leaf hashes read back from the leaf log.

    The leaf log keeps hashes, not leaf data, so leaves are appended through the backend's
    own storage hook (``_store_leaf``) instead of ``append_entry``, which would hash again.
    """

    def __init__(self) -> None:
        super().__init__(HASH_ALGORITHM)

    def append_leaf_hash(self, digest: bytes) -> int:
        """Append a leaf whose hash is already known; returns the new tree size."""
        if len(digest) != self.hashfunc().digest_size:
            raise ValueError(f"leaf hash must be {self.hashfunc().digest_size} bytes")
        with self.lock:
            return int(self._store_leaf(None, digest))

    def root_hex(self, size: int | None = None) -> str:
        return bytes(self.get_root(size)).hex()


class LeafLog:
    """The append-only file of sealed leaves, one ``position hex`` line each."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def size_bytes(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def read(self) -> list[LeafEntry]:
        """All complete lines, in file order. A torn last line (no newline) is skipped."""
        if not self.path.exists():
            return []
        text = self.path.read_bytes().decode("ascii", errors="replace")
        lines = text.split("\n")[:-1]  # the part after the last newline is not a full line
        return [parse_line(number, line) for number, line in enumerate(lines, start=1)]

    def repair_tail(self) -> None:
        """Cut a torn last line left by a crash mid-append, so the next append stays clean."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        keep = data.rfind(b"\n") + 1
        if keep < len(data):
            with self.path.open("r+b") as handle:
                handle.truncate(keep)
                handle.flush()
                os.fsync(handle.fileno())

    def append(self, entries: Iterable[LeafEntry]) -> None:
        """Append entries and fsync before returning; a head may then refer to them."""
        lines = "".join(f"{e.position} {e.leaf.hex()}\n" for e in entries)
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new_file = not self.path.exists()
        with self.path.open("ab") as handle:
            handle.write(lines.encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
        if new_file:
            fsync_directory(self.path.parent)


def parse_line(number: int, line: str) -> LeafEntry:
    parts = line.split(" ")
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
        raise LeafLogError(f"leaf log line {number} is malformed: {line[:80]!r}")
    try:
        return LeafEntry(int(parts[0]), bytes.fromhex(parts[1]))
    except ValueError as exc:
        raise LeafLogError(f"leaf log line {number} is malformed: {line[:80]!r}") from exc


def check_increasing(entries: list[LeafEntry]) -> None:
    """Positions in the leaf log must strictly increase, as notification ids do."""
    previous = 0
    for index, entry in enumerate(entries, start=1):
        if entry.position <= previous:
            raise LeafLogError(f"leaf log line {index}: position {entry.position} "
                               f"does not follow {previous}")
        previous = entry.position


def fsync_directory(path: Path) -> None:
    """Make a new or renamed directory entry durable (POSIX)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
