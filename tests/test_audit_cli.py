"""`shequ audit verify` against a real service's store: a log sealed by the running registry
verifies (exit 0); an event row edited directly in the database is caught (exit 1) and the
first bad position is named; an event forged at position 0 is caught, refused by the live
service and noticed by its sealer; a clean stop seals, and the window of exposure shows in
``health``, ``/metrics`` and ``shequ status``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from typing import Any

import psycopg
import pytest
from shequ.errors import ShequError
from shequ.store import Store
from shequ.testing import captured, shequ_cli

from tests.support.infra import wait_until
from tests.support.suite import Suite

STAFF = {"person_id": "staff-1", "role": "district_staff"}


def _verify(suite: Suite, store: str) -> tuple[int, dict]:
    proc = shequ_cli(
        "audit",
        "verify",
        service="registry",
        store=store,
        treeheads=suite.tmp / "treeheads",
        json=True,
    )
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _edit_row(store_text: str, position: int) -> None:
    store = Store.parse(store_text)
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            conn.execute(
                "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), "
                "'\"C', '\"X') AS BLOB) WHERE rowid = ?",
                (position,),
            )
        return
    with psycopg.connect(store_text, autocommit=True) as conn:
        conn.execute(
            "UPDATE registry_events SET state = convert_to(replace("
            "convert_from(state, 'UTF8'), '\"C', '\"X'), 'UTF8') "
            "WHERE notification_id = %s",
            (position,),
        )


def _community_event_position(suite: Suite) -> int:
    """A position whose event mentions an English name "C…" (a community's name_en)."""
    envs = suite.registry_log()
    return next(
        e["position"]
        for e in envs
        if e["contract"].endswith("community.established") and e["position"] > 2
    )


def test_verify_catches_an_edited_row_in_a_live_services_store(suite: Suite) -> None:
    suite.start(suite.registry)
    suite.establish_district(STAFF, "audit-district")
    suite.establish_communities(STAFF, "audit-community", 6, name_en="C{}")
    top = suite.call("registry", "health")["log_position"]
    wait_until(lambda: suite.call("registry", "health")["sealed_size"] >= top, what="sealed")
    target = _community_event_position(suite)
    suite.registry.stop()
    store = suite.registry.env["SHEQU_REGISTRY_STORE"]

    code, report = _verify(suite, store)
    assert code == 0 and report["ok"] and report["checked"] == top

    _edit_row(store, target)
    code, report = _verify(suite, store)
    assert code == 1
    assert report["first_bad_position"] == target
    assert report["problem"] == "edited"


def _forge_phone_at_zero(store_text: str, position: int, old: str, new: str) -> None:
    """A copy of the event at ``position`` stored at position 0 as its aggregate's next
    version, with phone ``new`` instead of ``old``: written by hand, past the platform."""
    store = Store.parse(store_text)
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            conn.execute(
                "INSERT INTO stored_events (rowid, originator_id, originator_version, "
                "topic, state) SELECT 0, originator_id, originator_version + 1, topic, "
                "CAST(replace(CAST(state AS TEXT), ?, ?) AS BLOB) FROM stored_events "
                "WHERE rowid = ?",
                (old, new, position),
            )
        return
    with psycopg.connect(store_text, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO registry_events (notification_id, originator_id, "
            "originator_version, topic, state) SELECT 0, originator_id, "
            "originator_version + 1, topic, convert_to(replace(convert_from(state, "
            "'UTF8'), %s, %s), 'UTF8') FROM registry_events WHERE notification_id = %s",
            (old, new, position),
        )


def _sealed(suite: Suite) -> None:
    top = suite.call("registry", "health")["log_position"]
    wait_until(lambda: suite.call("registry", "health")["sealed_size"] >= top, what="sealed")


def test_event_forged_at_position_zero_is_caught_refused_and_alarmed(suite: Suite) -> None:
    suite.start(suite.registry)
    suite.establish_district(STAFF, "forge-district")
    person = suite.register_person(STAFF, "forge-person", 7301, "测示甲", sample=True)
    suite.call(
        "registry",
        "change_person_phone",
        actor=STAFF,
        idempotency_key="forge-phone",
        person_id=person,
        phone="13900000001",
    )
    changed = next(
        e["position"]
        for e in suite.registry_log()
        if e["contract"] == "registry.person.phone_changed"
    )
    _sealed(suite)
    _forge_phone_at_zero(
        suite.registry.env["SHEQU_REGISTRY_STORE"], changed, "13900000001", "13999999999"
    )

    def reveal(key: str) -> Any:
        return suite.call(
            "registry",
            "reveal_personal_data",
            actor=STAFF,
            idempotency_key=key,
            person_id=person,
            fields=["phone"],
            reason="核对联系电话",
        )

    with pytest.raises(ShequError) as refused:  # never the forged phone
        reveal("forge-reveal-1")
    assert refused.value.code == "log_tampered" and "0" in refused.value.message_en
    alarm = wait_until(
        lambda: suite.call("registry", "health")["audit"]["alarm"], what="the sealer's alarm"
    )
    assert alarm["lowest_position"] == 0 and alarm["stored"] == alarm["sealed"] + 1

    suite.call(
        "registry",
        "establish_community",
        actor=STAFF,
        idempotency_key="forge-comm",
        name="社区",
        name_en="Forge",
    )  # a new command, and a new seal
    _sealed(suite)
    with pytest.raises(ShequError):
        reveal("forge-reveal-2")
    suite.registry.stop()
    code, report = _verify(suite, suite.registry.env["SHEQU_REGISTRY_STORE"])
    assert code == 1
    assert (report["first_bad_position"], report["problem"]) == (0, "inserted")


def test_clean_stop_seals_and_the_window_of_exposure_is_visible(suite: Suite) -> None:
    suite.registry.env["SHEQU_SEAL_INTERVAL"] = "3600"  # only the clean stop will seal
    suite.start(suite.registry)
    suite.establish_district(STAFF, "window-district")
    health = suite.call("registry", "health")
    audit = health["audit"]
    assert audit["seal_interval_seconds"] == 3600
    assert audit["unsealed_events"] == health["log_position"] > 0
    assert audit["last_head_at"] is None and audit["oldest_unsealed_age_seconds"] >= 0
    port = suite.registry.env["SHEQU_REGISTRY_METRICS_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        exposition = answer.read().decode()
    assert 'shequ_seal_interval_seconds{service="registry"} 3600.0' in exposition
    assert "shequ_oldest_unsealed_event_age_seconds" in exposition
    status = captured(
        [sys.executable, "-m", "shequ.cli", "status", "--service", "registry", "--json"],
        timeout=60,
        env={**os.environ, "SHEQU_AMQP_URI": suite.amqp},
    )
    row = json.loads(status.stdout)["services"]["registry"]
    assert row["audit"]["unsealed_events"] == audit["unsealed_events"]
    assert row["audit"]["seal_interval_seconds"] == 3600

    suite.registry.stop()
    code, report = _verify(suite, suite.registry.env["SHEQU_REGISTRY_STORE"])
    assert code == 0 and report["unsealed"] == 0 and report["heads"] == 1


def test_a_running_service_has_its_checkpoints_witnessed_and_a_witness_down_stops_nothing(
    suite: Suite,
) -> None:
    """ADR 0041: the registry seals every second with a policy of two witnesses, township
    (`shequ witness serve`, a process of its own) and discipline (nothing listens): township
    cosigns, discipline's failures are counted, and the service seals and serves all along."""
    from shequ.audit import load_or_create_key, service_dir
    from shequ.audit.notes import vkey
    from shequ.audit.witnessing import newest_status, parse_policy
    from shequ.config import log_origin

    from tests.support.infra import free_port

    tmp = suite.tmp
    witness_vkeys = {}
    for label in ("township", "discipline"):
        made = shequ_cli("witness", "keygen", name=f"w.{label}.example", key=tmp / f"{label}.pem")
        assert made.returncode == 0, made.stderr
        witness_vkeys[label] = made.stdout.strip()
    ports = {label: free_port() for label in witness_vkeys}
    policy = "2 of " + "; ".join(
        f"{label}={witness_vkeys[label]},http://127.0.0.1:{ports[label]}" for label in ports
    )
    log_key = load_or_create_key(tmp / "keys" / "registry.ed25519.pem")
    (tmp / "logs.txt").write_text(vkey(log_origin("registry"), log_key.public_key()) + "\n")
    serve = [sys.executable, "-m", "shequ.cli", "witness", "serve", "--key", tmp / "township.pem"]
    serve += ["--origins", tmp / "logs.txt", "--state", tmp / "township-state"]
    serve += ["--listen", f"127.0.0.1:{ports['township']}"]
    township = subprocess.Popen([str(a) for a in serve], stdout=subprocess.DEVNULL)
    try:
        suite.registry.env["SHEQU_WITNESS_POLICY"] = policy
        suite.start(suite.registry)
        suite.establish_district(STAFF, "witnessed-district")
        folder = service_dir(tmp / "treeheads", "registry")
        wait_until(
            lambda: (
                newest_status(tmp / "treeheads", "registry", parse_policy(policy))[1].cosigned
                == ("township",)
            ),
            what="township's cosignature of the newest head",
        )
        assert (folder / "cosignatures").is_dir()
        port = suite.registry.env["SHEQU_REGISTRY_METRICS_PORT"]

        def failures() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as m:
                text = m.read().decode()
            key = 'shequ_witness_failures_total{service="registry",witness="discipline"}'
            return next(line for line in text.splitlines() if line.startswith(key))

        wait_until(failures, what="discipline's failures counted")
        assert suite.call("registry", "health")["audit"]["sealed_size"] > 0  # sealing went on
        verified = shequ_cli(
            "audit",
            "verify",
            service="registry",
            store=suite.registry.env["SHEQU_REGISTRY_STORE"],
            treeheads=tmp / "treeheads",
            env={**os.environ, "SHEQU_WITNESS_POLICY": policy},
        )
        assert "未经见证（见证 1/2，须 2）" in verified.stdout, verified.stdout + verified.stderr
    finally:
        township.terminate()
        township.wait(10)
