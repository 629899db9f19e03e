"""C2SP signed notes and tlog-checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).

A checkpoint is the interoperable text form of a tree head, readable by Go's ``sumdb/note``,
the transparency-dev tools and witnesses::

    shequ.example/jiaohe/registry
    1042
    m1Z5kC3yq0bV3h7c2b1m0kq0bV3h7c2b1m0kq0bV3h4=

    — shequ.example/jiaohe/registry 3f2a9c0d<base64 of key ID (4 bytes) and signature (64)>

The note text (origin, tree size, base64 root, each ending in a newline) is signed with the
service's Ed25519 audit key, the same key that signs the JSON heads. Signature type 0x01
(Ed25519); key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. The key name is the origin.
A verifier key ("vkey") is ``name+hex(key ID)+base64(0x01 ‖ public key)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shequ.audit.leaves import AuditError

ED25519 = b"\x01"
COSIGNATURE = b"\x04"  # timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature)
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
CHECKPOINTS_DIR = "checkpoints"
COSIGNATURES_DIR = "cosignatures"  # witnesses' cosignature lines, one file a checkpoint


class NoteError(AuditError):
    """A signed note, checkpoint or verifier key is malformed or does not verify."""


def valid_key_name(name: str) -> bool:
    """Key names are non-empty UTF-8 without whitespace or '+' (c2sp.org/signed-note)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def note_key_id(name: str, public_key: Ed25519PublicKey, kind: bytes = ED25519) -> bytes:
    """The 4-byte key ID of an Ed25519 note key: SHA-256(name ‖ 0x0A ‖ kind ‖ key)[:4];
    ``kind`` is 0x01 for a log's signature, 0x04 for a witness's cosignature."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + kind + _raw(public_key)).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A parsed verifier key: who signs (name), the key ID and the Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey
    kind: bytes = ED25519

    def vkey(self) -> str:
        return vkey(self.name, self.public_key, self.kind)


def vkey(name: str, public_key: Ed25519PublicKey, kind: bytes = ED25519) -> str:
    """``name+hex(key ID)+base64(kind ‖ public key)``, the text an auditor is given."""
    if not valid_key_name(name):
        raise NoteError(f"key name {name!r} must not be empty or contain spaces or '+'")
    encoded = base64.b64encode(kind + _raw(public_key)).decode("ascii")
    return f"{name}+{note_key_id(name, public_key, kind).hex()}+{encoded}"


def parse_vkey(text: str, kind: bytes = ED25519) -> Verifier:
    """Read a verifier key of signature type ``kind`` (0x01: a log's key, 0x04: a witness's
    cosignature key); raises NoteError naming what is wrong with it."""
    parts = text.strip().split("+", 2)  # base64 may hold "+"
    if len(parts) != 3 or not valid_key_name(parts[0]) or len(parts[1]) != 8:
        raise NoteError("a verifier key has the form name+<8 hex digits>+<base64 key>")
    name, hex_id, encoded = parts
    try:
        key_id = bytes.fromhex(hex_id)
        raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise NoteError(f"the verifier key is not valid hex/base64: {exc}") from None
    if len(raw) != 33 or raw[:1] != kind:
        raise NoteError(f"the verifier key is not an Ed25519 (type 0x{kind.hex()}) key")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if note_key_id(name, public_key, kind) != key_id:
        raise NoteError("the verifier key's ID does not match its name and key")
    return Verifier(name, key_id, public_key, kind)


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """A signed note: ``text`` (non-empty lines, ending in a newline), a blank line, and one
    signature line by ``name``. Ed25519 is deterministic: the same text gives the same note."""
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise NoteError("note text must be non-empty lines, each ending in a newline")
    vkey(name, key.public_key())  # checks the name
    key_id = note_key_id(name, key.public_key())
    signature = key.sign(text.encode("utf-8"))
    encoded = base64.b64encode(key_id + signature).decode("ascii")
    return f"{text}\n{SIGNATURE_PREFIX}{name} {encoded}\n"


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A signed note's text and its signature lines, each as (key name, key ID ‖ signature);
    NoteError when it is not a signed note."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    return note[: cut + 1], signature_lines(note[cut + 2 :])


def signature_lines(text: str) -> list[tuple[str, bytes]]:
    """Note signature lines (``— name base64``, each ending in a newline) as (name, blob)."""
    if not text.endswith("\n"):
        raise NoteError("signature lines end in a newline")
    found = []
    for line in text[:-1].split("\n"):
        name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            blob = b""
        if not line.startswith(SIGNATURE_PREFIX) or not name or len(blob) < 5:
            raise NoteError(f"malformed signature line {line[:60]!r}")
        found.append((name, blob))
    return found


def open_note(note: str, verifier: Verifier) -> str:
    """The text of ``note`` if it carries a valid signature by ``verifier``; else NoteError.

    Signatures by other keys are ignored; one by this key (name and key ID) that does not
    verify rejects the note, as in Go's ``note.Open``.
    """
    text, lines = split_note(note)
    for name, blob in lines:
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        try:
            verifier.public_key.verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise NoteError(
                f"the signature by {name} does not verify: the note was "
                "altered or not signed by this key"
            ) from None
        return text
    raise NoteError(
        f"the note carries no signature by {verifier.name} (key ID {verifier.key_id.hex()})"
    )


@dataclass(frozen=True)
class Checkpoint:
    """The body of a tlog-checkpoint: origin, tree size, root hash."""

    origin: str
    tree_size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.tree_size}\n{base64.b64encode(self.root).decode('ascii')}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint's note text (extension lines are allowed and ignored)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a tree size and a root line")
    origin, size, root = lines[:3]
    if not origin or not size.isdigit() or (size != "0" and size.startswith("0")):
        raise NoteError("malformed checkpoint origin or tree size")
    try:
        digest = base64.b64decode(root, validate=True)
    except binascii.Error:
        raise NoteError("the checkpoint's root is not base64") from None
    if len(digest) != 32:
        raise NoteError("the checkpoint's root is not a SHA-256 hash")
    return Checkpoint(origin, int(size), digest)


def sign_checkpoint(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    """The checkpoint as a signed note; the key name is the origin."""
    return sign_note(checkpoint.text(), checkpoint.origin, key)


def open_checkpoint(note: str, verifier: Verifier, origin: str | None = None) -> Checkpoint:
    """Verify a checkpoint note with ``verifier`` and parse it; its origin must be the
    verifier's name (and ``origin`` when given). Raises NoteError."""
    checkpoint = parse_checkpoint(open_note(note, verifier))
    expected = origin or verifier.name
    if checkpoint.origin != expected:
        raise NoteError(f"the checkpoint is for log {checkpoint.origin!r}, not {expected!r}")
    return checkpoint
