"""Witnessing a log (AUDIT.md A6, F43 witness_policy, ADR 0041), on SQLite and PostgreSQL: a
real sealer's checkpoints go to two witnesses served over HTTP; the cosignatures are kept
beside the checkpoints and counted against the policy's vkeys ("见证：2/2"); a witness that is
down never stops the seal ("见证：1/2" or 未经见证 as the policy's k says); it catches up from
the size it last cosigned; a forged cosignature is rejected; with no policy, "未经见证"."""

# ruff: noqa: F811  -- fixtures imported from audit_fixtures are redefined as test arguments
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from audit_fixtures import audit_dir, key_path, store  # noqa: F401
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate
from shequ.app import ServiceApplication
from shequ.audit import Sealer, load_or_create_key, service_dir
from shequ.audit.notes import COSIGNATURE, vkey
from shequ.audit.witnessing import (
    WitnessClient,
    WitnessPolicyError,
    parse_policy,
    read_cosignatures,
    store_cosignature,
    witness_status,
)
from shequ.cli import main
from shequ.config import log_origin
from shequ.reports.render import basis_line
from shequ.reports.run import prefix_from_bundle, prefix_from_store
from shequ.store import Store
from witness_support import Running

SERVICE = "registry"


class Registry(ServiceApplication):
    pass


class Witnesses:
    """Two witnesses, township and discipline, each with its own key and state."""

    def __init__(self, tmp_path: Path, log_vkey: str) -> None:
        self.tmp = tmp_path
        (tmp_path / "logs.txt").write_text(log_vkey + "\n", encoding="utf-8")
        self.keys = {label: Ed25519PrivateKey.generate() for label in ("township", "discipline")}
        self.running = {label: self.start(label) for label in self.keys}

    def name(self, label: str) -> str:
        return f"witness.{label}.example/jiaohe"

    def start(self, label: str) -> Running:
        return Running(
            self.tmp / f"state-{label}", self.tmp / "logs.txt", self.keys[label], self.name(label)
        )

    def policy(self, k: int) -> str:
        entries = [
            f"{label}={vkey(self.name(label), key.public_key(), COSIGNATURE)},"
            f"{self.running[label].url}"
            for label, key in self.keys.items()
        ]
        return f"{k} of " + "; ".join(entries)

    def stop(self, label: str) -> None:
        self.running[label].stop()

    def stop_all(self) -> None:
        for running in self.running.values():
            running.server.server_close()
            if running.thread.is_alive():
                running.server.shutdown()


@pytest.fixture
def app(store: Store) -> Iterator[Registry]:
    with closing(Registry(store)) as application:
        yield application


@pytest.fixture
def witnesses(tmp_path: Path, key_path: Path) -> Iterator[Witnesses]:
    log_vkey = vkey(log_origin(SERVICE), load_or_create_key(key_path).public_key())
    made = Witnesses(tmp_path, log_vkey)
    yield made
    made.stop_all()


def _add(app: Registry, count: int) -> None:
    for _ in range(count):
        app.save(Aggregate())


def _cli(app: Registry, audit_dir: Path, key_path: Path, policy: str, *args: str) -> Result:
    url = app.store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
    if url.startswith("sqlite"):
        url = f"sqlite:///{app.store.path}"
    env = {**os.environ, "SHEQU_KEY_DIR": str(key_path.parent), "SHEQU_WITNESS_POLICY": policy}
    words = [*args, "--service", SERVICE, "--store", url, "--treeheads", str(audit_dir)]
    return CliRunner().invoke(main, words, env=env)


def _seal(app: Registry, audit_dir: Path, key_path: Path, policy: str, count: int) -> str:
    """``count`` more events, then ``shequ audit seal`` (exit 0 whatever the witnesses do)."""
    _add(app, count)
    sealed = _cli(app, audit_dir, key_path, policy, "audit", "seal")
    assert sealed.exit_code == 0, sealed.output
    return sealed.output


def test_two_witnesses_cosign_each_seal_and_one_down_never_stops_it(
    app: Registry, audit_dir: Path, key_path: Path, witnesses: Witnesses
) -> None:
    folder = service_dir(audit_dir, SERVICE)
    signing = key_path.parent / f"{SERVICE}.ed25519.pem"
    signing.write_bytes(key_path.read_bytes())
    policy = witnesses.policy(2)
    sealed = _seal(app, audit_dir, key_path, policy, 5)
    assert "tree head: size 5" in sealed and "witness township: cosigned" in sealed
    assert "见证：2/2" in sealed
    assert len(read_cosignatures(folder, 5)) == 2
    verified = _cli(app, audit_dir, key_path, policy, "audit", "verify")
    assert verified.exit_code == 0 and "树头 head 5：见证：2/2" in verified.output

    # the discipline office's witness is down: the seal happens, township cosigns
    witnesses.stop("discipline")
    sealed = _seal(app, audit_dir, key_path, policy, 3)
    assert "tree head: size 8" in sealed and "witness discipline: failed" in sealed
    assert "未经见证（见证 1/2，须 2）" in sealed
    one_of_two = witnesses.policy(1)
    status = witness_status(folder, 8, parse_policy(one_of_two))
    assert (status.line_zh(), status.cosigned) == ("见证：1/2", ("township",))

    # back up with its state: it is given the proof from 5, the size it last cosigned, to 11
    witnesses.running["discipline"] = witnesses.start("discipline")
    policy = witnesses.policy(2)
    sealed = _seal(app, audit_dir, key_path, policy, 3)
    assert "witness discipline: cosigned" in sealed and "见证：2/2" in sealed

    # a client that knows nothing (old 0) is told the size by a 409 and retries from it
    (folder / "cosignatures" / f"{11:012d}.txt").unlink()
    (folder / "cosignatures" / f"{5:012d}.txt").unlink()
    (folder / "cosignatures" / f"{8:012d}.txt").unlink()
    outcomes = WitnessClient(audit_dir, SERVICE, parse_policy(policy)).submit()
    assert [(o.label, o.ok) for o in outcomes] == [("township", True), ("discipline", True)]


def test_a_forged_cosignature_is_rejected(
    app: Registry, audit_dir: Path, key_path: Path, witnesses: Witnesses
) -> None:
    folder = service_dir(audit_dir, SERVICE)
    _add(app, 4)
    Sealer(SERVICE, app.recorder, audit_dir, key_path).seal()
    policy = parse_policy(witnesses.policy(2))
    assert [o.ok for o in WitnessClient(audit_dir, SERVICE, policy).submit()] == [True, True]
    # someone writes a cosignature under discipline's name and key ID that it never made
    name, blob = next(n for n in read_cosignatures(folder, 4) if "discipline" in n[0])
    forged = blob[:12] + bytes(64)
    store_cosignature(folder, 4, name, forged)
    status = witness_status(folder, 4, policy)
    assert status.cosigned == ("township",) and status.forged == ("discipline",)
    assert status.line_zh() == "未经见证（见证 1/2，须 2）"
    # a genuine cosignature of another checkpoint is no cosignature of this one either
    _add(app, 2)
    Sealer(SERVICE, app.recorder, audit_dir, key_path).seal()
    WitnessClient(audit_dir, SERVICE, policy).submit()
    moved = dict(read_cosignatures(folder, 6))[name]
    store_cosignature(folder, 4, name, moved)
    assert witness_status(folder, 4, policy).forged == ("discipline",)
    signing = key_path.parent / f"{SERVICE}.ed25519.pem"
    signing.write_bytes(key_path.read_bytes())
    store_cosignature(folder, 6, name, forged)
    verified = _cli(app, audit_dir, key_path, witnesses.policy(2), "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert "forged cosignatures rejected: discipline" in verified.output


def test_the_report_basis_says_who_witnessed_or_that_none_did(
    app: Registry,
    audit_dir: Path,
    key_path: Path,
    witnesses: Witnesses,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _add(app, 3)
    Sealer(SERVICE, app.recorder, audit_dir, key_path).seal()
    cut = datetime.now(UTC)
    monkeypatch.delenv("SHEQU_WITNESS_POLICY", raising=False)
    monkeypatch.delenv("SHEQU_REGISTRY_WITNESS_POLICY", raising=False)
    plain = prefix_from_store(SERVICE, app.store, audit_dir, cut).basis
    assert plain["witness"]["line"] == "未经见证" and "；未经见证 / not witnessed" in basis_line(
        plain
    )
    monkeypatch.setenv("SHEQU_WITNESS_POLICY", witnesses.policy(2))
    assert "；未经见证（见证 0/2，须 2）" in basis_line(
        prefix_from_store(SERVICE, app.store, audit_dir, cut).basis
    )
    WitnessClient(audit_dir, SERVICE, parse_policy(witnesses.policy(2))).submit()
    basis = prefix_from_store(SERVICE, app.store, audit_dir, cut).basis
    assert basis["witness"]["cosigned"] == ["township", "discipline"]
    assert "；见证：2/2（township、discipline） / witnessed: 2/2" in basis_line(basis)
    json.dumps(basis)  # the document carries it as plain JSON
    # an export bundle carries the cosignatures: the same basis from it, offline
    (key_path.parent / f"{SERVICE}.ed25519.pem").write_bytes(key_path.read_bytes())
    bundle = audit_dir.parent / "registry.tar"
    made = _cli(
        app,
        audit_dir,
        key_path,
        witnesses.policy(2),
        "audit",
        "export",
        "--as-of",
        cut.isoformat(),
        "--out",
        str(bundle),
    )
    assert made.exit_code == 0, made.output
    log_vkey = vkey(log_origin(SERVICE), load_or_create_key(key_path).public_key())
    assert prefix_from_bundle(bundle, log_vkey, SERVICE, cut).basis == basis
    checked = CliRunner().invoke(
        main,
        ["audit", "verify", "--bundle", str(bundle), "--vkey", log_vkey],
        env={**os.environ, "SHEQU_WITNESS_POLICY": witnesses.policy(1)},
    )
    assert checked.exit_code == 0 and "树头 head 3：见证：2/2" in checked.output, checked.output


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("township=x,https://a", "syntax"),
        ("0 of township={key},https://a", "quorum"),
        ("3 of township={key},https://a; discipline={other},https://b", "quorum"),
        ("1 of 乡镇={key},https://a", "label"),
        ("1 of township={key}x,https://a", "vkey"),
        ("1 of township={logkey},https://a", "vkey"),
        ("1 of township={key},a.example", "url"),
        ("2 of township={key},https://a; township={other},https://b", "duplicate"),
        ("2 of a={key},https://a; b={key},https://b", "duplicate"),
    ],
)
def test_a_malformed_policy_is_refused_naming_the_setting_and_rule(text: str, rule: str) -> None:
    def key() -> str:
        return vkey(
            f"w{os.urandom(2).hex()}", Ed25519PrivateKey.generate().public_key(), COSIGNATURE
        )

    log_key = vkey("log.example/x", Ed25519PrivateKey.generate().public_key())
    with pytest.raises(WitnessPolicyError) as refused:
        parse_policy(text.format(key=key(), other=key(), logkey=log_key))
    error = refused.value.to_dict()
    assert error["code"] == "invalid" and error["field"] == "witness_policy"
    assert error["details"]["rule"] == rule
    assert "SHEQU_WITNESS_POLICY" in error["message"] and "witness_policy" in error["message_en"]
