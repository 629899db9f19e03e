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
from collections.abc import Iterator
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
    LeafTree,
    check_increasing,
    leaf_entry,
    leaf_hash,
)
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

Problem = Literal["edited", "deleted", "inserted", "reordered", "bad_signature",
                  "leaf_log_mismatch", "snapshot_forged"]


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
    "edited": ("第 {p} 号事件在封存后被改动，内容与已签名的记录不符",
               "the event at position {p} was altered after it was sealed"),
    "reordered": ("第 {p} 号位置上是原在第 {q} 号位置的事件：事件顺序被调换",
                  "position {p} holds the event sealed at position {q}: events were reordered"),
    "deleted": ("已封存的第 {p} 号事件已从数据库中删除",
                "the sealed event at position {p} was deleted from the database"),
    "inserted": ("第 {p} 号事件是封存后插入的：已签名的记录中没有这个位置",
                 ("the event at position {p} was inserted after sealing: "
                  "the signed record has no such position")),
}


def verify(service: str, recorder: ApplicationRecorder, directory: Path,
           public_key_path: Path | None = None) -> VerifyReport:
    """Check a service's stored events against its leaf log and signed tree heads.

    ``public_key_path`` should be a copy of the public key kept apart from the audit
    directory; without it the key published in the directory is trusted.
    """
    folder = service_dir(directory, service)
    try:
        heads = read_heads(folder)
    except HeadFormatError as exc:
        unreadable = bad_signature(f"树头文件无法读取：{exc}",
                                    f"a tree head is unreadable: {exc}")
        return _report(unreadable, read_stored(recorder), [], 0)
    stored = read_stored(recorder)  # after the heads, so every sealed event is visible
    rows = EventRows(recorder)
    last_position = heads[-1].last_position if heads else 0
    finding = (_check_signatures(service, heads, public_key_path or folder / PUBLIC_KEY_FILE)
               or _check_leaf_log(heads, folder / LEAF_LOG))
    if finding is None and heads:
        sealed = LeafLog(folder / LEAF_LOG).read()[:heads[-1].tree_size]
        finding = compare(rows, stored, sealed, last_position)
    # Snapshots last, against events that verified (a tampered event may not even decode).
    snapshots = check_snapshot_rows(service, recorder) if finding is None \
        else SnapshotCheck(0, [])
    if snapshots.forged:
        finding = _forged(snapshots.forged)
    return dataclasses.replace(_report(finding, stored, heads, last_position),
                               snapshots=snapshots.checked,
                               forged_snapshots=snapshots.forged)


def verify_service(service: str, store: Store, directory: Path,
                   public_key_path: Path | None = None) -> VerifyReport:
    """Verify a service from its store, opened without creating any table."""
    with open_recorder(service, store) as recorder:
        return verify(service, recorder, directory, public_key_path)


def read_stored(recorder: ApplicationRecorder) -> list[LeafEntry]:
    """Position and leaf hash of every stored event, in position order, ≤ 0 included."""
    return [leaf_entry(n) for n in every_row(EventRows(recorder))]


def every_row(rows: RowSource) -> Iterator[Notification]:
    after: int | None = None
    while True:
        page = rows.page(after, PAGE_SIZE)
        yield from page
        if len(page) < PAGE_SIZE:
            return
        after = page[-1].id


def _report(finding: Finding | None, stored: list[LeafEntry], heads: list[TreeHead],
            last_position: int) -> VerifyReport:
    unsealed = sum(1 for entry in stored if entry.position > last_position)
    if finding is not None:
        return VerifyReport(False, len(stored), len(heads), finding.position, finding.problem,
                            finding.message_zh, finding.message_en, unsealed)
    zh = (f"核验通过：数据库中 {len(stored)} 条事件，已核对 {len(heads)} 个签名树头；"
          f"其中 {unsealed} 条在最后一个树头之后，尚未封存")
    en = (f"verified: {len(stored)} stored events against {len(heads)} signed tree heads; "
          f"{unsealed} stored after the last head are not sealed yet")
    return VerifyReport(True, len(stored), len(heads), None, None, zh, en, unsealed)


def _forged(forged: list[tuple[str, int]]) -> Finding:
    zh = "；".join(f"记录 {agg} 第 {version} 版" for agg, version in forged)
    en = "; ".join(f"{agg} at version {version}" for agg, version in forged)
    return Finding("snapshot_forged", None,
                    f"{len(forged)} 个快照与事件重建的状态不符（被伪造或改动），服务不会采用："
                    f"{zh}",
                    f"snapshot_forged: {len(forged)} snapshots differ from the state their "
                    f"events make (forged or altered) and are not served: {en}")


def bad_signature(zh: str, en: str) -> Finding:
    return Finding("bad_signature", None, zh, en)


def _leaf_log_mismatch(zh: str, en: str) -> Finding:
    return Finding("leaf_log_mismatch", None, zh, en)


def _check_signatures(service: str, heads: list[TreeHead], key_path: Path) -> Finding | None:
    if not heads:
        return None
    if not key_path.is_file():
        return bad_signature(f"找不到公钥 {key_path}，无法核对树头签名",
                              f"no public key at {key_path} to check the tree heads with")
    try:
        public_key = load_public_key(key_path)
    except (ValueError, AuditError) as exc:
        return bad_signature(f"公钥 {key_path} 无法读取：{exc}",
                              f"the public key {key_path} is unreadable: {exc}")
    return check_head_signatures(service, heads, public_key)


def check_head_signatures(service: str, heads: list[TreeHead],
                          public_key: Ed25519PublicKey) -> Finding | None:
    """Every head is a head of ``service``, signed by ``public_key``, unaltered."""
    for head in heads:
        if head.service != service or head.algorithm != ALGORITHM:
            return bad_signature(f"树头 {head.tree_size} 不属于服务 {service} 或算法不符",
                                  f"tree head {head.tree_size} is not a {ALGORITHM} head "
                                  f"of {service}")
        if not signature_ok(head, public_key):
            return bad_signature(f"树头 {head.tree_size} 的签名无效：树头被改动，或不是此公钥签发",
                                  f"tree head {head.tree_size} has an invalid signature: "
                                  "altered, or not signed by this key")
    return None


def _check_leaf_log(heads: list[TreeHead], log_path: Path) -> Finding | None:
    """Rebuild the tree from the leaf log and compare its root at every head's size."""
    if not heads:
        return None
    try:
        entries = LeafLog(log_path).read()
    except LeafLogError as exc:
        return _leaf_log_mismatch(f"叶子日志已损坏：{exc}", f"the leaf log is damaged: {exc}")
    return check_leaf_entries(heads, entries)


def check_leaf_entries(heads: list[TreeHead], entries: list[LeafEntry]) -> Finding | None:
    """The leaf log's entries must increase and reproduce every head's root at its size."""
    try:
        check_increasing(entries)
    except LeafLogError as exc:
        return _leaf_log_mismatch(f"叶子日志已损坏：{exc}", f"the leaf log is damaged: {exc}")
    tree = LeafTree()
    for head in heads:
        while tree.get_size() < min(head.tree_size, len(entries)):
            tree.append_leaf_hash(entries[tree.get_size()].leaf)
        if not _head_matches(head, tree, entries):
            return _leaf_log_mismatch(
                f"叶子日志与树头 {head.tree_size} 不符：叶子日志被改动、截短或与树头不配套",
                f"the leaf log does not reproduce tree head {head.tree_size}: "
                "it was edited, truncated or belongs to other heads")
    return None


def _head_matches(head: TreeHead, tree: LeafTree, entries: list[LeafEntry]) -> bool:
    size = head.tree_size
    return (0 < size == tree.get_size() and tree.root_hex() == head.root
            and entries[size - 1].position == head.last_position)


class RowSource(Protocol):
    """Rows in position order (``EventRows``, or the events of an export bundle)."""

    def page(self, after: int | None, limit: int) -> list[Notification]: ...


def compare(rows: RowSource, stored: list[LeafEntry],
             sealed: list[LeafEntry], last_position: int) -> Finding | None:
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


def _changed(rows: RowSource, sealed_here: LeafEntry, sealed: list[LeafEntry]) -> Finding:
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
        if row.id != position and leaf_hash(dataclasses.replace(row, id=position)) \
                == sealed_here.leaf:
            return at_position("inserted", position)
    return at_position("edited", position)


def at_position(problem: Problem, position: int, other: int | None = None) -> Finding:
    zh, en = _AT_POSITION[problem]
    return Finding(problem, position, zh.format(p=position, q=other),
                    en.format(p=position, q=other))
