"""Snapshots are not events and are not sealed: a snapshot row edited or inserted with SQL is
named by ``shequ audit verify`` (report, CLI output, exit 1) and never served (ADR 0017), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
from assessment.application import Assessment
from assessment_testing import backfill, close_app, open_app
from shequ.audit import Sealer, verify
from shequ.store import Store
from shequ.testing import shequ_cli

SERVICE = "assessment"


def raw(store: Store, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """One statement on the snapshots table, as someone with database access."""
    table = "stored_snapshots" if store.kind == "sqlite" else "assessment_snapshots"
    sql = sql.format(table=table)
    if store.kind == "sqlite":
        with sqlite3.connect(str(store.path)) as conn:
            rows = conn.execute(sql, params).fetchall()
        conn.close()
        return rows
    dsn = store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn, autocommit=True) as pg:
        cursor = pg.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _url(store: Store) -> str:
    if store.kind == "sqlite":
        return f"sqlite:///{store.path}"
    return f"postgresql://{store.user}@{store.host}:{store.port}/{store.dbname}"


def forged(state: bytes | memoryview) -> bytes:
    """The snapshot's state with fewer arrivals after the period's end."""
    decoded = json.loads(bytes(state))
    decoded["state"]["arrivals_after_end"] = 7
    return json.dumps(decoded).encode()


def test_forged_snapshots_are_named_by_verify_and_never_served(
    app: Assessment, store: Store, tmp_path: Path
) -> None:
    pid = backfill(app)
    key = pid.hex if store.kind == "sqlite" else pid
    audit_dir = tmp_path / "audit"
    Sealer(SERVICE, app.recorder, audit_dir, tmp_path / "keys" / "k.pem").seal()
    clean = verify(SERVICE, app.recorder, audit_dir)
    assert clean.ok and clean.snapshots == 3, clean  # the quarter, its month and half-year

    where = "WHERE originator_id = ? AND originator_version = 100"
    (state,) = raw(store, "SELECT state FROM {table} " + where, (key,))[0]
    raw(store, "UPDATE {table} SET state = ? " + where, (forged(state), key))
    raw(
        store,
        "INSERT INTO {table} (originator_id, originator_version, topic, state) "
        "SELECT originator_id, 120, topic, state FROM {table} " + where,
        (key,),
    )

    report = verify(SERVICE, app.recorder, audit_dir)
    assert not report.ok and report.problem == "snapshot_forged"
    assert report.forged_snapshots == [(str(pid), 100), (str(pid), 120)]
    assert str(pid) in report.message_en and "120" in report.message_en
    assert "快照" in report.message_zh
    cli = shequ_cli(
        "audit", "verify", service=SERVICE, store=_url(store), treeheads=audit_dir, json=True
    )
    assert cli.returncode == 1, cli.stderr
    printed = json.loads(cli.stdout)
    assert (printed["problem"], printed["forged_snapshots"]) == (
        "snapshot_forged",
        [[str(pid), 100], [str(pid), 120]],
    )

    # The service ignores them and answers from the events: the instance that took the
    # snapshot, and a fresh one (a restart) that never saw it.
    assert app.repository.get(pid).arrivals_after_end == 130
    fresh = open_app(store)
    try:
        period = fresh.repository.get(pid)
        assert (period.version, period.arrivals_after_end) == (131, 130)
    finally:
        close_app(fresh)
    assert bytes(raw(store, "SELECT state FROM {table} " + where, (key,))[0][0]) == forged(
        state
    )  # verify and the service only read


def test_a_genuine_snapshot_is_served_after_a_restart(app: Assessment, store: Store) -> None:
    """The check costs a replay once per snapshot and process, then the snapshot is used."""
    pid = backfill(app)
    fresh = open_app(store)
    try:
        assert [s.originator_version for s in fresh.snapshots.get(pid)] == [100]  # type: ignore[union-attr]
        assert fresh.repository.get(pid).arrivals_after_end == 130
    finally:
        close_app(fresh)
