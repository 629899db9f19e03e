"""Witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 type 0x04; AUDIT.md A6).

A cosignature is one more signature line on a checkpoint, by a witness: "as of time T, the
largest consistent tree I have seen for this origin has this root". Its blob is

    key ID (4 bytes) ‖ timestamp (u64, big-endian, POSIX seconds) ‖ Ed25519 signature (64)

with key ID = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4], over the message

    cosignature/v1
    time <T>
    <the checkpoint's note text: origin, size, root, any extension lines>

A witness's verifier key is ``name+hex(key ID)+base64(0x04 ‖ public key)``.

>>> line = cosign(checkpoint_text, "witness.example/sanzi", key, 1700000000)
>>> cosigned_at(checkpoint_text, signature_lines(line), parse_vkey(wkey, COSIGNATURE))
1700000000
"""

from __future__ import annotations

import base64

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shequ.audit.notes import (
    COSIGNATURE,
    SIGNATURE_PREFIX,
    NoteError,
    Verifier,
    note_key_id,
    parse_vkey,
    valid_key_name,
)

HEADER = "cosignature/v1"
BLOB_BYTES = 4 + 8 + 64
MAX_TIMESTAMP = 2**63 - 1


def cosigned_message(text: str, timestamp: int) -> bytes:
    """The bytes a witness signs: header line, time line, then the checkpoint's note text."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"a cosignature's time is 0 to 2^63-1, not {timestamp}")
    return f"{HEADER}\ntime {timestamp}\n{text}".encode()


def cosign(text: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """One cosignature line (ending in a newline) on the checkpoint whose note text is
    ``text``, by the witness ``name`` at ``timestamp``."""
    if not valid_key_name(name):
        raise NoteError(f"key name {name!r} must not be empty or contain spaces or '+'")
    signature = key.sign(cosigned_message(text, timestamp))
    blob = note_key_id(name, key.public_key(), COSIGNATURE) + timestamp.to_bytes(8, "big")
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob + signature).decode('ascii')}\n"


def witness_verifier(vkey_text: str) -> Verifier:
    """A witness's verifier key (type 0x04); NoteError when it is not one."""
    return parse_vkey(vkey_text, COSIGNATURE)


def cosigned_at(text: str, lines: list[tuple[str, bytes]], verifier: Verifier) -> int | None:
    """The time of the valid cosignature by ``verifier`` among ``lines`` on the checkpoint
    ``text``; None when it made none. A line with its name and key ID that does not verify
    (forged, or of another checkpoint) raises NoteError."""
    for name, blob in lines:
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        timestamp = int.from_bytes(blob[4:12], "big")
        try:
            if len(blob) != BLOB_BYTES:
                raise InvalidSignature
            verifier.public_key.verify(blob[12:], cosigned_message(text, timestamp))
        except (InvalidSignature, NoteError):
            raise NoteError(
                f"the cosignature by {name} does not verify on this checkpoint: "
                "forged, altered, or made for another checkpoint"
            ) from None
        return timestamp
    return None
