"""RFC 9162 trees and proofs, pinned by the published CT test vectors and tried adversarially.

Vectors (data only): the 8 leaf inputs, the roots of sizes 0-8 and the inclusion and
consistency proofs of Google's certificate-transparency and transparency-dev/merkle
(``testonly/constants.go``, ``proof/verify_test.go``).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shequ.audit.rfc9162 import (
    EMPTY_ROOT,
    ProofError,
    RootBuilder,
    consistency_path,
    inclusion_path,
    leaf_hash,
    mth,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

H = bytes.fromhex
LEAF_INPUTS = [
    H(""),
    H("00"),
    H("10"),
    H("2021"),
    H("3031"),
    H("40414243"),
    H("5051525354555657"),
    H("606162636465666768696a6b6c6d6e6f"),
]
ROOTS = [
    H(x)
    for x in (  # by tree size, 0..8
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
# (leaf index, tree size, path)
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (first size, second size, path)
CONSISTENCY = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
LEAVES = [leaf_hash(d) for d in LEAF_INPUTS]
OTHER = H("abacaba000000000000000000000000000000000000000000060061e00123456")


def test_hashes_are_the_rfc_ones_by_hand() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )
    assert EMPTY_ROOT == ROOTS[0] == mth([])


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_ct_vectors(size: int) -> None:
    assert mth(LEAVES[:size]) == ROOTS[size]
    builder = RootBuilder()
    builder.extend(LEAVES[:size])
    assert (builder.root(), builder.size) == (ROOTS[size], size)


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_paths_match_the_vectors(index: int, size: int, path: list[str]) -> None:
    proof = [H(p) for p in path]
    assert inclusion_path(index, LEAVES[:size]) == proof
    verify_inclusion(index, size, LEAVES[index], proof, ROOTS[size])


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_paths_match_the_vectors(first: int, second: int, path: list[str]) -> None:
    proof = [H(p) for p in path]
    assert consistency_path(first, LEAVES[:second]) == proof
    verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)


def _flip(digest: bytes, bit: int) -> bytes:
    return bytes([digest[0] ^ (1 << bit)]) + digest[1:]


def _off(first: int, second: int) -> list[tuple[int, int]]:
    """The proof's two numbers (index and size, or two sizes) with one of them wrong: one less,
    one more, a bit flipped, doubled, halved."""
    return [
        (first - 1, second),
        (first + 1, second),
        (first ^ 2, second),
        (first, second * 2),
        (first, second // 2),
    ]


def _flipped(proof: list[bytes], bits: tuple[int, ...]) -> list[list[bytes]]:
    """The proof with one bit of one of its digests flipped, for each digest and each bit."""
    return [
        [_flip(p, bit) if i == n else p for i, p in enumerate(proof)]
        for n in range(len(proof))
        for bit in bits
    ]


def _inclusion_forgeries(
    index: int, size: int, root: bytes, leaf: bytes, proof: list[bytes]
) -> list[tuple[int, int, bytes, list[bytes], bytes]]:
    bad = [(i, s, leaf, proof, root) for i, s in _off(index, size)]
    bad += [
        (index, size, OTHER, proof, root),
        (index, size, leaf, proof, EMPTY_ROOT),
        (index, size, leaf, proof, OTHER),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, [root, *proof], root),
        (index, size, leaf, [*proof, b""], root),
        (size, size, leaf, proof, root),
    ]
    bad += [(index, size, leaf, flipped, root) for flipped in _flipped(proof, (0, 3, 7))]
    if proof:
        bad.append((index, size, leaf, proof[:-1], root))
        bad.append((index, size, leaf, [proof[0], OTHER, *proof[1:]], root))
    return bad


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_every_altered_inclusion_proof_fails(index: int, size: int, path: list[str]) -> None:
    proof = [H(p) for p in path]
    for bad_index, bad_size, leaf, bad_proof, root in _inclusion_forgeries(
        index, size, ROOTS[size], LEAVES[index], proof
    ):
        with pytest.raises(ProofError):
            verify_inclusion(bad_index, bad_size, leaf, bad_proof, root)


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_every_altered_consistency_proof_fails(first: int, second: int, path: list[str]) -> None:
    proof, r1, r2 = [H(p) for p in path], ROOTS[first], ROOTS[second]
    bad = [(n, m, r1, r2, proof) for n, m in _off(first, second)]
    bad += [
        (second, first, r1, r2, proof),
        (first, second, OTHER, r2, proof),
        (first, second, r1, OTHER, proof),
        (first, second, r2, r1, proof),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [*proof, r2]),
        (first, second, r1, r2, [r1, *proof]),
        (first, second, r1, r2, [proof[0], *proof]),
        (first, second, r1, r2, [*proof, b""]),
        (first, second, r1, r2, proof[:-1]),
        (0, second, EMPTY_ROOT, r2, proof),
        (0, second, EMPTY_ROOT, r2, []),
    ]
    bad += [(first, second, r1, r2, flipped) for flipped in _flipped(proof, (0, 4, 7))]
    for n, m, root1, root2, bad_proof in bad:
        with pytest.raises(ProofError):
            verify_consistency(n, m, root1, root2, bad_proof)


def test_edge_sizes() -> None:
    verify_inclusion(0, 1, LEAVES[0], [], ROOTS[1])
    verify_consistency(3, 3, ROOTS[3], ROOTS[3], [])
    for args in (
        (0, 0, LEAVES[0], [], EMPTY_ROOT),
        (1, 1, LEAVES[0], [], ROOTS[1]),
        (0, 1, b"", [], ROOTS[1]),
    ):
        with pytest.raises(ProofError):
            verify_inclusion(*args)  # type: ignore[arg-type]
    for cargs in (
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, []),
        (3, 3, ROOTS[3], ROOTS[4], []),
        (3, 3, ROOTS[3], ROOTS[3], [ROOTS[3]]),
        (4, 3, ROOTS[4], ROOTS[3], []),
    ):
        with pytest.raises(ProofError):
            verify_consistency(*cargs)  # type: ignore[arg-type]
    with pytest.raises(ProofError):
        inclusion_path(3, LEAVES[:3])
    with pytest.raises(ProofError):
        consistency_path(0, LEAVES[:3])


def _naive_mth(leaves: list[bytes]) -> bytes:
    """RFC 9162's recursive definition, word for word (the reference for the property)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_naive_mth(leaves[:k]), _naive_mth(leaves[k:]))


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 300), data=st.data())
def test_proofs_round_trip_over_random_sizes(size: int, data: st.DataObject) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    root = mth(leaves)
    assert root == _naive_mth(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_path(index, leaves)
    assert len(proof) <= (size - 1).bit_length()
    verify_inclusion(index, size, leaves[index], proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf_hash(b"other"), proof, root)
    first = data.draw(st.integers(1, size))
    old_root = mth(leaves[:first])
    consistency = consistency_path(first, leaves)
    verify_consistency(first, size, old_root, root, consistency)
    if first < size:
        with pytest.raises(ProofError):
            verify_consistency(first, size, mth(leaves[: first - 1] + [OTHER]), root, consistency)
        with pytest.raises(ProofError):
            verify_consistency(first, size, old_root, root, consistency[:-1])


@settings(max_examples=200, deadline=None)
@given(size=st.integers(0, 300), data=st.data())
def test_extending_in_any_chunks_gives_the_roots_of_appending_one_by_one(
    size: int, data: st.DataObject
) -> None:
    """``extend`` hashes whole aligned subtrees level by level: after every chunk, whatever
    the chunks' sizes, size and root are those of appending the same leaves one at a time."""
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(size)]
    cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=8)))
    one, chunked = RootBuilder(), RootBuilder()
    start = 0
    for cut in [*cuts, size]:
        chunked.extend(leaves[start:cut])
        for leaf in leaves[start:cut]:
            one.append(leaf)
        start = max(start, cut)
        assert (chunked.size, chunked.root()) == (one.size, one.root())
