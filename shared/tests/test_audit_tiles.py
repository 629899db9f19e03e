"""C2SP tlog-tiles as ``shequ.audit.tiles`` writes them: the path encoding of the spec's own
examples, entry bundles, the tiles of a log over two levels checked against an RFC 6962 tree
computed here from the definition, immutable tiles and a checkpoint written last."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from shequ.audit.notes import NoteError, open_checkpoint, parse_vkey, vkey
from shequ.audit.tiles import (
    bundle,
    read_leaf_hashes,
    tile_index,
    tile_path,
    tiles,
    unbundle,
    write_log,
)
from shequ.audit.treeheads import load_or_create_key
from shequ.cli import main
from shequ.config import log_origin
from shequ.testing import naive_root

ORIGIN = "example.com/test/disclosures"


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@pytest.mark.parametrize(
    ("n", "path"),
    [(0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_tile_index_is_written_in_groups_of_three_digits(n: int, path: str) -> None:
    assert tile_index(n) == path


def test_partial_tiles_have_their_own_paths() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(0, 1234067, 8) == "tile/0/x001/x234/067.p/8"
    assert tile_path("entries", 0, 255) == "tile/entries/000.p/255"


def test_entry_bundles_are_length_prefixed_and_read_back() -> None:
    entries = [b"", b"a", "东王家村".encode(), b"x" * 300]
    data = bundle(entries)
    assert data[:5] == b"\x00\x00\x00\x01a"
    assert unbundle(data) == entries
    with pytest.raises(ValueError, match="ends inside"):
        unbundle(data[:-1])
    with pytest.raises(ValueError, match="over"):
        bundle([b"x" * 70_000])


def test_the_tiles_of_a_log_over_two_levels() -> None:
    entries = [f"entry {i}".encode() for i in range(600)]
    leaves = [_h(b"\x00" + e) for e in entries]
    files = tiles(entries)
    assert sorted(files) == sorted(
        [
            "tile/0/000",
            "tile/0/001",
            "tile/0/002.p/88",
            "tile/1/000.p/2",
            "tile/entries/000",
            "tile/entries/001",
            "tile/entries/002.p/88",
        ]
    )
    assert files["tile/0/001"] == b"".join(leaves[256:512])
    # a level-1 hash is the root of the 256 leaves below it
    assert files["tile/1/000.p/2"] == naive_root(leaves[:256]) + naive_root(leaves[256:512])
    assert unbundle(files["tile/entries/002.p/88"]) == entries[512:]


def test_write_log_signs_a_checkpoint_over_the_tiles(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    entries = [f"entry {i}".encode() for i in range(300)]
    checkpoint = write_log(tmp_path, entries[:200], ORIGIN, key)
    first_partial = (tmp_path / "tile/0/000.p/200").read_bytes()
    checkpoint = write_log(tmp_path, entries, ORIGIN, key)
    verifier = parse_vkey(vkey(ORIGIN, key.public_key()))
    opened = open_checkpoint((tmp_path / "checkpoint").read_text(), verifier)
    leaves = [_h(b"\x00" + e) for e in entries]
    assert opened == checkpoint and opened.root == naive_root(leaves)
    assert read_leaf_hashes(tmp_path, 300) == leaves
    # the older partial tile stays as it was, for readers of the older checkpoint
    assert (tmp_path / "tile/0/000.p/200").read_bytes() == first_partial
    assert read_leaf_hashes(tmp_path, 200) == leaves[:200]


def test_the_printed_vkey_of_finances_disclosure_log_opens_its_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEQU_KEY_DIR", str(tmp_path / "keys"))
    key = load_or_create_key(tmp_path / "keys" / "finance.ed25519.pem")
    write_log(tmp_path / "log", [b"one", b"two"], log_origin("disclosures"), key)
    result = CliRunner().invoke(
        main, ["audit", "vkey", "--service", "finance", "--log", "disclosures"]
    )
    assert result.exit_code == 0, result.output
    printed = result.output.strip()
    assert printed.startswith("shequ.example/jiaohe/disclosures+")
    note = (tmp_path / "log" / "checkpoint").read_text()
    assert open_checkpoint(note, parse_vkey(printed)).tree_size == 2
    finance_log = CliRunner().invoke(main, ["audit", "vkey", "--service", "finance"]).output
    with pytest.raises(NoteError):  # finance's own log's vkey is another key name
        open_checkpoint(note, parse_vkey(finance_log))


def test_a_replica_behind_never_takes_the_checkpoint_back(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    entries = [f"entry {i}".encode() for i in range(10)]
    write_log(tmp_path, entries, ORIGIN, key)
    ahead = (tmp_path / "checkpoint").read_bytes()
    behind = write_log(tmp_path, entries[:7], ORIGIN, key)  # a replica not yet caught up
    assert behind.tree_size == 7
    assert (tmp_path / "checkpoint").read_bytes() == ahead
    write_log(tmp_path, [*entries, b"entry 10"], ORIGIN, key)
    assert (tmp_path / "checkpoint").read_text().split("\n")[1] == "11"
