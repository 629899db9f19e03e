"""RFC 9162 Merkle trees (Certificate Transparency v2.0, §2.1), in the standard library only.

SHA-256; leaf hash ``H(0x00 || d)``, interior hash ``H(0x01 || left || right)``; a tree of n
leaves splits at k, the largest power of two below n; the empty tree's root is ``H("")``.
Proofs are RFC 9162 §2.1.3–2.1.4 audit paths (the RFC 6962 §2.1.1–2.1.2 format, which Go's
``tlog``, transparency-dev/merkle and the C2SP tlog specs use), deepest hash first.

- ``RootBuilder`` computes MTH streamed: one pass, a stack of at most log2(n) subtree roots.
- ``inclusion_path`` / ``consistency_path`` build proofs from a sequence of leaf hashes.
- ``verify_inclusion`` / ``verify_consistency`` raise ``ProofError`` unless the proof holds.

>>> root = mth([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")])
>>> verify_inclusion(2, 3, leaf_hash(b"c"), inclusion_path(2, leaves), root)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF = b"\x00"
_NODE = b"\x01"
_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A proof, a size or a hash does not check out (or is not well formed)."""


def leaf_hash(data: bytes) -> bytes:
    """``MTH({d}) = SHA-256(0x00 || d)``."""
    return _sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return _sha256(_NODE + left + right).digest()


class RootBuilder:
    """MTH of leaves appended one by one: O(log n) memory, each interior node hashed once.

    The stack holds the roots of the perfect subtrees the binary expansion of the size
    describes, largest first; the root folds them from the right.

    >>> builder = RootBuilder()
    >>> for h in leaf_hashes:
    ...     builder.append(h)
    >>> builder.root(), builder.size
    """

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self._stack: list[bytes] = []
        self.size = 0

    def append(self, digest: bytes) -> None:
        stack, carry = self._stack, self.size
        while carry & 1:
            digest = _sha256(_NODE + stack.pop() + digest).digest()
            carry >>= 1
        stack.append(digest)
        self.size += 1

    def extend(self, digests: Iterable[bytes]) -> None:
        """Append many leaves: each run of them that fills a whole aligned subtree is hashed
        level by level (one list comprehension a level), then merged like one appended node;
        the same interior nodes, each hashed once, with less Python per node."""
        leaves = digests if isinstance(digests, list) else list(digests)
        start, count = 0, len(leaves)
        while start < count:
            size = self.size
            block = size & -size if size else 1 << (count - start).bit_length()
            while block > count - start:
                block >>= 1
            level = leaves[start : start + block]
            while len(level) > 1:
                level = [
                    _sha256(_NODE + a + b).digest()
                    for a, b in zip(level[::2], level[1::2], strict=True)
                ]
            self._merge(level[0], block)
            start += block

    def _merge(self, digest: bytes, block: int) -> None:
        """Add the root of a perfect subtree of ``block`` leaves (``size`` is a multiple)."""
        stack, carry = self._stack, self.size // block
        while carry & 1:
            digest = _sha256(_NODE + stack.pop() + digest).digest()
            carry >>= 1
        stack.append(digest)
        self.size += block

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        stack = self._stack
        root = stack[-1]
        for left in reversed(stack[:-1]):
            root = _sha256(_NODE + left + root).digest()
        return root


def mth(leaf_hashes: Iterable[bytes]) -> bytes:
    """The Merkle Tree Hash of a sequence of leaf hashes, streamed."""
    builder = RootBuilder()
    builder.extend(leaf_hashes)
    return builder.root()


def _split(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    return mth(leaves[i] for i in range(start, end))


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """``PATH(m, D[n])`` of RFC 9162 §2.1.3.1 for leaf ``index`` of the tree of ``leaves``."""
    size = len(leaves)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(_subtree(leaves, start + k, end))
            end = start + k
        else:
            path.append(_subtree(leaves, start, start + k))
            start += k
    path.reverse()  # built root-down; the audit path runs leaf-up
    return path


def consistency_path(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """``PROOF(m, D[n])`` of RFC 9162 §2.1.4.1 from size ``first`` to ``len(leaves)``."""
    size = len(leaves)
    if not 0 < first <= size:
        raise ProofError(f"no consistency proof from size {first} to size {size}")
    path: list[bytes] = []
    start, end, m, whole = 0, size, first, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            path.append(_subtree(leaves, start + k, end))
            end = start + k
        else:
            path.append(_subtree(leaves, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        path.append(_subtree(leaves, start, end))
    path.reverse()
    return path


def _check_hashes(*hashes: bytes) -> None:
    for digest in hashes:
        if len(digest) != HASH_SIZE:
            raise ProofError(f"a hash must be {HASH_SIZE} bytes, got {len(digest)}")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or ProofError."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hashes(leaf, *proof)
    r = leaf
    for p, left in _siblings(index, size - 1, proof, "inclusion"):
        r = node_hash(p, r) if left else node_hash(r, p)
    return r


def _siblings(fn: int, sn: int, proof: Sequence[bytes], what: str) -> Iterator[tuple[bytes, bool]]:
    """The walk both proofs take up the tree (RFC 9162 §2.1.3.2 and §2.1.4.2, with their
    ``fn`` and ``sn``): each proof hash, and whether it is the left sibling of the node reached
    so far. ProofError if the ``what`` proof is longer or shorter than the tree is deep."""
    for p in proof:
        if sn == 0:
            raise ProofError(f"the {what} proof is longer than the tree is deep")
        left = bool(fn & 1) or fn == sn
        yield p, left
        if left:
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"the {what} proof is shorter than the tree is deep")


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless ``proof`` shows leaf ``index`` of tree ``size`` is ``leaf``."""
    _check_hashes(root)
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("the inclusion proof does not lead to the given root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless ``proof`` shows tree ``first`` is a prefix of tree ``second``.

    RFC 9162 §2.1.4.2; equal sizes need an empty proof and equal roots. Size 0 has no proof.
    """
    _check_hashes(first_root, second_root, *proof)
    if not 0 < first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if first == second:
        if proof or first_root != second_root:
            raise ProofError("equal sizes need equal roots and an empty proof")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the old root is a node of the new
        path.insert(0, first_root)
    if _consistency_roots(first, second, path) != (first_root, second_root):
        raise ProofError("the consistency proof does not lead to the given roots")


def _consistency_roots(first: int, second: int, path: list[bytes]) -> tuple[bytes, bytes]:
    """The roots of trees ``first`` and ``second`` that ``path`` leads to (RFC 9162
    §2.1.4.2, steps 3 to 6); ProofError if its length does not fit the trees."""
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c, left in _siblings(fn, sn, path[1:], "consistency"):
        if left:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
        else:
            sr = node_hash(sr, c)
    return fr, sr
