"""`shequ witness serve` (AUDIT.md A6, c2sp.org/tlog-witness): a real HTTP server on a free
port answers each status code the protocol names, its cosignature verifies when the signed
bytes are rebuilt by hand, its state survives a restart, and of concurrent requests from the
same old size only one is cosigned."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from shequ.audit.notes import Checkpoint, sign_checkpoint, sign_note, vkey
from shequ.audit.rfc9162 import consistency_path, leaf_hash, mth
from shequ.cli import main
from witness_support import Running

ORIGIN = "shequ.example/jiaohe/finance"
WITNESS = "witness.sanzi.example/jiaohe"
LEAVES = [leaf_hash(f"event {i}".encode()) for i in range(20)]


class Log:
    """A log's checkpoints and proofs, from LEAVES, signed with its key."""

    def __init__(self, key: Ed25519PrivateKey, origin: str = ORIGIN) -> None:
        self.key = key
        self.origin = origin

    def note(self, size: int, root: bytes | None = None) -> str:
        checkpoint = Checkpoint(self.origin, size, root or mth(LEAVES[:size]))
        return sign_checkpoint(checkpoint, self.key)

    def body(self, old: int, size: int, proof: list[bytes] | None = None) -> bytes:
        if proof is None:
            proof = consistency_path(old, LEAVES[:size]) if 0 < old < size else []
        lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        return f"old {old}\n{lines}\n{self.note(size)}".encode()


@pytest.fixture
def log_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def witness_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def logs(tmp_path: Path, log_key: Ed25519PrivateKey) -> Path:
    path = tmp_path / "logs.txt"
    path.write_text(f"# finance\n{vkey(ORIGIN, log_key.public_key())}\n", encoding="utf-8")
    return path


@pytest.fixture
def running(tmp_path: Path, logs: Path, witness_key: Ed25519PrivateKey) -> Iterator[Running]:
    server = Running(tmp_path / "state", logs, witness_key, WITNESS)
    yield server
    server.stop()


def _independently_verified(line: str, note: str, witness_key: Ed25519PrivateKey) -> int:
    """Check a cosignature line by rebuilding its key ID and signed message by hand."""
    raw = witness_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert line.startswith(f"\u2014 {WITNESS} ") and line.endswith("\n")
    blob = base64.b64decode(line.split(" ")[2])
    assert len(blob) == 4 + 8 + 64
    assert blob[:4] == hashlib.sha256(WITNESS.encode() + b"\n\x04" + raw).digest()[:4]
    timestamp = int.from_bytes(blob[4:12], "big")
    body = note[: note.index("\n\n") + 1]
    message = b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + body.encode()
    witness_key.public_key().verify(blob[12:], message)  # raises InvalidSignature if not
    return timestamp


def test_cosigns_a_first_checkpoint_and_then_a_consistent_one(
    running: Running, log_key: Ed25519PrivateKey, witness_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    status, _, line = running.post(log.body(0, 5))
    assert status == 200
    assert _independently_verified(line, log.note(5), witness_key) == 1_700_000_000
    status, _, line = running.post(log.body(5, 12))
    assert status == 200
    _independently_verified(line, log.note(12), witness_key)
    status, _, line = running.post(log.body(12, 12))  # the same again: cosigned again
    assert status == 200
    # a cosignature of checkpoint 12 is not one of checkpoint 5
    with pytest.raises(InvalidSignature):
        _independently_verified(line, log.note(5), witness_key)


def test_each_refusal_has_the_status_the_protocol_names(
    running: Running, log_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    assert running.post(log.body(0, 8))[0] == 200
    # 404: a log this witness does not know
    assert running.post(Log(log_key, "other.example/log").body(0, 3))[0] == 404
    # 403: signed by another key, altered after signing, or not signed at all
    assert running.post(Log(Ed25519PrivateKey.generate()).body(8, 10))[0] == 403
    altered = log.body(8, 10).replace(b"\n10\n", b"\n11\n")
    assert running.post(altered)[0] == 403
    unsigned = f"old 8\n\n{ORIGIN}\n10\n{base64.b64encode(mth(LEAVES[:10])).decode()}\n\n"
    assert running.post(unsigned.encode())[0] == 403
    # 400: old larger than the checkpoint, or a malformed body
    assert running.post(log.body(9, 8, proof=[]))[0] == 400
    assert running.post(b"old 08\n\n" + log.note(10).encode())[0] == 400
    assert running.post(b"new 8\n\n" + log.note(10).encode())[0] == 400
    assert running.post(b"old 8\n" + b"A" * 70_000 + b"\n\n" + log.note(10).encode())[0] == 400
    # 409: old is not the size last cosigned; the body says which, as text/x.tlog.size
    status, kind, body = running.post(log.body(5, 10))
    assert (status, kind, body) == (409, "text/x.tlog.size", "8\n")
    status, kind, body = running.post(log.body(0, 10))
    assert (status, body) == (409, "8\n")
    # 422: a proof that does not verify; the same size with another root
    proof = consistency_path(8, LEAVES[:10])
    proof[0] = hashlib.sha256(b"forged").digest()
    assert running.post(log.body(8, 10, proof=proof))[0] == 422
    other = Log(log_key).note(8, root=hashlib.sha256(b"split view").digest())
    assert running.post(f"old 8\n\n{other}".encode())[0] == 422
    # none of these moved the witness: 8 -> 10 is still cosigned
    assert running.post(log.body(8, 10))[0] == 200
    assert running.post(log.body(8, 10), path="/elsewhere")[0] == 404


def test_a_checkpoint_with_other_signatures_is_accepted_on_the_logs(
    running: Running, log_key: Ed25519PrivateKey
) -> None:
    """Signatures by unknown keys are ignored (another witness's cosignature, say)."""
    log = Log(log_key)
    note = log.note(4)
    extra = sign_note(note[: note.index("\n\n") + 1], "someone.else", Ed25519PrivateKey.generate())
    both = note + extra[extra.index("\n\n") + 2 :]
    assert running.post(f"old 0\n\n{both}".encode())[0] == 200


def test_state_survives_a_restart(
    tmp_path: Path, logs: Path, log_key: Ed25519PrivateKey, witness_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    first = Running(tmp_path / "state", logs, witness_key, WITNESS)
    try:
        assert first.post(log.body(0, 6))[0] == 200
    finally:
        first.stop()
    files = sorted(p.name for p in (tmp_path / "state").iterdir())
    assert not [name for name in files if name.endswith(".tmp")], files
    second = Running(tmp_path / "state", logs, witness_key, WITNESS)
    try:
        assert second.post(log.body(0, 9))[:3:2] == (409, "6\n")
        assert second.post(log.body(6, 9))[0] == 200
    finally:
        second.stop()


def test_of_concurrent_requests_from_one_old_size_one_is_cosigned(
    running: Running, log_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    assert running.post(log.body(0, 4))[0] == 200
    bodies = [log.body(4, size) for size in range(5, 20)] * 2
    answers: list[tuple[int, str, str]] = []
    gate = threading.Barrier(len(bodies))

    def send(body: bytes) -> None:
        gate.wait()
        answers.append(running.post(body))

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(a[0] for a in answers)
    assert statuses == [200] + [409] * (len(bodies) - 1), statuses
    winner = next(a for a in answers if a[0] == 200)
    sizes = {a[2] for a in answers if a[0] == 409}
    assert len(sizes) == 1 and sizes.pop().strip().isdigit()
    assert winner[2].startswith(f"\u2014 {WITNESS} ")


def test_keygen_writes_a_key_and_its_vkey(tmp_path: Path) -> None:
    key = tmp_path / "w" / "witness.pem"
    made = CliRunner().invoke(main, ["witness", "keygen", "--name", WITNESS, "--key", str(key)])
    assert made.exit_code == 0, made.output
    text = made.output.strip()
    assert (
        text.startswith(f"{WITNESS}+")
        and (tmp_path / "w" / "witness.pem.vkey").read_text(encoding="ascii").strip() == text
    )
    assert base64.b64decode(text.split("+", 2)[2])[:1] == b"\x04"
    again = CliRunner().invoke(main, ["witness", "keygen", "--name", WITNESS, "--key", str(key)])
    assert again.exit_code != 0 and "never overwritten" in again.output
