"""Signed tree heads: the root of a service's audit tree at a size, signed with Ed25519.

A head file ``<service>/heads/<tree_size:012d>.json`` looks like::

    {"algorithm": "sha256/rfc9162", "key_id": "3f2a9c0d1e4b5a67",
     "last_position": 1042, "root": "9b1e...", "sealed_at": "2025-03-01T08:00:00.123456+00:00",
     "service": "Registry", "signature": "a0c3...", "tree_size": 1000}

The signature covers the canonical JSON (sorted keys, no spaces, UTF-8) of every field but
``signature``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shequ.audit.leaves import AuditError, fsync_directory

ALGORITHM = "sha256/rfc9162"
PUBLIC_KEY_FILE = "signing-key.pub.pem"
HEADS_DIR = "heads"


class HeadFormatError(AuditError):
    """A tree head file cannot be read as a tree head."""


@dataclass(frozen=True)
class TreeHead:
    """The signed statement "the first ``tree_size`` events of ``service`` hash to ``root``"."""

    service: str
    tree_size: int
    last_position: int
    root: str
    sealed_at: str
    algorithm: str
    key_id: str
    signature: str = ""

    def signed_fields(self) -> dict[str, Any]:
        fields = asdict(self)
        del fields["signature"]
        return fields

    def signed_bytes(self) -> bytes:
        return canonical_json(self.signed_fields())

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> TreeHead:
        """Parse a head file's text; raises HeadFormatError on anything unexpected."""
        try:
            data = json.loads(text)
            head = cls(**data)
        except (ValueError, TypeError) as exc:
            raise HeadFormatError(f"not a tree head: {exc}") from exc
        if not (_is_int(head.tree_size) and _is_int(head.last_position)):
            raise HeadFormatError("tree_size and last_position must be integers")
        if not all(
            isinstance(v, str)
            for v in (
                head.service,
                head.root,
                head.sealed_at,
                head.algorithm,
                head.key_id,
                head.signature,
            )
        ):
            raise HeadFormatError("text fields of a tree head must be strings")
        return head


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def canonical_json(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def sign_head(
    key: Ed25519PrivateKey,
    service: str,
    tree_size: int,
    last_position: int,
    root: str,
    sealed_at: datetime,
) -> TreeHead:
    """Build and sign a tree head; ``sealed_at`` must be timezone-aware UTC."""
    offset = sealed_at.utcoffset()
    if offset is None or offset:
        raise ValueError("sealed_at must be timezone-aware UTC")
    unsigned = TreeHead(
        service=service,
        tree_size=tree_size,
        last_position=last_position,
        root=root,
        sealed_at=sealed_at.isoformat(),
        algorithm=ALGORITHM,
        key_id=key_id(key.public_key()),
    )
    signature = key.sign(unsigned.signed_bytes()).hex()
    return TreeHead(**{**unsigned.signed_fields(), "signature": signature})


def signature_ok(head: TreeHead, public_key: Ed25519PublicKey) -> bool:
    """True when ``head`` was signed by the private half of ``public_key``, unaltered."""
    try:
        public_key.verify(bytes.fromhex(head.signature), head.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


def key_id(public_key: Ed25519PublicKey) -> str:
    """Short fingerprint of a public key: first 16 hex digits of SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_key(key_path: Path) -> Ed25519PrivateKey:
    """Load the Ed25519 signing key (PEM, PKCS#8), creating it with mode 0600 if missing."""
    if key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise AuditError(f"{key_path} is not an Ed25519 private key")
        return key
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(key_path, 0o600)  # the umask may have narrowed it further; never widened
    return key


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise AuditError(f"{path} is not an Ed25519 public key")
    return key


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def head_path(service_dir: Path, tree_size: int) -> Path:
    return service_dir / HEADS_DIR / f"{tree_size:012d}.json"


def write_head(service_dir: Path, head: TreeHead) -> Path:
    path = head_path(service_dir, head.tree_size)
    atomic_write(path, head.to_json().encode("utf-8"))
    return path


def read_heads(service_dir: Path) -> list[TreeHead]:
    """Every head file of the service, ordered by tree size; raises HeadFormatError."""
    folder = service_dir / HEADS_DIR
    if not folder.is_dir():
        return []
    heads = []
    for path in sorted(folder.glob("*.json")):
        head = TreeHead.from_json(path.read_text(encoding="utf-8"))
        if path.name != f"{head.tree_size:012d}.json":
            raise HeadFormatError(f"{path.name} holds the head of size {head.tree_size}")
        heads.append(head)
    return sorted(heads, key=lambda h: h.tree_size)


def latest_head(service_dir: Path) -> TreeHead | None:
    """The newest head file of the service (by tree size), or None; raises HeadFormatError."""
    paths = sorted((service_dir / HEADS_DIR).glob("*.json"))
    return TreeHead.from_json(paths[-1].read_text(encoding="utf-8")) if paths else None
