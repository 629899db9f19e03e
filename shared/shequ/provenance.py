"""Provenance of integration envelopes: who produced this envelope, at this position, with
this content (ADR 0013).

Each service signs every envelope it hands out — those its relay publishes and those its
``notifications`` RPC serves for gap repair — with its own Ed25519 key (the tree-head key,
``SHEQU_KEY_DIR/<service>.ed25519.pem``), over the canonical JSON of every field but
``signature``. It also writes the public half beside the key, as
``<service>.ed25519.pub.pem``. A consumer checks an envelope with its upstream's public key,
read from ``SHEQU_TRUSTED_KEYS_DIR`` (default ``SHEQU_KEY_DIR``), before its inbox trusts the
envelope's position: a few tens of microseconds, no call to the upstream, and it works while the
upstream is down.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shequ.audit.treeheads import (
    atomic_write,
    canonical_json,
    load_or_create_key,
    load_public_key,
    public_key_pem,
)

log = logging.getLogger(__name__)

SIGNATURE = "signature"


class UpstreamKeyMissing(ConnectionError):
    """The upstream's public key is not in the trusted-keys directory yet (the upstream has
    never started, or its key is not distributed): retried later, never dead-lettered."""


def public_key_path(directory: Path, service: str) -> Path:
    return directory / f"{service}.ed25519.pub.pem"


def signed_bytes(envelope: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in envelope.items() if k != SIGNATURE})


class Signer:
    """Signs this service's envelopes with its key, and publishes the public half."""

    def __init__(self, service: str, key: Ed25519PrivateKey) -> None:
        self.service = service
        self.key = key

    @classmethod
    def for_service(cls, service: str, key_path: Path) -> Signer:
        key = _load_or_create(key_path)
        pem = public_key_pem(key.public_key())
        public = public_key_path(key_path.parent, service)
        try:
            if not public.exists() or public.read_bytes() != pem:
                atomic_write(public, pem)
        except OSError as exc:  # a read-only key directory: distributed by the operator
            log.warning("cannot write %s: %s", public, exc)
        return cls(service, key)

    def sign(self, envelope: dict[str, Any]) -> dict[str, Any]:
        envelope[SIGNATURE] = self.key.sign(signed_bytes(envelope)).hex()
        return envelope


def _load_or_create(key_path: Path) -> Ed25519PrivateKey:
    for _ in range(50):
        try:
            return load_or_create_key(key_path)
        except (FileExistsError, ValueError):
            time.sleep(0.1)  # another replica is creating the key this very moment
    return load_or_create_key(key_path)


class Verifier:
    """Checks envelopes against their upstream's public key (kept once found)."""

    def __init__(self, trusted_dir: Path) -> None:
        self.trusted_dir = trusted_dir
        self._keys: dict[str, Ed25519PublicKey] = {}

    def key(self, upstream: str) -> Ed25519PublicKey:
        key = self._keys.get(upstream)
        if key is None:
            path = public_key_path(self.trusted_dir, upstream)
            if not path.exists():
                raise UpstreamKeyMissing(f"no public key for {upstream} at {path}")
            key = self._keys[upstream] = load_public_key(path)
        return key

    def problem(self, envelope: dict[str, Any], upstream: str) -> dict[str, Any] | None:
        """None if ``upstream`` signed ``envelope`` as it is; else why not (a dead letter's
        error). Raises UpstreamKeyMissing while the upstream's key is not there."""
        signature = envelope.get(SIGNATURE)
        if not isinstance(signature, str) or not signature:
            return _refusal(
                "unsigned_envelope",
                "信封没有上游签名",
                f"the envelope carries no signature of {upstream}",
            )
        key = self.key(upstream)
        try:
            key.verify(bytes.fromhex(signature), signed_bytes(envelope))
        except (InvalidSignature, ValueError):
            return _refusal(
                "bad_signature",
                "信封签名与上游公钥不符，内容或位置可能被篡改",
                f"the signature does not match {upstream}'s key: the envelope was "
                "not produced by it as it is",
            )
        return None


def _refusal(code: str, zh: str, en: str) -> dict[str, Any]:
    return {"code": code, "message": zh, "message_en": en, "field": SIGNATURE}
