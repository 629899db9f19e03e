# ruff: noqa: F811 - pytest fixtures imported by name
"""The event path on real servers: idempotent commands, relay to RabbitMQ with confirms and
the prev chain, leadership, and the inbox (duplicates, gaps, poison messages)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import eventlet
import kombu.exceptions
import pytest
from audit_fixtures import store  # noqa: F401 - the SQLite/PostgreSQL store fixture
from eventsourcing.utils import get_topic
from kombu import Connection, Queue
from platform_support import Note, Notes, Secret, catalogue, translate
from shequ.actor import Actor
from shequ.app import FoldingRepository
from shequ.db import make_engine
from shequ.errors import Conflict, ValidationError
from shequ.inbox import GapNotRepaired, Inbox
from shequ.leader import Leadership
from shequ.outbox import envelopes_after
from shequ.relay import Relay, exchange_for
from shequ.testing import MemoryDeadLetters

from tests.support.infra import rabbit_vhost

STAFF = Actor("p-1", "district_staff")


def test_repeated_idempotency_key_returns_first_result_and_writes_nothing(store):
    app = Notes(store)
    first = app.write("hello", "key-000001", STAFF)
    top = app.recorder.max_notification_id()
    again = app.write("hello", "key-000001", STAFF)
    assert again == first
    assert app.recorder.max_notification_id() == top


def test_reused_key_with_other_payload_is_refused_and_writes_nothing(store):
    app = Notes(store)
    app.write("hello", "key-000002", STAFF)
    top = app.recorder.max_notification_id()
    with pytest.raises(Conflict) as err:
        app.write("different", "key-000002", STAFF)
    assert err.value.field == "idempotency_key"
    assert app.recorder.max_notification_id() == top


def test_another_actor_reusing_a_key_is_refused_not_answered(store):
    app = Notes(store)
    app.write("private", "key-000004", STAFF)
    other = Actor("p-2", "district_staff")
    with pytest.raises(Conflict) as err:
        app.write("private", "key-000004", other)
    assert err.value.code == "idempotency_key_reused"


def test_a_repeat_whose_decision_now_fails_gets_the_first_result(store):
    # The key is not looked up before deciding: a repeat is recognised when deciding again
    # fails because the first command's effect is there, or when its save conflicts.
    app = Notes(store)
    made: list[Note] = []

    def decide() -> Any:
        if made:
            raise Conflict("已存在", "that note exists already", "text", code="exists")
        made.append(Note(text="once", actor=STAFF.to_dict()))
        return [made[0]], {"id": str(made[0].id)}

    first = app.execute("make_once", "key-000005", STAFF, {"text": "once"}, decide)
    top = app.recorder.max_notification_id()
    assert app.execute("make_once", "key-000005", STAFF, {"text": "once"}, decide) == first
    with pytest.raises(Conflict) as err:  # the same key, another payload: refused, not "exists"
        app.execute("make_once", "key-000005", STAFF, {"text": "other"}, decide)
    assert err.value.code == "idempotency_key_reused"
    with pytest.raises(Conflict) as err:  # a new key: the decision's own refusal
        app.execute("make_once", "key-000006", STAFF, {"text": "once"}, decide)
    assert err.value.code == "exists"
    assert app.recorder.max_notification_id() == top


@pytest.mark.postgres
def test_a_command_sends_no_notify_on_postgresql(postgres_store):
    # Nothing LISTENs; a NOTIFY would queue every commit of the server behind one lock.
    # (NOTIFY is PostgreSQL's: there is nothing to ask of SQLite.)
    import psycopg

    store = postgres_store

    app = Notes(store)
    channel = app.recorder.channel_name
    dsn = store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute(f'LISTEN "{channel}"')
        app.write("hello", "key-000007", STAFF)
        listener.execute("LISTEN probe")
        listener.execute("NOTIFY probe")  # delivered after anything the write sent
        heard = [n.channel for n in listener.notifies(timeout=2, stop_after=1)]
    assert heard == ["probe"]
    app.close()


def test_short_idempotency_key_is_refused(store):
    with pytest.raises(ValidationError) as err:
        Notes(store).write("x", "k", STAFF)
    assert err.value.field == "idempotency_key"


def test_events_record_the_actor(store):
    app = Notes(store)
    note_id = app.write("hello", "key-000003", STAFF)["id"]
    created = app.repository.get(__import__("uuid").UUID(note_id))
    assert created.text == "hello"
    note = app.recorder.select_notifications(1, 1)[0]
    assert json.loads(note.state)["actor"]["person_id"] == "p-1"


def test_commands_saved_through_group_commit_are_snapshotted_by_eventsourcing(store):
    """``snapshotting_intervals`` works on the command path, which bypasses
    ``Application.save``: a snapshot at every third version, taken from the stored events."""

    class SnappedNotes(Notes):
        snapshotting_intervals = {Note: 3}  # noqa: RUF012

    app = SnappedNotes(store)
    try:
        note_id = app.write("v1", "snap-key-01", STAFF)["id"]
        for n in range(2, 8):
            app.amend(note_id, f"v{n}", f"snap-key-{n:02}", STAFF)
        snaps = list(app.snapshots.get(UUID(note_id)))  # type: ignore[union-attr]
        assert [s.originator_version for s in snaps] == [3, 6]
        assert snaps[-1].state["text"] == "v6"
        assert app.repository.get(UUID(note_id)).text == "v7"
    finally:
        app.close()


def test_in_memory_store_is_refused():
    from shequ.store import Store, StoreConfigError

    for bad in (None, "", "sqlite::memory:", "memory://"):
        with pytest.raises(StoreConfigError):
            Store.parse(bad)


def _drain(uri: str, queue: Queue, expect: int) -> list[Any]:
    got: list[Any] = []
    with Connection(uri) as conn:
        q = queue(conn.channel())
        for _ in range(expect * 3):
            msg = q.get(no_ack=True)
            if msg is None:
                break
            got.append(msg)
    return got


def test_relay_publishes_in_order_with_prev_chain_and_persistent(store):
    app = Notes(store)
    ids = [app.write(f"n{i}", f"key-relay-{i:03d}", STAFF)["id"] for i in range(5)]
    app.save(Secret(text="not published"))  # a notification the relay must skip
    app.write("after secret", "key-relay-999", STAFF)
    with rabbit_vhost() as uri:
        queue = Queue("t.relay", exchange=exchange_for("notes"), routing_key="#", durable=True)
        with Connection(uri) as conn:
            queue(conn.channel()).declare()
        relay = Relay("notes", app, make_engine(store), translate, uri, batch=3)
        total = 0
        while (n := relay.run_once()) > 0:
            total += n
        messages = _drain(uri, queue, 6)
    assert total == 6
    bodies = [m.payload for m in messages]
    positions = [b["position"] for b in bodies]
    assert positions == sorted(positions) and len(positions) == 6
    assert [b["prev"] for b in bodies] == [None, *positions[:-1]]
    assert bodies[0]["data"]["note_id"] == ids[0]
    assert all(m.properties["delivery_mode"] == 2 for m in messages)
    secret_position = app.recorder.max_notification_id() - 2
    assert secret_position not in positions
    assert relay.state()[0] == app.recorder.max_notification_id()


def test_relay_does_not_advance_when_the_broker_is_unreachable(store):
    app = Notes(store)
    app.write("hello", "key-unreach-1", STAFF)
    relay = Relay(
        "notes", app, make_engine(store), translate, "amqp://guest:guest@127.0.0.1:5999/", batch=10
    )
    with pytest.raises((OSError, kombu.exceptions.OperationalError)):
        relay.run_once()
    assert relay.state() == (0, None)


def test_only_one_leader_per_store(store):
    a, b = Leadership(store, "relay"), Leadership(store, "relay")
    assert a.try_acquire()
    assert not b.try_acquire()
    a.release()
    assert b.try_acquire()
    b.release()


def _upstream(tmp_path: Any) -> tuple[Notes, list[dict[str, Any]]]:
    from shequ.store import Store

    up = Notes(Store.parse(f"sqlite:///{tmp_path / 'up.db'}"))
    for i in range(6):
        up.write(f"u{i}", f"key-up-{i:03d}", STAFF)
    return up, envelopes_after("notes", up, translate, 0, 100, None)


def _inbox(
    store: Any,
    up: Notes,
    dead: MemoryDeadLetters,
    fail_on: set[int] | None = None,
    pulls: list[int] | None = None,
) -> tuple[Inbox, list[int]]:
    down = Notes(store)
    applied: list[int] = []

    def handle(env: dict[str, Any], unit: Any) -> list[Any]:
        if fail_on and env["position"] in fail_on:
            raise ValueError("cannot handle")
        applied.append(env["position"])
        return [Note(text=env["data"]["text"], actor={"person_id": "system", "role": "system"})]

    def pull(after: int, limit: int) -> list[dict[str, Any]]:
        if pulls is not None:
            pulls.append(after)
        return envelopes_after("notes", up, translate, after, limit, after or None)

    return Inbox("down", "notes", down, handle, pull, dead, max_failures=2), applied


def test_inbox_skips_duplicates_and_repairs_gaps(store, tmp_path):
    up, envs = _upstream(tmp_path)
    pulls: list[int] = []
    inbox, applied = _inbox(store, up, MemoryDeadLetters(), pulls=pulls)
    assert inbox.process(envs[0]) == "applied"
    assert inbox.process(envs[0]) == "duplicate"
    assert inbox.process(envs[3]) == "applied"  # 1 and 2 were lost: pulled over "RPC"
    assert pulls == [envs[0]["position"]]
    assert inbox.process(envs[1]) == "duplicate"  # the late original is skipped
    for env in envs:
        inbox.process(env)
    assert applied == [e["position"] for e in envs]
    assert inbox.last() == envs[-1]["position"]


def test_inbox_tracking_is_atomic_with_the_effect(store, tmp_path):
    up, envs = _upstream(tmp_path)
    inbox, _ = _inbox(store, up, MemoryDeadLetters())
    inbox.process(envs[0])
    events_after_first = inbox.app.recorder.max_notification_id()
    assert inbox.last() == envs[0]["position"] and events_after_first == 1


def test_poison_message_is_dead_lettered_and_the_inbox_goes_on(store, tmp_path):
    up, envs = _upstream(tmp_path)
    dead = MemoryDeadLetters()
    inbox, applied = _inbox(store, up, dead, fail_on={envs[1]["position"]})
    results = [inbox.process(env) for env in envs]
    assert results[1] == "dead_lettered"
    assert dead.sent[0]["envelope"]["position"] == envs[1]["position"]
    assert dead.sent[0]["attempts"] == 2
    assert applied == [e["position"] for i, e in enumerate(envs) if i != 1]
    assert inbox.last() == envs[-1]["position"]


def test_malformed_envelope_is_dead_lettered(store, tmp_path):
    up, _ = _upstream(tmp_path)
    dead = MemoryDeadLetters()
    inbox, _ = _inbox(store, up, dead)
    assert inbox.process({"nonsense": True}) == "dead_lettered"
    assert inbox.last() == 0


def test_gap_that_cannot_be_pulled_is_retried_not_skipped(store, tmp_path):
    up, envs = _upstream(tmp_path)
    inbox, applied = _inbox(store, up, MemoryDeadLetters())
    inbox.pull = lambda after, limit: []  # upstream unreachable / empty answer
    with pytest.raises(GapNotRepaired):
        inbox.process(envs[2])
    assert applied == [] and inbox.last() == 0


def test_contract_violation_is_caught_when_published(store):
    from shequ.outbox import build_envelope

    app = Notes(store)
    app.write("ok", "key-contract-1", STAFF)
    note = app.recorder.select_notifications(1, 1)[0]

    def bad(ev: Any) -> Any:
        return catalogue.get("notes.note.written", 1), {"note_id": 5, "text": "x"}

    with pytest.raises(ValidationError) as err:
        build_envelope("notes", app, bad, note, None)
    assert err.value.field == "note_id"


def test_inbox_validates_what_it_receives_against_its_interests(store, tmp_path):
    from platform_support import WRITTEN

    up, envs = _upstream(tmp_path)
    dead = MemoryDeadLetters()
    inbox, applied = _inbox(store, up, dead)
    inbox.interests = {WRITTEN.name: WRITTEN}
    bad = {**envs[0], "data": {"note_id": 7, "text": "x"}}  # note_id must be a string
    assert inbox.process(bad) == "dead_lettered"
    assert dead.sent[0]["error"]["code"] == "contract_violation"
    newer = {**envs[1], "version": 2}
    assert inbox.process(newer) == "dead_lettered"
    assert dead.sent[1]["error"]["code"] == "unsupported_version"
    other = {**envs[2], "contract": "notes.note.archived"}
    assert inbox.process(other) == "ignored"
    assert applied == [] and inbox.last() == envs[2]["position"]


def _tally_inbox(
    store: Any, up: Notes, dead: MemoryDeadLetters, fail_on: set[int] | None = None
) -> Inbox:
    from platform_support import Tally

    def handle(env: dict[str, Any], unit: Any) -> list[Any]:
        if fail_on and env["position"] in fail_on:
            raise ValueError("cannot handle")
        tally = unit.get(Tally.create_id("notes")) or Tally(upstream="notes")
        tally.count(position=env["position"])
        return [tally]

    def pull(after: int, limit: int) -> list[dict[str, Any]]:
        return envelopes_after("notes", up, translate, after, limit, after or None)

    return Inbox("down", "notes", Notes(store), handle, pull, dead, max_failures=2)


def _tally(inbox: Inbox) -> list[int]:
    from platform_support import Tally

    return inbox.app.repository.get(Tally.create_id("notes")).positions


def test_a_batch_is_one_transaction_and_sees_its_own_changes(store, tmp_path):
    up, envs = _upstream(tmp_path)
    inbox = _tally_inbox(store, up, MemoryDeadLetters())
    puts: list[int] = []
    real_put = inbox.app.events.put
    inbox.app.events.put = lambda events, **kw: puts.append(len(events)) or real_put(events, **kw)
    assert inbox.process_batch(envs) == ["applied"] * len(envs)
    assert _tally(inbox) == [e["position"] for e in envs]
    assert puts == [len(envs) + 1]  # one transaction: Started and every Counted
    assert inbox.app.recorder.max_tracking_id("notes") == envs[-1]["position"]
    assert inbox.process_batch(envs) == ["duplicate"] * len(envs)


def test_a_batch_with_a_gap_falls_back_and_repairs(store, tmp_path):
    up, envs = _upstream(tmp_path)
    inbox = _tally_inbox(store, up, MemoryDeadLetters())
    outcomes = inbox.process_batch([envs[0], envs[1], envs[4], envs[5]])
    assert outcomes[:2] == ["applied", "applied"]
    assert _tally(inbox) == [e["position"] for e in envs]  # 2 and 3 pulled, in order


def test_a_failing_envelope_in_a_batch_is_retried_alone_then_dead_lettered(store, tmp_path):
    up, envs = _upstream(tmp_path)
    dead = MemoryDeadLetters()
    inbox = _tally_inbox(store, up, dead, fail_on={envs[2]["position"]})
    outcomes = inbox.process_batch(envs)
    assert outcomes[2] == "dead_lettered" and outcomes.count("applied") == len(envs) - 1
    assert _tally(inbox) == [e["position"] for i, e in enumerate(envs) if i != 2]
    assert inbox.last() == envs[-1]["position"]


def test_an_interest_accepts_added_fields_and_refuses_missing_or_mistyped_ones() -> None:
    """A consumer's copy of an upstream contract is a tolerant reader: an upstream may add a
    field without breaking it, but a renamed, removed or retyped field is refused by name."""
    from shequ.contracts import interests

    reads = interests(
        "casework", "assessment", {"case.rated": {"case_id": "string", "rating": "integer"}}
    )
    contract = reads["casework.case.rated"]
    contract.validate({"case_id": "c1", "rating": 4, "rated_on": "2026-01-02"})
    with pytest.raises(ValidationError) as missing:
        contract.validate({"case_id": "c1", "score": 4})
    assert "rating" in missing.value.message_en
    with pytest.raises(ValidationError) as mistyped:
        contract.validate({"case_id": "c1", "rating": "four"})
    assert mistyped.value.field == "rating"
    with pytest.raises(ValueError):
        interests("casework", "assessment", {"case.rated": {"rating": "decimal"}})


class _OncePerNote:
    """A read model with a unique row per note: applying a page twice would fail."""

    name = "once_per_note"

    def __init__(self, hold: Any = None) -> None:
        import sqlalchemy as sa

        self.metadata = sa.MetaData()
        self.rows = sa.Table(
            "once_per_note", self.metadata, sa.Column("note_id", sa.String, primary_key=True)
        )
        self.hold = hold  # (entered, release) events: stop inside the first apply

    def apply(self, session: Any, event: Any) -> None:
        if self.hold is not None:
            entered, release = self.hold
            self.hold = None
            entered.set()
            assert release.wait(30)
        session.execute(self.rows.insert().values(note_id=str(event.originator_id)))


def test_two_replicas_projecting_at_once_apply_each_event_once(store) -> None:
    """Replicas of a service share one read model: while one applies a page the other waits
    (PostgreSQL) or loses the race and carries on from the winner's position (SQLite); every
    event is applied once and both end at the head of the log."""
    import threading

    from shequ.projection import Projector
    from sqlalchemy import func, select

    app = Notes(store)
    try:
        for i in range(7):
            app.write(f"note {i}", f"key-proj-{i}", STAFF)
        entered, release = threading.Event(), threading.Event()
        slow = _OncePerNote(hold=(entered, release))
        first = Projector(app, slow, make_engine(store), page=3)
        second = Projector(app, _OncePerNote(), make_engine(store), page=3)
        errors: list[BaseException] = []

        def run(projector: Projector) -> None:
            try:
                projector.catch_up()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        a = threading.Thread(target=run, args=(first,))
        a.start()
        assert entered.wait(30)
        b = threading.Thread(target=run, args=(second,))
        b.start()
        b.join(timeout=2 if store.kind == "postgres" else 30)  # PG: b waits on a's lock
        release.set()
        a.join(30)
        b.join(30)
        assert not errors, errors
        head = app.recorder.max_notification_id()
        with first.engine.connect() as c:  # one row per stored event (notes and their records)
            assert c.execute(select(func.count()).select_from(slow.rows)).scalar_one() == head
        assert first.position() == second.position() == head
        assert first.catch_up() == 0 and second.catch_up() == 0
    finally:
        app.close()


def test_a_transaction_too_large_for_one_save_is_refused_and_stores_nothing(store, monkeypatch):
    """Past a few MiB one PostgreSQL transaction hangs in psycopg's pipeline: the platform
    refuses it with a clear error first, and nothing of the command is stored (ADR 0009)."""
    import shequ.app

    monkeypatch.setattr(shequ.app, "MAX_TRANSACTION_BYTES", 20_000)
    app = Notes(store)
    try:
        app.write("small", "key-size-1", STAFF)
        head = app.recorder.max_notification_id()
        with pytest.raises(ValidationError) as refused:
            app.write("x" * 30_000, "key-size-2", STAFF)
        assert refused.value.code == "transaction_too_large"
        assert "split the work into batches" in refused.value.message_en
        assert app.recorder.max_notification_id() == head
        # a group of commands, small each but too large together, is committed one at a time
        from shequ.groupcommit import GroupCommitter, Waiter

        notes = [
            Note(text="y" * 12_000, actor={"person_id": "p", "role": "system"}) for _ in range(2)
        ]
        waiters = [Waiter(list(n.collect_events())) for n in notes]
        committer = GroupCommitter(app.events)
        committer._flush(waiters)
        assert [w.error for w in waiters] == [None, None]
        assert app.recorder.max_notification_id() == head + 2
    finally:
        app.close()


def test_an_inbox_batch_too_large_for_one_save_is_applied_one_by_one(store, tmp_path, monkeypatch):
    import shequ.app
    from shequ.store import Store

    monkeypatch.setattr(shequ.app, "MAX_TRANSACTION_BYTES", 20_000)
    up = Notes(Store.parse(f"sqlite:///{tmp_path / 'up.db'}"))
    for i in range(3):
        up.write("z" * 8_000 + str(i), f"key-big-{i}", STAFF)
    envs = envelopes_after("notes", up, translate, 0, 100, None)
    inbox, applied = _inbox(store, up, MemoryDeadLetters())
    assert inbox.process_batch(envs) == ["applied"] * len(envs)
    assert applied[-len(envs) :] == [e["position"] for e in envs]
    assert inbox.last() == envs[-1]["position"]
    inbox.app.close()
    up.close()


def test_an_inbox_batch_that_races_a_command_is_applied_one_by_one(store, tmp_path):
    """A command changes an aggregate that a batch of envelopes changes too, between the
    handlers and the batch's save: the batch's save conflicts, and each envelope is applied
    again on its own on fresh state, none lost, none applied twice."""
    from uuid import UUID

    up, envs = _upstream(tmp_path)
    down = Notes(store)
    target = UUID(down.write("shared", "key-race-0", STAFF)["id"])
    system = {"person_id": "system", "role": "system"}
    raced: list[bool] = []

    def handle(env: dict[str, Any], unit: Any) -> list[Any]:
        note = unit.get(target)
        if not raced:  # a concurrent command, once, after the batch loaded the note
            raced.append(True)
            other = down.repository.get(target)
            other.amend("by a command", actor=system)
            down.save(other)
        note.amend(env["data"]["text"], actor=system)
        return [note]

    def pull(after: int, limit: int) -> list[dict[str, Any]]:
        return envelopes_after("notes", up, translate, after, limit, after or None)

    inbox = Inbox("down", "notes", down, handle, pull, MemoryDeadLetters(), max_failures=2)
    try:
        assert inbox.process_batch(envs[:3]) == ["applied"] * 3
        note = down.repository.get(target)
        assert note.text == envs[2]["data"]["text"]
        assert note.version == 1 + 1 + 3  # written, the command's amendment, three envelopes
        assert inbox.last() == envs[2]["position"]
    finally:
        down.close()
        up.close()


@pytest.mark.parametrize(
    "store", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_concurrent_commands_on_one_aggregate_all_succeed(store) -> None:
    """Thirty commands amending one note at once (thirty RPC workers): each loser of a race
    re-decides on fresh state, queued behind the other losers in this process, so none runs
    out of retries; every amendment is stored once."""
    app = Notes(store)
    note = app.write("v0", "k-amend-note", STAFF)["id"]
    pool = eventlet.GreenPool(30)
    results = list(
        pool.imap(lambda i: app.amend(note, f"v{i}", f"k-amend-{i:03d}", STAFF), range(30))
    )
    assert sorted(r["version"] for r in results) == list(range(2, 32))
    texts = [e.text for e in app.events.get(UUID(note))][1:]
    assert sorted(texts, key=lambda t: int(t[1:])) == [f"v{i}" for i in range(30)]
    app.close()


class _NotesRead:
    """A read model of notes; ``version`` 2 adds a column (a new release of the service)."""

    name = "notes_read"

    def __init__(self, version: int) -> None:
        import sqlalchemy as sa

        self.version = version
        self.metadata = sa.MetaData()
        extra = [sa.Column("key", sa.String(100))] if version > 1 else []
        self.rows = sa.Table(
            "notes_read", self.metadata, sa.Column("id", sa.String(36), primary_key=True), *extra
        )

    def apply(self, session: Any, event: Any) -> None:
        values = {"id": str(event.originator_id)}
        if self.version > 1:
            values["key"] = type(event).__qualname__
        session.execute(self.rows.insert().values(**values))


def test_a_changed_read_model_is_rebuilt_from_the_log_on_start(store) -> None:
    """A release that changes a read model (a column added, or its ``version`` raised) finds
    the old rows on start: they are dropped and rebuilt from the log, never served stale or
    failing on a missing column; an unchanged one is kept as it is."""
    from shequ.projection import Projector
    from sqlalchemy import func, select

    app = Notes(store)
    try:
        for i in range(3):
            app.write(f"note {i}", f"key-rebuild-{i}", STAFF)
        head = app.recorder.max_notification_id()
        old = Projector(app, _NotesRead(1), make_engine(store))
        old.catch_up()
        old.engine.dispose()
        again = Projector(app, _NotesRead(1), make_engine(store))
        assert again.position() == head and again.catch_up() == 0  # unchanged: kept
        again.engine.dispose()
        new_read = _NotesRead(2)
        new = Projector(app, new_read, make_engine(store))
        assert new.position() == 0
        assert new.catch_up() == head
        with new.engine.connect() as c:
            assert (
                c.execute(
                    select(func.count())
                    .select_from(new_read.rows)
                    .where(new_read.rows.c.key.is_not(None))
                ).scalar_one()
                == head
            )
        new.engine.dispose()
    finally:
        app.close()


def test_a_replica_of_the_old_release_stops_projecting_once_the_read_model_is_rebuilt(
    store,
) -> None:
    """During a rolling upgrade an old replica must not refill a rebuilt read model with rows
    of the old shape: it refuses to apply a page."""
    from shequ.projection import Projector, ReadModelChanged

    app = Notes(store)
    try:
        app.write("note", "key-old-replica-1", STAFF)
        old = Projector(app, _NotesRead(1), make_engine(store))
        new = Projector(app, _NotesRead(2), make_engine(store))
        app.write("note", "key-old-replica-2", STAFF)
        with pytest.raises(ReadModelChanged):
            old.catch_up()
        assert new.catch_up() == app.recorder.max_notification_id()
        old.engine.dispose()
        new.engine.dispose()
    finally:
        app.close()


def test_aggregates_are_cached_fast_forwarded_and_copied_for_each_command(
    store, monkeypatch
) -> None:
    """The platform's repository (FoldingRepository) keeps aggregates between commands: a load
    reads only the events stored since (another writer's included), each caller gets its own
    copy, and an operator can turn the cache off (``SHEQU_AGGREGATE_CACHE=0``)."""
    monkeypatch.setenv("SHEQU_AGGREGATE_CACHE", "0")
    other = Notes(store)
    monkeypatch.delenv("SHEQU_AGGREGATE_CACHE")
    app = Notes(store)
    staff = Actor(person_id="p", role="district_staff")
    try:
        assert isinstance(app.repository, FoldingRepository)
        assert app.repository.cache is not None and other.repository.cache is None
        made = app.write("初稿", "note-key-1", staff)
        note_id = UUID(made["id"])
        assert app.repository.get(note_id).text == "初稿"  # now cached
        other.amend(made["id"], "二稿", "note-key-2", staff)
        decoded: list[int] = []
        to_domain = app.mapper.to_domain_event
        monkeypatch.setattr(
            app.mapper,
            "to_domain_event",
            lambda s: decoded.append(s.originator_version) or to_domain(s),
        )
        again = app.repository.get(note_id)  # the cached copy, fast-forwarded
        assert (again.text, again.version) == ("二稿", 2)
        assert decoded == [2]  # only the event stored since, not the whole history
        again.text = "改了副本"  # a command's copy, never the cached state
        assert app.repository.get(note_id).text == "二稿"
        assert app.repository.get(note_id) is not app.repository.get(note_id)
        assert app.repository.get(note_id, version=1).text == "初稿"
    finally:
        app.close()
        other.close()


def test_changed_since_answers_growth_and_topics_in_one_query(store) -> None:
    """``changed_since``: the log's top past a position, and whether an event of the given
    topics was stored past it (what a command asks before trusting rows it remembered)."""
    app = Notes(store)
    staff = Actor(person_id="p", role="district_staff")
    try:
        made = app.write("初稿", "note-key-a", staff)
        top = app.recorder.max_notification_id()
        assert app.changed_since(top, ["notes:Note.Amended"]) == (None, False)
        app.amend(made["id"], "二稿", "note-key-b", staff)
        amended = get_topic(Note.Amended)
        grown, seen = app.changed_since(top, [amended])
        assert grown == app.recorder.max_notification_id() > top and seen
        assert app.changed_since(top, [get_topic(Note.Written)]) == (grown, False)
        assert app.changed_since(grown, [amended]) == (None, False)
    finally:
        app.close()
