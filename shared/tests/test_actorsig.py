"""Signed actor claims (shequ.actorsig, ADR 0031): signing, and every reason a service refuses
a claim, checked on the verifier itself with keys written to a temporary folder. The same
refusals over a real broker and a real service: tests/test_actor_signatures.py."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from shequ.actor import Actor
from shequ.actorsig import (
    ActorVerifier,
    SeenClaims,
    configured_signer,
    load_private_key,
    new_key_pair,
    sign_actor,
    sign_with,
)
from shequ.audit.treeheads import public_key_pem
from shequ.config import ConfigError
from shequ.errors import ActorRefused, ValidationError

STAFF = {"person_id": "staff-1", "role": "district_staff"}
SYSTEM = {"person_id": "system", "role": "system"}


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Any]:
    """An operator key ``ops`` (trusted) and the casework service's key (its public half where
    services keep it), and a verifier for ``registry`` that trusts both."""
    actors, services = tmp_path / "actors", tmp_path / "keys"
    private, _public = new_key_pair(actors, "ops")
    casework = Ed25519PrivateKey.generate()
    services.mkdir()
    (services / "casework.ed25519.pub.pem").write_bytes(public_key_pem(casework.public_key()))
    verifier = ActorVerifier("registry", actors, services)
    return {"ops": load_private_key(private), "casework": casework, "verifier": verifier}


def refusal(verifier: ActorVerifier, claim: Any) -> str:
    with pytest.raises(ActorRefused) as refused:
        verifier.actor(claim)
    assert refused.value.field == "actor"
    assert refused.value.message_zh and refused.value.message_en
    return refused.value.code


def test_a_signed_claim_is_taken_once_and_keeps_the_actor_fields(keys: dict[str, Any]) -> None:
    claim = sign_with(keys["ops"], "ops", STAFF, "registry")
    assert {k: v for k, v in claim.items() if k != "proof"} == STAFF
    assert set(claim["proof"]) == {"v", "kid", "aud", "iat", "exp", "jti", "sig"}
    assert claim["proof"]["exp"] - claim["proof"]["iat"] == 60
    assert keys["verifier"].actor(claim) == Actor("staff-1", "district_staff")
    assert refusal(keys["verifier"], claim) == "actor.replayed"
    # a fresh claim for the same actor is a new call
    assert keys["verifier"].actor(sign_with(keys["ops"], "ops", STAFF, "registry")).role == (
        "district_staff"
    )


def test_unsigned_actors_are_refused_unless_the_development_setting_allows_them(
    keys: dict[str, Any], tmp_path: Path
) -> None:
    assert refusal(keys["verifier"], dict(STAFF)) == "actor.unsigned"
    lenient = ActorVerifier("registry", tmp_path / "actors", None, allow_unsigned=True)
    assert lenient.actor(dict(STAFF)).role == "district_staff"
    # a claim by an unknown key is as good as unsigned there; a known key's is checked in full
    stranger = sign_with(Ed25519PrivateKey.generate(), "stranger", STAFF, "registry")
    assert lenient.actor(stranger).person_id == "staff-1"
    forged = {**sign_with(keys["ops"], "ops", STAFF, "registry"), "person_id": "staff-2"}
    assert refusal(lenient, forged) == "actor.forged"
    # a missing actor is still the validation error it always was
    with pytest.raises(ValidationError):
        lenient.actor(None)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda c: {**c, "role": "auditor"}, "actor.forged"),  # a field altered after signing
        (lambda c: {**c, "community_id": "c-1"}, "actor.forged"),  # a field added
        (lambda c: {k: v for k, v in c.items() if k != "role"}, "actor.forged"),  # dropped
        (lambda c: {**c, "proof": {**c["proof"], "exp": c["proof"]["exp"] + 60}}, "actor.forged"),
        (lambda c: {**c, "proof": {**c["proof"], "aud": "finance"}}, "actor.forged"),
        (lambda c: {**c, "proof": {**c["proof"], "sig": "AAAA"}}, "actor.forged"),
        (lambda c: {**c, "proof": {**c["proof"], "kid": "nobody"}}, "actor.unknown_key"),
        (lambda c: {**c, "proof": {**c["proof"], "kid": "../keys/x"}}, "actor.unknown_key"),
        (lambda c: {**c, "proof": {**c["proof"], "v": 2}}, "actor.malformed"),
        (lambda c: {**c, "proof": {**c["proof"], "iat": "now"}}, "actor.malformed"),
        (lambda c: {**c, "proof": {k: v for k, v in c["proof"].items() if k != "jti"}}, None),
        (lambda c: {**c, "proof": "signed, honest"}, "actor.malformed"),
    ],
)
def test_an_altered_or_malformed_claim_is_refused(
    keys: dict[str, Any], change: Any, code: str | None
) -> None:
    claim = change(sign_with(keys["ops"], "ops", STAFF, "registry"))
    assert refusal(keys["verifier"], claim) == (code or "actor.malformed")


def test_a_key_the_service_does_not_trust_cannot_sign_as_a_trusted_kid(
    keys: dict[str, Any],
) -> None:
    impostor = sign_with(Ed25519PrivateKey.generate(), "ops", STAFF, "registry")
    assert refusal(keys["verifier"], impostor) == "actor.forged"


def test_claims_for_another_service_or_outside_their_validity_are_refused(
    keys: dict[str, Any],
) -> None:
    verifier, ops, now = keys["verifier"], keys["ops"], time.time()
    assert refusal(verifier, sign_with(ops, "ops", STAFF, "casework")) == "actor.audience"
    assert refusal(verifier, sign_with(ops, "ops", STAFF, "registry", 60, now - 66)) == (
        "actor.expired"
    )
    assert refusal(verifier, sign_with(ops, "ops", STAFF, "registry", 60, now + 30)) == (
        "actor.not_yet_valid"
    )
    assert refusal(verifier, sign_with(ops, "ops", STAFF, "registry", 3600)) == "actor.lifetime"
    # within the 5 s skew: a claim just past its expiry, or issued a little ahead, is taken
    assert verifier.actor(sign_with(ops, "ops", STAFF, "registry", 60, now - 62)).role
    assert verifier.actor(sign_with(ops, "ops", STAFF, "registry", 60, now + 3)).role


def test_a_service_key_vouches_only_for_the_system_role(keys: dict[str, Any]) -> None:
    verifier, casework = keys["verifier"], keys["casework"]
    assert verifier.actor(sign_with(casework, "service:casework", SYSTEM, "registry")).role == (
        "system"
    )
    staff = sign_with(casework, "service:casework", STAFF, "registry")
    assert refusal(verifier, staff) == "actor.issuer"
    # another service's name with this key: its own public key does not match
    posing = sign_with(casework, "service:registry", SYSTEM, "registry")
    assert refusal(verifier, posing) == "actor.unknown_key"  # registry's key is not on file


def test_the_seen_claims_are_bounded_and_forget_expired_ones() -> None:
    seen = SeenClaims(capacity=3)
    assert seen.first_time("a", until=10, now=0)
    assert not seen.first_time("a", until=10, now=1)
    assert seen.first_time("b", until=10, now=1) and seen.first_time("c", until=20, now=1)
    assert seen.first_time("d", until=20, now=2)  # full: the oldest live one goes
    assert len(seen) == 3 and seen.first_time("a", until=10, now=2)
    assert seen.first_time("e", until=30, now=15)  # a, b expired: dropped
    assert len(seen) == 3


def test_sign_actor_uses_the_configured_key_or_leaves_the_actor_as_given(
    keys: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHEQU_ACTOR_KEY", raising=False)
    assert sign_actor(STAFF, "registry") == STAFF
    monkeypatch.setenv("SHEQU_ACTOR_KEY", str(tmp_path / "actors" / "ops.actor.pem"))
    claim = sign_actor(STAFF, "registry")
    assert claim["proof"]["kid"] == "ops" and claim["proof"]["aud"] == "registry"
    assert keys["verifier"].actor(claim).person_id == "staff-1"
    monkeypatch.setenv("SHEQU_ACTOR_KEY_ID", "other")
    monkeypatch.setenv("SHEQU_ACTOR_CLAIM_SECONDS", "20")
    claim = sign_actor(STAFF, "registry")
    assert claim["proof"]["kid"] == "other" and claim["proof"]["exp"] - claim["proof"]["iat"] == 20
    monkeypatch.setenv("SHEQU_ACTOR_CLAIM_SECONDS", "301")
    with pytest.raises(ConfigError, match="SHEQU_ACTOR_CLAIM_SECONDS"):
        sign_actor(STAFF, "registry")
    monkeypatch.setenv("SHEQU_ACTOR_KEY", str(tmp_path / "missing.actor.pem"))
    with pytest.raises(ConfigError, match="SHEQU_ACTOR_KEY"):
        configured_signer()


def test_a_new_key_pair_is_private_to_its_owner_and_never_overwritten(tmp_path: Path) -> None:
    private, public = new_key_pair(tmp_path, "gateway")
    assert (private.name, public.name) == ("gateway.actor.pem", "gateway.actor.pub.pem")
    assert private.stat().st_mode & 0o777 == 0o600
    before = private.read_bytes()
    with pytest.raises(FileExistsError):
        new_key_pair(tmp_path, "gateway")
    assert private.read_bytes() == before
    with pytest.raises(ValueError, match="key name"):
        new_key_pair(tmp_path, "../gateway")


def test_shequ_keys_new_writes_a_pair_once(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from shequ.cli import main

    first = CliRunner().invoke(main, ["keys", "new", "ops-alice", "--dir", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "SHEQU_ACTOR_KEY=" in first.output
    key = load_private_key(tmp_path / "ops-alice.actor.pem")
    verifier = ActorVerifier("registry", tmp_path, None)
    assert verifier.actor(sign_with(key, "ops-alice", STAFF, "registry")).person_id == "staff-1"
    again = CliRunner().invoke(main, ["keys", "new", "ops-alice", "--dir", str(tmp_path)])
    assert again.exit_code == 1 and "never overwritten" in again.output
    bad = CliRunner().invoke(main, ["keys", "new", "../x", "--dir", str(tmp_path)])
    assert bad.exit_code == 1 and "key name" in bad.output


def test_an_issuer_limited_to_some_roles_cannot_sign_others(tmp_path: Path) -> None:
    private, _ = new_key_pair(tmp_path, "gateway", ("resident", "community_staff"))
    assert (tmp_path / "gateway.actor.roles").read_text() == "community_staff\nresident\n"
    gateway, verifier = load_private_key(private), ActorVerifier("registry", tmp_path, None)
    resident = {"person_id": "p-1", "role": "resident", "household_id": "h-1"}
    assert verifier.actor(sign_with(gateway, "gateway", resident, "registry")).role == "resident"
    for actor in (SYSTEM, STAFF):
        assert refusal(verifier, sign_with(gateway, "gateway", actor, "registry")) == (
            "actor.issuer"
        )
    with pytest.raises(ValueError, match="unknown role"):
        new_key_pair(tmp_path, "other", ("root",))
    # a roles file naming no known role makes the key unusable, not unlimited
    private, _ = new_key_pair(tmp_path, "broken")
    (tmp_path / "broken.actor.roles").write_text("root\n")
    claim = sign_with(load_private_key(private), "broken", STAFF, "registry")
    assert refusal(ActorVerifier("registry", tmp_path, None), claim) == "actor.unknown_key"
