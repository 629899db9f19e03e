"""Proofs for auditors (AUDIT.md A3, A4): RFC 9162 paths wrapped in C2SP text formats.

- Inclusion: a ``c2sp.org/tlog-proof@v1`` file: ``index N``, the audit path (base64, one hash
  a line, deepest first), a blank line, the signed checkpoint of the head it proves against.
  Checked offline with the log's vkey and the event (an ``events.jsonl`` line of an export
  bundle): the event's leaf, at that index, must lead to the checkpoint's root.
- Consistency: the ``tlog-witness`` body: ``old N``, the consistency path, a blank line, the
  signed checkpoint of size M. Checked offline with the vkey and the signed checkpoint of N.

Both are built from the leaf log up to a signed head that has a checkpoint (ADR 0021, 0024).

>>> text = inclusion_proof(Path("var/treeheads"), "registry", position=42)
>>> check_inclusion_proof(text, parse_vkey(vkey_text), event_from_json(line))  # Checkpoint
"""

from __future__ import annotations

import base64
import binascii
import bisect
from pathlib import Path

from eventsourcing.persistence import Notification

from shequ.audit.bundle import parse_event_line
from shequ.audit.leaves import LeafLog, leaf_hash
from shequ.audit.notes import Checkpoint, NoteError, Verifier, open_checkpoint
from shequ.audit.rfc9162 import (
    ProofError,
    consistency_path,
    inclusion_path,
    verify_consistency,
    verify_inclusion,
)
from shequ.audit.sealer import LEAF_LOG, checkpoint_path, service_dir
from shequ.audit.treeheads import read_heads
from shequ.errors import NotFound, ValidationError

PROOF_HEADER = "c2sp.org/tlog-proof@v1"


def _signed_size(folder: Path, size: int | None) -> int:
    """The size of a signed head with a checkpoint: ``size`` itself, or the newest head."""
    heads = read_heads(folder)
    sizes = [head.tree_size for head in heads]
    chosen = sizes[-1] if size is None and sizes else size
    if chosen is None or chosen not in sizes or not checkpoint_path(folder, chosen).is_file():
        raise NotFound(
            f"没有大小为 {size if size is not None else '（任意）'} 的已签名树头及其检查点",
            f"no signed tree head with a checkpoint of size "
            f"{size if size is not None else '(any)'}",
            field="head",
        )
    return chosen


def _leaves(folder: Path, size: int) -> tuple[list[int], list[bytes]]:
    entries = list(LeafLog(folder / LEAF_LOG).entries(size))
    if len(entries) != size:
        raise NotFound(
            f"叶子日志不足 {size} 行，请先运行 shequ audit verify",
            f"the leaf log has fewer than {size} lines; run shequ audit verify",
            field="head",
        )
    return [e.position for e in entries], [e.leaf for e in entries]


def _lines(hashes: list[bytes]) -> str:
    return "".join(base64.b64encode(h).decode("ascii") + "\n" for h in hashes)


def inclusion_proof(directory: Path, service: str, position: int, head: int | None = None) -> str:
    """The tlog-proof that the event at ``position`` is in the tree of head ``head``
    (default: the newest)."""
    folder = service_dir(directory, service)
    size = _signed_size(folder, head)
    positions, leaves = _leaves(folder, size)
    index = bisect.bisect_left(positions, position)
    if index == size or positions[index] != position:
        raise NotFound(
            f"第 {position} 号事件不在大小为 {size} 的已签名树中",
            f"no event at position {position} in the signed tree of size {size}",
            field="position",
        )
    return (
        f"{PROOF_HEADER}\nindex {index}\n{_lines(inclusion_path(index, leaves))}\n"
        + checkpoint_path(folder, size).read_text(encoding="utf-8")
    )


def consistency_proof(directory: Path, service: str, first: int, second: int) -> str:
    """The tlog-witness body proving head ``first`` is a prefix of head ``second``."""
    folder = service_dir(directory, service)
    if not 0 < first <= second:
        raise ValidationError("须 0 < --from ≤ --to", "needs 0 < --from <= --to", field="from")
    _signed_size(folder, first)
    size = _signed_size(folder, second)
    _, leaves = _leaves(folder, size)
    return f"old {first}\n{_lines(consistency_path(first, leaves))}\n" + checkpoint_path(
        folder, size
    ).read_text(encoding="utf-8")


def _hashes(lines: list[str]) -> list[bytes]:
    try:
        return [base64.b64decode(line, validate=True) for line in lines]
    except binascii.Error:
        raise ProofError("a proof line is not base64") from None


def _split(text: str) -> tuple[list[str], str]:
    """The lines before the first blank line, and the checkpoint note after it."""
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise ProofError("no blank line before the checkpoint")
    return head.split("\n"), note


def check_inclusion_proof(text: str, verifier: Verifier, event: Notification) -> Checkpoint:
    """Verify a tlog-proof offline for ``event``; returns the checkpoint it proves against.
    Raises ProofError (the proof does not hold or is malformed) or NoteError (signature)."""
    lines, note = _split(text)
    if len(lines) < 2 or lines[0] != PROOF_HEADER or not lines[1].startswith("index "):
        raise ProofError(f"not a {PROOF_HEADER} proof")
    if lines[1][6:] != str(_number(lines[1][6:])):
        raise ProofError("malformed index")
    checkpoint = open_checkpoint(note, verifier)
    verify_inclusion(
        _number(lines[1][6:]),
        checkpoint.tree_size,
        leaf_hash(event),
        _hashes(lines[2:]),
        checkpoint.root,
    )
    return checkpoint


def check_consistency_proof(text: str, verifier: Verifier, old_note: str) -> Checkpoint:
    """Verify a tlog-witness body offline against the signed old checkpoint; returns the new
    checkpoint. Raises ProofError or NoteError."""
    lines, note = _split(text)
    if not lines[0].startswith("old ") or lines[0][4:] != str(_number(lines[0][4:])):
        raise ProofError("the body does not start with 'old N'")
    old = open_checkpoint(old_note, verifier)
    new = open_checkpoint(note, verifier)
    if old.tree_size != _number(lines[0][4:]):
        raise ProofError(
            f"the old checkpoint has size {old.tree_size}, the proof says {lines[0][4:]}"
        )
    verify_consistency(old.tree_size, new.tree_size, old.root, new.root, _hashes(lines[1:]))
    return new


def _number(text: str) -> int:
    if not text.isdigit():
        raise ProofError(f"not a number: {text[:20]!r}")
    return int(text)


def event_from_json(text: str) -> Notification:
    """An event as an export bundle's ``events.jsonl`` line gives it (state in base64)."""
    try:
        return parse_event_line(text)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ValidationError(
            "--event 须为导出包 events.jsonl 中的一行",
            "--event must be one line of an export bundle's events.jsonl",
            field="event",
        ) from exc


__all__ = [
    "NoteError",
    "ProofError",
    "check_consistency_proof",
    "check_inclusion_proof",
    "consistency_proof",
    "event_from_json",
    "inclusion_proof",
]
