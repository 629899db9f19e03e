"""Signed actor claims: who is acting, vouched for by a key the service trusts (ADR 0031).

Every RPC carries an ``actor`` dict (``shequ.actor.Actor``). A caller that may speak for a
person (the gateway, from its session; an operator's ``shequ`` CLI; a service for its own
``system`` calls) signs it for one service with ``sign_actor(actor, audience)``: the actor
fields stay where they are and a ``proof`` is added::

    {"person_id": "p-1", "role": "district_staff",
     "proof": {"v": 1, "kid": "gateway", "aud": "finance", "iat": 1767225600,
               "exp": 1767225660, "jti": "3q2-…", "sig": "<Ed25519, base64url>"}}

The signature covers ``CONTEXT`` and the canonical JSON (sorted keys, no spaces, UTF-8) of
``{"actor": <every field but proof>, "v", "kid", "aud", "iat", "exp", "jti"}``: altering a
field, adding one or dropping one breaks it. ``CONTEXT`` holds spaces, which a C2SP checkpoint's
origin line and an envelope's JSON never start with, so a service key that also signs tree
heads and envelopes cannot be made to sign one of those by signing a claim, nor the reverse.

Keys (settings in ``shequ.config``):

* the signer: ``SHEQU_ACTOR_KEY`` names an Ed25519 private key (PEM, PKCS#8); its key id is
  ``SHEQU_ACTOR_KEY_ID``, else the file's name without ``.actor.pem``. ``shequ keys new NAME``
  writes ``NAME.actor.pem`` and ``NAME.actor.pub.pem``. Without ``SHEQU_ACTOR_KEY``,
  ``sign_actor`` returns the actor unsigned (a development run).
* the verifier: ``SHEQU_ACTOR_TRUSTED_KEYS_DIR`` holds ``<kid>.actor.pub.pem`` for each trusted
  issuer (the gateway, operators); a service's own key (``<service>.ed25519.pub.pem`` in
  ``SHEQU_TRUSTED_KEYS_DIR``, the key its envelopes are checked with) answers for the key id
  ``service:<service>`` and may vouch only for the ``system`` role. An issuer's key may be
  limited to some roles by ``<kid>.actor.roles`` beside its public key (``shequ keys new NAME
  --roles resident,community_staff``); a claim for another role is ``actor.issuer``.

``ActorVerifier.actor(data)`` turns the dict a service received into an ``Actor`` or refuses
it with ``ActorRefused`` (code ``actor.unsigned``, ``actor.malformed``, ``actor.unknown_key``,
``actor.forged``, ``actor.issuer``, ``actor.audience``, ``actor.not_yet_valid``,
``actor.expired``, ``actor.lifetime`` or ``actor.replayed``; field ``actor``). With
``SHEQU_ALLOW_UNSIGNED_ACTORS=1`` (development and tests only) an unsigned actor, or one signed
by a key this service does not know, is taken as written; a claim signed by a known key is
still checked in full.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shequ.actor import Actor
from shequ.errors import ActorRefused

log = logging.getLogger(__name__)

PROOF = "proof"
VERSION = 1
CONTEXT = b"shequ actor claim v1\n"
SERVICE_KID = "service:"
PROOF_FIELDS = ("v", "kid", "aud", "iat", "exp", "jti", "sig")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_JTI = re.compile(r"[A-Za-z0-9_-]{16,64}")


def claim_bytes(fields: dict[str, Any], proof: dict[str, Any]) -> bytes:
    """What is signed: the context, then the canonical JSON of the actor and the proof's
    fields but its signature."""
    body = {"actor": fields, **{k: proof[k] for k in PROOF_FIELDS if k != "sig"}}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return CONTEXT + text.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_with(
    key: Ed25519PrivateKey,
    kid: str,
    actor: dict[str, Any],
    audience: str,
    lifetime: int = 60,
    now: float | None = None,
) -> dict[str, Any]:
    """``actor`` (any earlier proof dropped) with a proof by ``key`` for ``audience``."""
    fields = {k: v for k, v in actor.items() if k != PROOF}
    iat = int(time.time() if now is None else now)
    proof: dict[str, Any] = {
        "v": VERSION,
        "kid": kid,
        "aud": audience,
        "iat": iat,
        "exp": iat + lifetime,
        "jti": secrets.token_urlsafe(18),
    }
    proof["sig"] = _b64(key.sign(claim_bytes(fields, proof)))
    return {**fields, PROOF: proof}


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError(f"{path} is not an Ed25519 public key")
    return key


def kid_of(path: Path) -> str:
    """The key id a key file names: ``gateway.actor.pem`` -> ``gateway``."""
    name = path.name
    for suffix in (".actor.pem", ".pem"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


_signer_cache: dict[tuple[str, float, str | None], tuple[Ed25519PrivateKey, str]] = {}


def configured_signer() -> tuple[Ed25519PrivateKey, str] | None:
    """The key and key id ``SHEQU_ACTOR_KEY`` names (re-read when the file changes), or None."""
    from shequ.config import ConfigError, actor_key_settings

    path, kid = actor_key_settings()
    if path is None:
        return None
    try:
        cached = (str(path), path.stat().st_mtime, kid)
        if cached not in _signer_cache:
            _signer_cache.clear()
            _signer_cache[cached] = (load_private_key(path), kid or kid_of(path))
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"SHEQU_ACTOR_KEY: cannot load {path}: {exc}") from None
    return _signer_cache[cached]


def sign_actor(actor: dict[str, Any], audience: str) -> dict[str, Any]:
    """The actor claim to send to ``audience`` (a service name): signed with the key
    ``SHEQU_ACTOR_KEY`` names, valid ``SHEQU_ACTOR_CLAIM_SECONDS`` (60) from now; the actor as
    given when no key is configured (services refuse it unless they allow unsigned actors)."""
    from shequ.config import actor_claim_seconds

    signer = configured_signer()
    if signer is None:
        return dict(actor)
    key, kid = signer
    return sign_with(key, kid, actor, audience, actor_claim_seconds())


ROLES = ".actor.roles"


def read_roles(path: Path) -> frozenset[str] | None:
    """The roles an issuer's key may sign (``<kid>.actor.roles`` beside its public key: role
    names separated by commas or lines), or None (any role) when there is no such file; a file
    naming an unknown role, or none, makes the key unusable (ValueError)."""
    from shequ.actor import ROLES as KNOWN

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    roles = frozenset(r.strip() for r in text.replace(",", "\n").splitlines() if r.strip())
    if not roles or not roles <= set(KNOWN):
        raise ValueError(f"{path}: roles must be among {', '.join(KNOWN)}")
    return roles


def new_key_pair(directory: Path, name: str, roles: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """Write ``NAME.actor.pem`` (mode 0600, refused if it exists) and ``NAME.actor.pub.pem``
    in ``directory``: an issuer's signing key and the public half services trust; with
    ``roles``, also ``NAME.actor.roles``: services then refuse the key's claims for any other
    role (``actor.issuer``). The gateway's key, for one, should not sign ``system``."""
    from shequ.actor import ROLES as KNOWN

    unknown = sorted(set(roles) - set(KNOWN))
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}: roles are {', '.join(KNOWN)}")
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"a key name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
            f"or digit: {name!r}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    private, public = directory / f"{name}.actor.pem", directory / f"{name}.actor.pub.pem"
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite a key
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    if roles:
        (directory / f"{name}{ROLES}").write_text("\n".join(sorted(set(roles))) + "\n")
    return private, public


def refused(code: str, zh: str, en: str) -> ActorRefused:
    return ActorRefused(zh, en, "actor", code=f"actor.{code}")


class SeenClaims:
    """The claim ids (``jti``) accepted and not yet expired, in this process: a bounded map
    kept in arrival order. An id is kept until its claim's expiry plus the skew; when more than
    ``capacity`` are live the oldest is dropped (and a warning logged): at the suite's RPC rates
    that is ~ capacity / lifetime = 1,600 calls a second per process before it can happen."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._until: OrderedDict[str, float] = OrderedDict()

    def first_time(self, jti: str, until: float, now: float) -> bool:
        """Record ``jti`` (kept until ``until``); False if it was recorded before."""
        while self._until:
            oldest, expires = next(iter(self._until.items()))
            if expires > now and len(self._until) < self.capacity:
                break
            if expires > now:
                log.warning("actor claim cache full (%d): forgetting a live claim", self.capacity)
            del self._until[oldest]
        if jti in self._until:
            return False
        self._until[jti] = until
        return True

    def __len__(self) -> int:
        return len(self._until)


@dataclass(eq=False)
class ActorVerifier:
    """Checks the actor claims one service (``audience``) receives."""

    audience: str
    trusted_dir: Path | None
    service_keys_dir: Path | None
    allow_unsigned: bool = False
    skew: float = 5
    max_lifetime: float = 300
    clock: Callable[[], float] = time.time
    seen: SeenClaims = field(default_factory=SeenClaims)
    _keys: dict[str, Ed25519PublicKey] = field(init=False, default_factory=dict)
    # per key id: the roles it may sign
    _roles: dict[str, frozenset[str] | None] = field(init=False, default_factory=dict)

    @classmethod
    def from_env(cls, audience: str, service_keys_dir: Path) -> ActorVerifier:
        from shequ.config import actor_verify_settings

        settings = actor_verify_settings()
        verifier = cls(audience, service_keys_dir=service_keys_dir, **settings)
        if verifier.allow_unsigned:
            log.warning(
                "%s accepts UNSIGNED actors (SHEQU_ALLOW_UNSIGNED_ACTORS=1): anyone who reaches "
                "the broker can act as anyone; a development setting, never for production",
                audience,
            )
        return verifier

    def key(self, kid: str) -> Ed25519PublicKey | None:
        """The trusted public key ``kid`` names (read once, then kept), or None."""
        if kid in self._keys:
            return self._keys[kid]
        service = kid.startswith(SERVICE_KID)
        if service:
            name, folder, suffix = (
                kid[len(SERVICE_KID) :],
                self.service_keys_dir,
                ".ed25519.pub.pem",
            )
        else:
            name, folder, suffix = kid, self.trusted_dir, ".actor.pub.pem"
        if folder is None or not _NAME.fullmatch(name):
            return None
        path = folder / f"{name}{suffix}"
        try:
            key = load_public_key(path)
            roles = frozenset({"system"}) if service else read_roles(folder / f"{name}{ROLES}")
        except (OSError, ValueError, TypeError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.warning("actor key %s unusable: %s", kid, exc)
            return None
        self._keys[kid], self._roles[kid] = key, roles
        return key

    def actor(self, data: Any) -> Actor:
        """The Actor ``data`` vouches for, or ActorRefused / ValidationError saying why not."""
        if not isinstance(data, dict):
            return Actor.from_dict(data)  # "actor is required"
        fields = {k: v for k, v in data.items() if k != PROOF}
        proof = data.get(PROOF)
        if proof is None:
            if self.allow_unsigned:
                return Actor.from_dict(fields)
            raise refused(
                "unsigned",
                "操作人信息未经签名，服务不予采信",
                "the actor carries no signature (proof); this service trusts only signed actors",
            )
        proof = _well_formed(proof)
        key = self.key(proof["kid"])
        if key is None:
            if self.allow_unsigned:
                return Actor.from_dict(fields)
            raise refused(
                "unknown_key",
                f"签名密钥 {proof['kid']} 不受本服务信任",
                f"the actor is signed with key {proof['kid']!r}, which this service does not trust",
            )
        try:
            key.verify(_unb64(proof["sig"]), claim_bytes(fields, proof))
        except (InvalidSignature, ValueError, binascii.Error):
            raise refused(
                "forged",
                "操作人签名不符：签名伪造，或签名后操作人信息被改动",
                "the actor's signature does not match: forged, or the actor was altered "
                "after signing",
            ) from None
        who = Actor.from_dict(fields)
        self._check(proof, who)
        return who

    def _check(self, proof: dict[str, Any], who: Actor) -> None:
        roles = self._roles.get(proof["kid"])
        if roles is not None and who.role not in roles:
            raise refused(
                "issuer",
                f"密钥 {proof['kid']} 不能为角色 {who.role} 签名",
                f"the key {proof['kid']!r} may vouch only for the roles "
                f"{', '.join(sorted(roles))}, not {who.role!r}",
            )
        if proof["aud"] != self.audience:
            raise refused(
                "audience",
                f"该签名是给 {proof['aud']} 服务的，不是给 {self.audience} 的",
                f"the actor was signed for {proof['aud']!r}, not for {self.audience!r}",
            )
        now = self.clock()
        iat, exp = proof["iat"], proof["exp"]
        if not 0 < exp - iat <= self.max_lifetime:
            raise refused(
                "lifetime",
                f"签名有效期须在0至{self.max_lifetime:g}秒之间",
                f"a claim may be valid for at most {self.max_lifetime:g} seconds "
                f"(this one: {exp - iat})",
            )
        if now + self.skew < iat:
            raise refused(
                "not_yet_valid",
                "操作人签名尚未生效（签发时间在未来）",
                "the actor claim is not valid yet (issued in the future)",
            )
        if now - self.skew >= exp:
            raise refused(
                "expired",
                "操作人签名已过期，请重新签名",
                f"the actor claim expired {now - exp:.0f} s ago; sign it again",
            )
        if not self.seen.first_time(proof["jti"], exp + self.skew, now):
            raise refused(
                "replayed",
                "该操作人签名已用过一次，不能重放",
                "this actor claim was used before: a claim is good for one call",
            )


def _well_formed(proof: Any) -> dict[str, Any]:
    ints = ("v", "iat", "exp")
    ok = (
        isinstance(proof, dict)
        and set(proof) == set(PROOF_FIELDS)
        and all(type(proof[k]) is int for k in ints)
        and all(isinstance(proof[k], str) for k in PROOF_FIELDS if k not in ints)
        and proof["v"] == VERSION
        and len(proof["kid"]) <= 80
        and _JTI.fullmatch(proof["jti"]) is not None
        and len(proof["sig"]) <= 100
    )
    if not ok:
        raise refused(
            "malformed",
            "操作人签名格式不对",
            f"actor.proof must be an object with exactly {', '.join(PROOF_FIELDS)} "
            f"(v = {VERSION}, iat and exp integers)",
        )
    return proof  # type: ignore[no-any-return]
