"""C2SP checkpoints (ADR 0021): every seal writes a signed note next to its JSON head, which
parses and verifies with the vkey `shequ audit vkey` prints; another origin, a forged
signature and a wrong key ID are refused."""

# ruff: noqa: F811  -- fixtures imported from audit_fixtures are redefined as test arguments
from __future__ import annotations

import base64
from pathlib import Path

import pytest
from audit_fixtures import audit_dir, key_path  # noqa: F401
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate
from shequ.app import ServiceApplication
from shequ.audit import Sealer, TreeHead, load_or_create_key
from shequ.audit.notes import (
    NoteError,
    note_key_id,
    open_checkpoint,
    parse_vkey,
    vkey,
)
from shequ.cli import main
from shequ.store import Store

SERVICE = "registry"
ORIGIN = "shequ.example/jiaohe/registry"


class Registry(ServiceApplication):
    pass


def _sealed(tmp_path: Path, audit_dir: Path, key_path: Path) -> TreeHead:
    """Three events in a real SQLite store, sealed once."""
    app = Registry(Store.parse(f"sqlite:///{tmp_path / 'registry.db'}"))
    try:
        for _ in range(3):
            app.save(Aggregate())
        head = Sealer(SERVICE, app.recorder, audit_dir, key_path).seal()
    finally:
        app.close()
    assert head is not None
    return head


def _checkpoint(audit_dir: Path, head: TreeHead) -> str:
    return (audit_dir / SERVICE / "checkpoints" / f"{head.tree_size:012d}.txt").read_text()


def test_each_seal_writes_a_checkpoint_that_verifies_with_the_printed_vkey(
    tmp_path: Path, audit_dir: Path, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = _sealed(tmp_path, audit_dir, key_path)
    assert (audit_dir / SERVICE / "heads" / f"{head.tree_size:012d}.json").is_file()
    note = _checkpoint(audit_dir, head)
    assert note.startswith(
        f"{ORIGIN}\n3\n{base64.b64encode(bytes.fromhex(head.root)).decode()}"
        "\n\n\u2014 " + ORIGIN + " "
    )

    monkeypatch.setenv("SHEQU_KEY_DIR", str(key_path.parent))
    key_path.rename(key_path.parent / f"{SERVICE}.ed25519.pem")
    result = CliRunner().invoke(main, ["audit", "vkey", "--service", SERVICE])
    assert result.exit_code == 0, result.output
    printed = result.output.strip()
    name, key_id, encoded = printed.split("+", 2)
    public = load_or_create_key(key_path.parent / f"{SERVICE}.ed25519.pem").public_key()
    assert name == ORIGIN and key_id == note_key_id(ORIGIN, public).hex()
    assert base64.b64decode(encoded)[0] == 1 and len(base64.b64decode(encoded)) == 33

    checkpoint = open_checkpoint(note, parse_vkey(printed))
    assert (checkpoint.tree_size, checkpoint.root.hex()) == (3, head.root)


def test_checkpoint_origin_follows_the_district_setting(
    tmp_path: Path, audit_dir: Path, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEQU_LOG_ORIGIN_PREFIX", "shequ.pingdu.example/gaojia")
    head = _sealed(tmp_path, audit_dir, key_path)
    assert _checkpoint(audit_dir, head).startswith("shequ.pingdu.example/gaojia/registry\n3\n")


def test_another_origin_a_forged_signature_or_a_wrong_key_id_is_refused(
    tmp_path: Path, audit_dir: Path, key_path: Path
) -> None:
    head = _sealed(tmp_path, audit_dir, key_path)
    note = _checkpoint(audit_dir, head)
    key = load_or_create_key(key_path)
    verifier = parse_vkey(vkey(ORIGIN, key.public_key()))

    other = parse_vkey(vkey("shequ.example/jiaohe/casework", key.public_key()))
    with pytest.raises(NoteError):  # signed for registry: no signature by this name
        open_checkpoint(note, other)
    renamed = note.replace(ORIGIN, "shequ.example/jiaohe/casework")  # body and signer renamed
    with pytest.raises(NoteError):
        open_checkpoint(renamed, other)
    with pytest.raises(NoteError):  # a valid note of another log, offered as this one's
        open_checkpoint(note, verifier, origin="shequ.example/jiaohe/casework")

    text, _, line = note.rpartition("\n\n")
    blob = base64.b64decode(line.split(" ")[2])
    forged = bytes(blob[:4]) + Ed25519PrivateKey.generate().sign(text.encode() + b"\n")
    forged_note = f"{text}\n\n\u2014 {ORIGIN} {base64.b64encode(forged).decode()}\n"
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(forged_note, verifier)
    bigger = note.replace(f"\n{head.tree_size}\n", f"\n{head.tree_size + 1}\n", 1)
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(bigger, verifier)

    wrong_id = bytes([blob[0] ^ 1]) + blob[1:]
    wrong_note = f"{text}\n\n\u2014 {ORIGIN} {base64.b64encode(wrong_id).decode()}\n"
    with pytest.raises(NoteError, match="no signature"):
        open_checkpoint(wrong_note, verifier)
    vk = vkey(ORIGIN, key.public_key()).split("+", 2)
    with pytest.raises(NoteError, match="ID does not match"):
        parse_vkey(f"{vk[0]}+00000000+{vk[2]}")


def test_a_vkey_whose_base64_holds_a_plus_parses() -> None:
    key = next(
        k
        for k in iter(Ed25519PrivateKey.generate, None)
        if "+" in vkey(ORIGIN, k.public_key()).split("+", 2)[2]
    )
    assert parse_vkey(vkey(ORIGIN, key.public_key())).key_id == note_key_id(
        ORIGIN, key.public_key()
    )


def test_a_checkpoint_lost_to_a_crash_after_its_head_is_written_when_the_sealer_starts(
    tmp_path: Path, audit_dir: Path, key_path: Path
) -> None:
    head = _sealed(tmp_path, audit_dir, key_path)
    path = audit_dir / SERVICE / "checkpoints" / f"{head.tree_size:012d}.txt"
    written = path.read_bytes()
    path.unlink()  # the crash came between the head and its checkpoint
    app = Registry(Store.parse(f"sqlite:///{tmp_path / 'registry.db'}"))
    try:
        Sealer(SERVICE, app.recorder, audit_dir, key_path)
    finally:
        app.close()
    assert path.read_bytes() == written  # Ed25519 is deterministic: the same note again
