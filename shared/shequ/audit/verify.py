"""Verification: replay a service's stored events against its signed tree heads.

Four checks, in order; the first that fails decides the report:
  1. every tree head carries a valid Ed25519 signature of this service's key;
  2. the leaf log reproduces every head's root at that head's size;
  3. the stored events, leaf by leaf, equal the sealed leaf log up to the last head,
     and the first position where they differ is named, with what happened there;
  4. every snapshot row holds the state its aggregate's stored events make at its version
     (``shequ.snapshots``); each that does not is named, ``snapshot_forged``.
Every stored row is read, whatever its position: a row at a position ≤ 0 (never issued by
the platform, invisible to the log's readers but loaded with its aggregate) or in a gap below
the last head is ``inserted``. So each aggregate's stored events are exactly its sealed ones
plus those stored after the last head, which are counted as ``unsealed`` and are not failures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder, Notification

from shequ.audit.leaves import (
    AuditError,
    LeafEntry,
    LeafLog,
    LeafLogError,
    leaf_hash,
    leaf_lines,
    row_leaf_hash,
    row_leaves,
)
from shequ.audit.rfc9162 import RootBuilder
from shequ.audit.sealer import LEAF_LOG, PAGE_SIZE, open_recorder, service_dir
from shequ.audit.treeheads import (
    ALGORITHM,
    PUBLIC_KEY_FILE,
    HeadFormatError,
    TreeHead,
    load_public_key,
    read_heads,
    signature_ok,
)
from shequ.recorders import EventRows
from shequ.snapshots import SnapshotCheck, check_snapshot_rows
from shequ.store import Store

Problem = Literal[
    "edited",
    "deleted",
    "inserted",
    "reordered",
    "bad_signature",
    "leaf_log_mismatch",
    "snapshot_forged",
]


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of one verification.

    >>> VerifyReport(ok=False, checked=120, heads=3, first_bad_position=57, problem="edited",
    ...              message_zh="第 57 号事件在封存后被改动…", message_en="the event at …",
    ...              unsealed=4)

    ``snapshots`` snapshot rows were checked against the events (after the events verified);
    ``forged_snapshots`` names each that differs, as (aggregate id, version).
    """

    ok: bool
    checked: int
    heads: int
    first_bad_position: int | None
    problem: Problem | None
    message_zh: str
    message_en: str
    unsealed: int
    snapshots: int = 0
    forged_snapshots: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Finding:
    problem: Problem
    position: int | None
    message_zh: str
    message_en: str


_AT_POSITION = {
    "edited": (
        "第 {p} 号事件在封存后被改动，内容与已签名的记录不符",
        "the event at position {p} was altered after it was sealed",
    ),
    "reordered": (
        "第 {p} 号位置上是原在第 {q} 号位置的事件：事件顺序被调换",
        "position {p} holds the event sealed at position {q}: events were reordered",
    ),
    "deleted": (
        "已封存的第 {p} 号事件已从数据库中删除",
        "the sealed event at position {p} was deleted from the database",
    ),
    "inserted": (
        "第 {p} 号事件是封存后插入的：已签名的记录中没有这个位置",
        (
            "the event at position {p} was inserted after sealing: "
            "the signed record has no such position"
        ),
    ),
}


def verify(
    service: str,
    recorder: ApplicationRecorder,
    directory: Path,
    public_key_path: Path | None = None,
) -> VerifyReport:
    """Check a service's stored events against its leaf log and signed tree heads.

    ``public_key_path`` should be a copy of the public key kept apart from the audit
    directory; without it the key published in the directory is trusted.
    """
    folder = service_dir(directory, service)
    rows = EventRows(recorder)
    try:
        heads = read_heads(folder)
    except HeadFormatError as exc:
        unreadable = bad_signature(f"树头文件无法读取：{exc}", f"a tree head is unreadable: {exc}")
        return _report(unreadable, _walk(rows, iter(()), 0, compare=False), [])
    # The events are read after the heads, so every sealed event is visible.
    last_position = heads[-1].last_position if heads else 0
    finding = _check_signatures(service, heads, public_key_path or folder / PUBLIC_KEY_FILE)
    log = LeafLog(folder / LEAF_LOG)
    size = heads[-1].tree_size if heads else 0
    # One pass when all is well; the step-by-step checks below say what is wrong otherwise.
    walk = _fast_pass(rows, log, heads) if finding is None and heads else None
    if walk is None:
        finding = finding or _check_leaf_log(heads, folder / LEAF_LOG)
        walk = _walk(
            rows, log.entries(size), last_position, compare=finding is None and bool(heads)
        )
    if walk.finding is not None:
        finding = _described(rows, walk.finding, log, size)
    # Snapshots last, against events that verified (a tampered event may not even decode).
    snapshots = check_snapshot_rows(service, recorder) if finding is None else SnapshotCheck(0, [])
    if snapshots.forged:
        finding = _forged(snapshots.forged)
    return dataclasses.replace(
        _report(finding, walk, heads),
        snapshots=snapshots.checked,
        forged_snapshots=snapshots.forged,
    )


def verify_service(
    service: str, store: Store, directory: Path, public_key_path: Path | None = None
) -> VerifyReport:
    """Verify a service from its store, opened without creating any table."""
    with open_recorder(service, store) as recorder:
        return verify(service, recorder, directory, public_key_path)


def read_stored(recorder: ApplicationRecorder) -> list[LeafEntry]:
    """Position and leaf hash of every stored event, in position order, ≤ 0 included."""
    return [LeafEntry(row[0], row_leaf_hash(*row)) for row in EventRows(recorder).stream()]


def every_row(rows: RowSource) -> Iterator[Notification]:
    after: int | None = None
    while True:
        page = rows.page(after, PAGE_SIZE)
        yield from page
        if len(page) < PAGE_SIZE:
            return
        after = page[-1].id


def _fast_pass(rows: EventRows, log: LeafLog, heads: list[TreeHead]) -> _Walk | None:
    """Checks 2 and 3 in one streamed pass, batch by batch, for a log that is intact.

    The stored rows up to the last head, written as leaf log lines, must be the leaf log's
    bytes (one comparison per batch), and the root built from their leaves must be every
    head's at its size, after the position it names. Any difference gives None, and the
    step-by-step checks run to name it: this pass only says "all is well", faster.
    """
    last = heads[-1]
    if any(head.tree_size <= 0 for head in heads) or not log.path.is_file():
        return None
    pending, tree = list(reversed(heads)), RootBuilder()
    checked = unsealed = 0
    with log.path.open("rb") as sealed:
        for batch, hex_ids in rows.raw_batches():
            checked += len(batch)
            covered = (
                batch
                if batch[-1][0] <= last.last_position
                else [row for row in batch if row[0] <= last.last_position]
            )
            unsealed += len(batch) - len(covered)
            if not covered:
                continue
            leaves = row_leaves(covered, hex_ids=hex_ids)
            lines = leaf_lines(leaves)
            if sealed.read(len(lines)) != lines or not _grow(tree, leaves, pending):
                return None
    if pending:
        return None  # heads (and sealed leaves) that no stored row reaches
    return _Walk(checked, unsealed, None)


def _grow(tree: RootBuilder, leaves: list[tuple[int, bytes]], pending: list[TreeHead]) -> bool:
    """Add leaves to the tree; at each head's size its root and last position must match."""
    done = 0
    while pending and tree.size + len(leaves) - done >= pending[-1].tree_size:
        head = pending.pop()
        upto = done + head.tree_size - tree.size
        if upto <= done:
            return False  # heads out of order
        tree.extend([leaf for _, leaf in leaves[done:upto]])
        done = upto
        if tree.root().hex() != head.root or leaves[done - 1][0] != head.last_position:
            return False
    tree.extend([leaf for _, leaf in leaves[done:]])
    return True


@dataclass(frozen=True)
class _Walk:
    """One pass over the stored rows: how many, how many after the last head, and where
    they first differ from the sealed leaves (a problem word and a position, or None)."""

    checked: int
    unsealed: int
    finding: tuple[Problem, int, LeafEntry | None] | None


def _walk(
    rows: EventRows, sealed: Iterator[LeafEntry], last_position: int, *, compare: bool
) -> _Walk:
    """Stream stored rows and sealed leaves together in position order, up to the last head.

    ``compare`` False: only count (an earlier check already failed). Memory is flat: one row
    and one sealed leaf at a time. After the first difference rows are only counted.
    """
    checked = unsealed = 0
    upto = last_position
    finding: tuple[Problem, int, LeafEntry | None] | None = None
    here = next(sealed, None) if compare else None
    for row in rows.stream():
        checked += 1
        position = row[0]
        if position > upto:
            unsealed += 1
            continue
        if not compare:
            continue
        if here is not None and here.position < position:
            finding, compare = ("deleted", here.position, None), False
        elif here is None or here.position > position:
            finding, compare = ("inserted", position, None), False
        elif row_leaf_hash(*row) != here.leaf:
            finding, compare = ("edited", position, here), False
        else:
            here = next(sealed, None)
    if compare and here is not None:
        finding = ("deleted", here.position, None)
    return _Walk(checked, unsealed, finding)


def _described(
    rows: EventRows, found: tuple[Problem, int, LeafEntry | None], log: LeafLog, size: int
) -> Finding:
    problem, position, sealed_here = found
    if sealed_here is None:
        return at_position(problem, position)
    return _changed(rows, sealed_here, log.entries(size))


def _report(finding: Finding | None, walk: _Walk, heads: list[TreeHead]) -> VerifyReport:
    stored, unsealed = walk.checked, walk.unsealed
    if finding is not None:
        return VerifyReport(
            False,
            stored,
            len(heads),
            finding.position,
            finding.problem,
            finding.message_zh,
            finding.message_en,
            unsealed,
        )
    zh = (
        f"核验通过：数据库中 {stored} 条事件，已核对 {len(heads)} 个签名树头；"
        f"其中 {unsealed} 条在最后一个树头之后，尚未封存"
    )
    en = (
        f"verified: {stored} stored events against {len(heads)} signed tree heads; "
        f"{unsealed} stored after the last head are not sealed yet"
    )
    return VerifyReport(True, stored, len(heads), None, None, zh, en, unsealed)


def _forged(forged: list[tuple[str, int]]) -> Finding:
    zh = "；".join(f"记录 {agg} 第 {version} 版" for agg, version in forged)
    en = "; ".join(f"{agg} at version {version}" for agg, version in forged)
    return Finding(
        "snapshot_forged",
        None,
        f"{len(forged)} 个快照与事件重建的状态不符（被伪造或改动），服务不会采用：{zh}",
        f"snapshot_forged: {len(forged)} snapshots differ from the state their "
        f"events make (forged or altered) and are not served: {en}",
    )


def bad_signature(zh: str, en: str) -> Finding:
    return Finding("bad_signature", None, zh, en)


def _leaf_log_mismatch(zh: str, en: str) -> Finding:
    return Finding("leaf_log_mismatch", None, zh, en)


def _check_signatures(service: str, heads: list[TreeHead], key_path: Path) -> Finding | None:
    if not heads:
        return None
    if not key_path.is_file():
        return bad_signature(
            f"找不到公钥 {key_path}，无法核对树头签名",
            f"no public key at {key_path} to check the tree heads with",
        )
    try:
        public_key = load_public_key(key_path)
    except (ValueError, AuditError) as exc:
        return bad_signature(
            f"公钥 {key_path} 无法读取：{exc}", f"the public key {key_path} is unreadable: {exc}"
        )
    return check_head_signatures(service, heads, public_key)


def check_head_signatures(
    service: str, heads: list[TreeHead], public_key: Ed25519PublicKey
) -> Finding | None:
    """Every head is a head of ``service``, signed by ``public_key``, unaltered."""
    for head in heads:
        if head.service != service or head.algorithm != ALGORITHM:
            return bad_signature(
                f"树头 {head.tree_size} 不属于服务 {service} 或算法不符",
                f"tree head {head.tree_size} is not a {ALGORITHM} head of {service}",
            )
        if not signature_ok(head, public_key):
            return bad_signature(
                f"树头 {head.tree_size} 的签名无效：树头被改动，或不是此公钥签发",
                f"tree head {head.tree_size} has an invalid signature: "
                "altered, or not signed by this key",
            )
    return None


def _check_leaf_log(heads: list[TreeHead], log_path: Path) -> Finding | None:
    """Rebuild the tree from the leaf log, streamed, and compare its root at every head."""
    if not heads:
        return None
    return check_leaf_entries(heads, LeafLog(log_path).entries(heads[-1].tree_size))


def check_leaf_entries(heads: list[TreeHead], entries: Iterable[LeafEntry]) -> Finding | None:
    """The entries must increase and reproduce every head's root at its size (one pass)."""
    if not heads:
        return None
    tree = RootBuilder()
    pending = iter(heads)
    head: TreeHead | None = next(pending)
    previous = 0
    try:
        for entry in entries:
            if entry.position <= previous:
                raise LeafLogError(
                    f"leaf log line {tree.size + 1}: position {entry.position} "
                    f"does not follow {previous}"
                )
            previous = entry.position
            tree.append(entry.leaf)
            while head is not None and head.tree_size == tree.size:
                if not _head_matches(head, tree, entry):
                    return _log_mismatch(head)
                head = next(pending, None)
            if head is None:
                break
    except LeafLogError as exc:
        return _leaf_log_mismatch(f"叶子日志已损坏：{exc}", f"the leaf log is damaged: {exc}")
    return None if head is None else _log_mismatch(head)  # the log is shorter than a head


def _log_mismatch(head: TreeHead) -> Finding:
    return _leaf_log_mismatch(
        f"叶子日志与树头 {head.tree_size} 不符：叶子日志被改动、截短或与树头不配套",
        f"the leaf log does not reproduce tree head {head.tree_size}: "
        "it was edited, truncated or belongs to other heads",
    )


def _head_matches(head: TreeHead, tree: RootBuilder, last: LeafEntry) -> bool:
    return (
        head.tree_size > 0
        and tree.root().hex() == head.root
        and last.position == head.last_position
    )


class RowSource(Protocol):
    """Rows in position order (``EventRows``, or the events of an export bundle)."""

    def page(self, after: int | None, limit: int) -> list[Notification]: ...


def compare(
    rows: RowSource, stored: list[LeafEntry], sealed: list[LeafEntry], last_position: int
) -> Finding | None:
    """Walk stored and sealed leaves in position order; describe the first difference."""
    covered = [entry for entry in stored if entry.position <= last_position]
    i = j = 0
    while i < len(covered) or j < len(sealed):
        here = covered[i] if i < len(covered) else None
        sealed_here = sealed[j] if j < len(sealed) else None
        if here and sealed_here and here.position == sealed_here.position:
            if here.leaf != sealed_here.leaf:
                return _changed(rows, sealed_here, sealed)
            i, j = i + 1, j + 1
        elif sealed_here and (here is None or sealed_here.position < here.position):
            return at_position("deleted", sealed_here.position)
        else:
            assert here is not None
            return at_position("inserted", here.position)
    return None


def _changed(rows: RowSource, sealed_here: LeafEntry, sealed: Iterable[LeafEntry]) -> Finding:
    """What now sits where ``sealed_here`` was sealed (both scans only run on a failure).

    ``reordered``: an event sealed at another position; ``inserted``: no sealed event, while
    the one sealed here is still stored elsewhere (moved away to make room); ``edited``: the
    event sealed here, changed.
    """
    position = sealed_here.position
    found = rows.page(position - 1, 1)
    if not found or found[0].id != position:  # changed again while we looked
        return at_position("edited", position)
    for entry in sealed:
        if entry.position != position:
            moved = dataclasses.replace(found[0], id=entry.position)
            if leaf_hash(moved) == entry.leaf:
                return at_position("reordered", position, entry.position)
    for row in every_row(rows):
        if (
            row.id != position
            and leaf_hash(dataclasses.replace(row, id=position)) == sealed_here.leaf
        ):
            return at_position("inserted", position)
    return at_position("edited", position)


def at_position(problem: Problem, position: int, other: int | None = None) -> Finding:
    zh, en = _AT_POSITION[problem]
    return Finding(
        problem, position, zh.format(p=position, q=other), en.format(p=position, q=other)
    )
