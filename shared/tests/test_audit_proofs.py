"""Proofs for auditors (A3, A4): `shequ audit prove` / `check-proof` (C2SP tlog-proof) and
`shequ audit consistency` / `check-consistency` (tlog-witness body), checked offline with the
vkey; altered proofs, another event, a wrong index and a forged checkpoint are refused."""

# ruff: noqa: F811  -- fixtures imported from audit_fixtures are redefined as test arguments
from __future__ import annotations

import base64
from pathlib import Path

from audit_fixtures import audit_dir, key_path  # noqa: F401
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate
from shequ.app import ServiceApplication
from shequ.audit import Sealer, load_or_create_key
from shequ.audit.bundle import event_line
from shequ.audit.notes import Checkpoint, parse_checkpoint, sign_checkpoint, vkey
from shequ.cli import main
from shequ.config import log_origin
from shequ.recorders import EventRows
from shequ.store import Store

SERVICE = "registry"


class Registry(ServiceApplication):
    pass


def _log(tmp_path: Path, audit_dir: Path, key_path: Path) -> list[bytes]:
    """5 events sealed (head 5), 3 more sealed (head 8); the events as events.jsonl lines."""
    app = Registry(Store.parse(f"sqlite:///{tmp_path / 'registry.db'}"))
    try:
        sealer = Sealer(SERVICE, app.recorder, audit_dir, key_path)
        for count in (5, 3):
            for _ in range(count):
                app.save(Aggregate())
            sealer.seal()
        return [event_line(row, None) for row in EventRows(app.recorder).page(None, 100)]
    finally:
        app.close()


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _consistency(audit_dir: Path, first: int, second: int) -> Result:
    """``shequ audit consistency`` from tree size ``first`` to ``second``."""
    words = f"audit consistency --service {SERVICE} --from {first} --to {second} --treeheads"
    return _run(*words.split(), audit_dir)


def _checkpoint(audit_dir: Path, size: int) -> Path:
    return audit_dir / SERVICE / "checkpoints" / f"{size:012d}.txt"


def _flip_first_hash(text: str, skip: int) -> str:
    lines = text.split("\n")
    raw = bytearray(base64.b64decode(lines[skip]))
    raw[0] ^= 1
    lines[skip] = base64.b64encode(bytes(raw)).decode()
    return "\n".join(lines)


def test_inclusion_proof_checks_offline_and_refuses_alterations(
    tmp_path: Path, audit_dir: Path, key_path: Path
) -> None:
    events = _log(tmp_path, audit_dir, key_path)
    key = vkey(log_origin(SERVICE), load_or_create_key(key_path).public_key())
    proof = tmp_path / "p.txt"
    made = _run(
        "audit",
        "prove",
        "--service",
        SERVICE,
        "--position",
        "4",
        "--head",
        "5",
        "--treeheads",
        audit_dir,
        "--out",
        proof,
    )
    assert made.exit_code == 0, made.output
    text = proof.read_text()
    assert text.startswith("c2sp.org/tlog-proof@v1\nindex 3\n")
    assert text.endswith(_checkpoint(audit_dir, 5).read_text())
    event = events[3].decode()
    ok = _run("audit", "check-proof", proof, "--vkey", key, "--event", event)
    assert ok.exit_code == 0 and "the proof holds" in ok.output, ok.output
    newest = _run(
        "audit", "prove", "--service", SERVICE, "--position", "8", "--treeheads", audit_dir
    )
    assert newest.exit_code == 0 and "index 7\n" in newest.output

    other_key = vkey(log_origin(SERVICE), Ed25519PrivateKey.generate().public_key())
    bad = tmp_path / "bad.txt"
    for altered, event_text, verifier in (
        (_flip_first_hash(text, 2), event, key),  # a proof hash
        (text.replace("index 3\n", "index 2\n"), event, key),  # another index
        (text, events[2].decode(), key),  # another event
        (text, event.replace('"originator_version":1', '"originator_version":2'), key),
        (text, event, other_key),  # another log's key
        ("\n".join(text.split("\n")[:2] + text.split("\n")[3:]), event, key),
    ):  # one less
        bad.write_text(altered)
        refused = _run("audit", "check-proof", bad, "--vkey", verifier, "--event", event_text)
        assert refused.exit_code == 1, (altered, refused.output)
    missing = _run(
        "audit", "prove", "--service", SERVICE, "--position", "9", "--treeheads", audit_dir
    )
    assert missing.exit_code == 2


def test_consistency_body_checks_offline_and_refuses_a_forked_log(
    tmp_path: Path, audit_dir: Path, key_path: Path
) -> None:
    _log(tmp_path, audit_dir, key_path)
    key = vkey(log_origin(SERVICE), load_or_create_key(key_path).public_key())
    made = _consistency(audit_dir, 5, 8)
    assert made.exit_code == 0, made.output
    assert made.output.startswith("old 5\n")
    assert made.output.endswith("\n\n" + _checkpoint(audit_dir, 8).read_text())
    body = tmp_path / "body.txt"
    body.write_text(made.output)
    old = _checkpoint(audit_dir, 5)
    ok = _run("audit", "check-consistency", body, "--vkey", key, "--old", old)
    assert ok.exit_code == 0 and "the proof holds" in ok.output, ok.output

    # A forked log: a checkpoint of size 5 with another root, signed with the log's own key.
    genuine = parse_checkpoint(old.read_text().split("\n\n")[0] + "\n")
    forked = tmp_path / "forked.txt"
    forked.write_text(
        sign_checkpoint(Checkpoint(genuine.origin, 5, bytes(32)), load_or_create_key(key_path))
    )
    refused = _run("audit", "check-consistency", body, "--vkey", key, "--old", forked)
    assert refused.exit_code == 1, refused.output
    for altered in (_flip_first_hash(made.output, 1), made.output.replace("old 5", "old 4")):
        body.write_text(altered)
        assert _run("audit", "check-consistency", body, "--vkey", key, "--old", old).exit_code == 1
    assert _consistency(audit_dir, 0, 8).exit_code == 2
    assert _consistency(audit_dir, 8, 5).exit_code == 2
