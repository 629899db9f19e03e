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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from eventsourcing.persistence import Notification

LEAF_FORMAT = "shequ.audit.leaf/1"
HASH_ALGORITHM = "sha256"

_sha256 = hashlib.sha256


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
    return row_leaf_data(
        int(notification.id),
        _text(notification.originator_id),
        notification.originator_version,
        notification.topic,
        notification.state,
    )


def row_leaf_data(
    position: int, originator_id: str | None, version: object, topic: str | None, state: object
) -> bytes:
    """``leaf_data`` of a row read raw (``EventRows.stream``), without building objects.

    The same bytes as ``json.dumps(fields, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``, written out because the verifier does it for every stored event:
    plain text goes in as it is, anything JSON would escape goes through ``json.dumps``.
    """
    digest = "null" if state is None else f'"{_sha256(state_bytes(state)).hexdigest()}"'
    number = version if type(version) is int else _json(_integer(version))
    text = _TOPICS.get(topic) if type(topic) is str else None
    if text is None:
        text = _json(topic)
        if type(topic) is str and len(_TOPICS) < 10_000:
            _TOPICS[topic] = text
    return (
        f'{_HEAD}{_json(originator_id)},"originator_version":{number},'
        f'"position":{position},"state_sha256":{digest},"topic":{text}}}'
    ).encode()


_HEAD = f'{{"format":"{LEAF_FORMAT}","originator_id":'
_TOPICS: dict[str, str] = {}  # topic -> its JSON text; a service has a few dozen


def _json(value: object) -> str:
    if type(value) is str and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'  # printable: nothing json.dumps(ensure_ascii=False) would escape
    return json.dumps(value, ensure_ascii=False)


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
    """RFC 9162 leaf hash of the event: SHA-256(0x00 || leaf_data)."""
    return _sha256(b"\x00" + leaf_data(notification)).digest()


def row_leaf_hash(
    position: int, originator_id: str | None, version: object, topic: str | None, state: object
) -> bytes:
    """``leaf_hash`` of a row read raw (``EventRows.stream``)."""
    return _sha256(b"\x00" + row_leaf_data(position, originator_id, version, topic, state)).digest()


def row_leaves(
    rows: Iterable[tuple[Any, ...]], *, hex_ids: bool = False
) -> list[tuple[int, bytes]]:
    """``(position, leaf hash)`` of raw rows (``EventRows.batches``): ``row_leaf_hash`` of
    each, with the usual row (bytes state, integer version, plain id, a topic seen before)
    written out in one f-string; anything else goes through ``row_leaf_data``.

    ``hex_ids``: every originator id is 32 lower-case hex digits (``EventRows.raw_batches``
    said so for the batch), written here in the UUID's text form without a second pass."""
    sha, topics, head = _sha256, _TOPICS, "\x00" + _HEAD  # RFC 9162's leaf prefix, in front
    out: list[tuple[int, bytes]] = []
    append = out.append
    if hex_ids:
        for position, i, version, topic, state in rows:
            if type(state) is bytes and type(version) is int and topic in topics:
                data = (
                    f'{head}"{i[:8]}-{i[8:12]}-{i[12:16]}-{i[16:20]}-{i[20:]}",'
                    f'"originator_version":{version},"position":{position},'
                    f'"state_sha256":"{sha(state).hexdigest()}","topic":{topics[topic]}}}'
                )
            else:
                uuid_text = f"{i[:8]}-{i[8:12]}-{i[12:16]}-{i[16:20]}-{i[20:]}"
                data = "\x00" + row_leaf_data(position, uuid_text, version, topic, state).decode()
            append((position, sha(data.encode()).digest()))
        return out
    for position, originator_id, version, topic, state in rows:
        if (
            type(state) is bytes
            and type(version) is int
            and topic in topics
            and type(originator_id) is str
            and originator_id.isprintable()
            and '"' not in originator_id
            and "\\" not in originator_id
        ):
            data = (
                f'{head}"{originator_id}","originator_version":{version},'
                f'"position":{position},"state_sha256":"{sha(state).hexdigest()}",'
                f'"topic":{topics[topic]}}}'
            )
        else:
            data = "\x00" + row_leaf_data(position, originator_id, version, topic, state).decode()
        append((position, sha(data.encode()).digest()))
    return out


def leaf_lines(leaves: Iterable[tuple[int, bytes]]) -> bytes:
    """The leaf log's lines for ``leaves``, as ``LeafLog.append`` writes them."""
    return "".join([f"{position} {leaf.hex()}\n" for position, leaf in leaves]).encode("ascii")


def leaf_entry(notification: Notification) -> LeafEntry:
    return LeafEntry(int(notification.id), leaf_hash(notification))


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

    def entries(self, limit: int | None = None) -> Iterator[LeafEntry]:
        """The first ``limit`` complete lines (all if None), streamed, positions checked to
        increase; a torn last line is skipped. Memory stays flat whatever the log's size."""
        if not self.path.exists() or limit == 0:
            return
        previous, number = 0, 0
        with self.path.open("rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    return  # torn last line
                number += 1
                entry = parse_line(number, raw[:-1].decode("ascii", errors="replace"))
                if entry.position <= previous:
                    raise LeafLogError(
                        f"leaf log line {number}: position {entry.position} "
                        f"does not follow {previous}"
                    )
                previous = entry.position
                yield entry
                if number == limit:
                    return

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
        lines = leaf_lines(entries)
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new_file = not self.path.exists()
        with self.path.open("ab") as handle:
            handle.write(lines)
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
            raise LeafLogError(
                f"leaf log line {index}: position {entry.position} does not follow {previous}"
            )
        previous = entry.position


def fsync_directory(path: Path) -> None:
    """Make a new or renamed directory entry durable (POSIX)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
