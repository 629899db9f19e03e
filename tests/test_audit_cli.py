"""`shequ audit verify` against a real service's store: a log sealed by the running registry
verifies (exit 0); an event row edited directly in the database is caught (exit 1) and the
first bad position is named."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import psycopg
from shequ.store import Store

from tests.support.infra import wait_until
from tests.support.suite import Suite

STAFF = {"person_id": "staff-1", "role": "district_staff"}


def _verify(suite: Suite, store: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "shequ.cli", "audit", "verify", "--service", "registry",
         "--store", store, "--treeheads", str(suite.tmp / "treeheads"), "--json"],
        check=False, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _edit_row(store_text: str, position: int) -> None:
    store = Store.parse(store_text)
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            conn.execute("UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), "
                         "'\"C', '\"X') AS BLOB) WHERE rowid = ?", (position,))
        return
    with psycopg.connect(store_text, autocommit=True) as conn:
        conn.execute("UPDATE registry_events SET state = convert_to(replace("
                     "convert_from(state, 'UTF8'), '\"C', '\"X'), 'UTF8') "
                     "WHERE notification_id = %s", (position,))


def _community_event_position(suite: Suite) -> int:
    """A position whose event mentions an English name "C…" (a community's name_en)."""
    envs = suite.registry_log()
    return next(e["position"] for e in envs if e["contract"].endswith("community.established")
                and e["position"] > 2)


def test_verify_catches_an_edited_row_in_a_live_services_store(suite: Suite) -> None:
    suite.start(suite.registry)
    suite.call("registry", "establish_district", actor=STAFF, idempotency_key="audit-district",
               name="胶河经济区")
    for i in range(6):
        suite.call("registry", "establish_community", actor=STAFF,
                   idempotency_key=f"audit-community-{i}", name=f"社区{i}", name_en=f"C{i}")
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
