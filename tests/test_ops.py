"""Operator commands end to end on real processes: backup -> restore -> `shequ audit verify`
(PostgreSQL and SQLite); dead letters listed without consuming, shown, replayed once through
the consumer that failed them, by the letter id it stored (a second replay applies nothing);
`shequ status`."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from shequ.cli import main as shequ

from tests.support.infra import pg_database, rabbit_vhost, wait_healthy, wait_until
from tests.support.suite import SYSTEM, Processes, Suite, running

STAFF = {"person_id": "staff-1", "role": "district_staff"}


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(shequ, list(args), env=env, catch_exceptions=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(source store, empty restore target)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/registry.db", f"sqlite:///{tmp_path}/restored/registry.db"
        return
    with ExitStack() as stack:
        yield stack.enter_context(pg_database()), stack.enter_context(pg_database())


def test_backup_restore_then_audit_verify_passes(stores: tuple[str, str], tmp_path: Path) -> None:
    source, target = stores
    heads, keys = tmp_path / "treeheads", tmp_path / "keys"
    with rabbit_vhost() as amqp:
        registry = Processes(amqp, {"registry": source}, tmp_path, {"registry": "registry"})
        registry.procs["registry"].env["SHEQU_SEAL_INTERVAL"] = "3600"
        with running(registry):
            registry.establish_district(STAFF, "ops-district")
            registry.establish_communities(STAFF, "ops-community", 5, name_en="C{}")
            top = registry.call("registry", "health")["log_position"]
    assert top >= 6
    env = {"SHEQU_KEY_DIR": str(keys), "SHEQU_TREEHEAD_DIR": str(heads)}
    heads_written = sorted((heads / "registry" / "heads").glob("*.json"))
    assert heads_written[-1].name == f"{top:012d}.json"  # the clean stop sealed everything
    sealed = run("audit", "seal", "--service", "registry", "--store", source, env=env)
    assert sealed.exit_code == 0 and "nothing new to seal" in sealed.output, sealed.output
    assert (
        run("audit", "verify", "--service", "registry", "--store", source, env=env).exit_code == 0
    )

    archive = tmp_path / "backups" / "registry.tar.gz"
    made = run(
        "backup", "--service", "registry", "--output", str(archive), "--store", source, env=env
    )
    assert made.exit_code == 0, made.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "treeheads/registry/leaves.log" in names
    assert any(n.startswith("treeheads/registry/heads/") for n in names)
    assert not any("ed25519" in n for n in names)  # the private key stays out of backups

    restored_heads = tmp_path / "restored-treeheads"
    # before the restore, the empty target does not verify
    assert (
        run(
            "audit", "verify", "--service", "registry", "--store", target, "--treeheads", str(heads)
        ).exit_code
        != 0
    )
    into = ["--store", target, "--treeheads", str(restored_heads)]
    done = run("restore", "--service", "registry", str(archive), *into)
    assert done.exit_code == 0, done.output
    verified = run("audit", "verify", "--service", "registry", *into, "--json")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.output)["ok"] is True
    # a second restore over the same tree heads is refused, not silently merged
    again = run("restore", "--service", "registry", str(archive), *into)
    assert again.exit_code != 0 and "not empty" in again.output


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
def test_dead_letter_list_show_and_replay_once(
    suite: Suite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEQU_AMQP_URI", suite.amqp)
    suite.mirror.env["SHEQU_MIRROR_POISON"] = "毒丸"
    suite.start(suite.registry, suite.mirror)
    suite.establish_district(STAFF, "dl-district")
    for i, name in enumerate(["社区甲", "毒丸社区", "社区乙"]):
        suite.call(
            "registry",
            "establish_community",
            actor=STAFF,
            idempotency_key=f"dl-community-{i:04d}",
            name=name,
            name_en=f"P{i}",
        )

    def four_published() -> list[int] | None:
        positions = suite.published_positions()
        return positions if len(positions) >= 4 else None

    published = wait_until(four_published, what="published")
    poisoned = published[2]

    def settled() -> Any:
        inbox = suite.call("mirror", "health")["inboxes"]["registry"]
        return inbox if inbox["position"] == published[-1] else None

    assert wait_until(settled, 60, what="mirror past the poison")["counts"]["dead_lettered"] == 1
    copied_before = suite.call("mirror", "copied", actor=SYSTEM)
    assert poisoned not in copied_before

    status = run("status", "--json", "--service", "registry", "--service", "mirror")
    report = json.loads(status.output)
    assert status.exit_code == 0, status.output
    assert report["services"]["registry"]["up"] and report["dead_letters"] == 1
    # consumer lag: published and not yet applied; the consumer is past its last message (the
    # notifications the upstream keeps to itself, like its command records, do not count)
    lag = report["services"]["mirror"]["inboxes"]["registry"]["consumer_lag"]
    assert report["services"]["registry"]["published_position"] == published[-1]
    assert report["services"]["registry"]["log_position"] > published[-1]
    assert lag == 0

    listed = [json.loads(run("deadletters", "list", "--json").output) for _ in range(2)]
    assert listed[0] == listed[1] and len(listed[0]) == 1  # listing does not consume
    ident = listed[0][0]["id"]
    assert ident == f"mirror.registry.{poisoned}"
    shown = json.loads(run("deadletters", "show", ident).output)
    assert shown["envelope"]["position"] == poisoned
    assert "poison marker" in shown["error"]["message"]

    # still poisoned: the replay fails, nothing is applied, the letter stays
    failed = run("deadletters", "replay", ident)
    assert failed.exit_code == 1 and json.loads(failed.output)["outcome"] == "failed"
    assert len(json.loads(run("deadletters", "list", "--json").output)) == 1

    # the cause fixed (the consumer restarted without the poison), the replay applies it once
    suite.mirror.stop()
    del suite.mirror.env["SHEQU_MIRROR_POISON"]
    suite.mirror.start()
    wait_healthy(suite.amqp, suite.mirror)
    done = run("deadletters", "replay", ident)
    assert done.exit_code == 0, done.output
    answer = json.loads(done.output)
    assert answer["outcome"] == "applied" and answer["removed"] is True
    copied = suite.call("mirror", "copied", actor=SYSTEM)
    assert sorted(copied) == sorted(copied_before + [poisoned])
    assert json.loads(run("deadletters", "list", "--json").output) == []

    # a second replay of the same letter applies nothing; the letter is gone from the queue
    again = suite.call("mirror", "replay_dead_letter", actor=SYSTEM, letter_id=ident)
    assert again["outcome"] == "already_replayed"
    assert suite.call("mirror", "copied", actor=SYSTEM).count(poisoned) == 1
    gone = json.loads(run("deadletters", "replay", ident).output)
    assert gone["outcome"] == "already_replayed" and gone["removed"] is False
    # only letters the consumer stored can be replayed: not a made-up id
    unknown = run("deadletters", "replay", f"mirror.registry.{poisoned + 1000}")
    assert unknown.exit_code == 1 and json.loads(unknown.output)["outcome"] == "not_found"
