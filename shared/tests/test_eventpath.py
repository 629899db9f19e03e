# ruff: noqa: F811 - pytest fixtures imported by name
"""What an inbox will not trust (issue 10, items 4-7; ADR 0013), on real stores and RabbitMQ.

* an envelope its upstream did not sign as it is — made up, altered, far ahead, for another
  service — is a dead letter and never moves tracking (4);
* a message that cannot be decoded is a dead letter and the queue goes on (5);
* a replay takes a stored letter's id, re-checks it against the upstream's log, and applies
  it once (6);
* envelopes are bounded in size, and no genuine one can reach the bound (7).
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import eventlet
import pytest
from audit_fixtures import store  # noqa: F401 - the SQLite/PostgreSQL store fixture
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kombu import Connection
from platform_support import Note, Notes, translate
from shequ.actor import Actor
from shequ.deadletters import DeadLetter, DeadLetters
from shequ.errors import NotFound, ValidationError
from shequ.inbox import Inbox
from shequ.outbox import build_envelope, envelopes_after
from shequ.provenance import Signer, UpstreamKeyMissing, Verifier
from shequ.replay import replay_dead_letter
from shequ.store import Store
from shequ.subscriber import Subscriber, decode, inbox_queue
from shequ.testing import MemoryDeadLetters

from tests.support.infra import rabbit_vhost

STAFF = Actor("p-1", "district_staff")
SYSTEM = {"person_id": "system", "role": "system"}


class World:
    """An upstream ``notes`` that signs, and a downstream inbox that checks."""

    def __init__(self, store: Store, tmp: Path, letters: Any = None) -> None:
        self.keys = tmp / "keys"
        self.signer = Signer.for_service("notes", self.keys / "notes.ed25519.pem")
        self.up = Notes(Store.parse(f"sqlite:///{tmp / 'up.db'}"))
        for i in range(4):
            self.up.write(f"u{i}", f"key-up-{i:03d}", STAFF)
        self.envs = self.pull(0, 100)
        self.down = Notes(store)
        self.applied: list[int] = []
        self.fail = False
        self.letters = letters or MemoryDeadLetters()
        self.inbox = Inbox(
            "down",
            "notes",
            self.down,
            self.handle,
            self.pull,
            self.letters,
            max_failures=2,
            verifier=Verifier(self.keys),
        )

    def pull(self, after: int, limit: int) -> list[dict[str, Any]]:
        return envelopes_after(
            "notes", self.up, translate, after, limit, after or None, self.signer
        )

    def handle(self, env: dict[str, Any], unit: Any) -> list[Any]:
        if self.fail:
            raise ValueError("cannot handle")
        self.applied.append(env["position"])
        return [Note(text=env["data"]["text"], actor=SYSTEM)]

    def letter(self, letter_id: str) -> DeadLetter:
        return self.down.repository.get(DeadLetter.create_id(letter_id))

    def runtime(self) -> Any:
        return SimpleNamespace(
            app=self.down, inboxes=[self.inbox], config=SimpleNamespace(service="down")
        )

    def close(self) -> None:
        self.up.close()
        self.down.close()


@pytest.fixture
def world(store: Store, tmp_path: Path) -> Any:
    w = World(store, tmp_path)
    yield w
    w.close()


def _forged(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "contract": "notes.note.written",
        "version": 1,
        "service": "notes",
        "position": 1_000_005,
        "prev": None,
        "data": {"note_id": "n", "text": "forged"},
        **fields,
    }


# 4 -- provenance --------------------------------------------------------------------------
def test_a_far_ahead_made_up_envelope_is_dead_lettered_and_moves_nothing(world: World):
    assert world.inbox.process(world.envs[0]) == "applied"
    forged = _forged(world)
    assert world.inbox.process(forged) == "dead_lettered"
    assert world.inbox.last() == world.envs[0]["position"]  # tracking did not jump
    assert world.letters.sent[-1]["error"]["code"] == "unsigned_envelope"
    letter = world.letter(world.letters.sent[-1]["id"])
    assert not letter.replayable and letter.position is None
    assert json.loads(__import__("base64").b64decode(letter.raw["base64"]))["position"] == 1_000_005
    # the consumer goes on learning what the upstream really publishes
    assert world.inbox.process_batch(world.envs[1:]) == ["applied"] * 3
    assert world.applied == [e["position"] for e in world.envs]


def test_altered_foreign_and_inconsistent_envelopes_are_refused(world: World):
    genuine = world.envs[0]
    other_key = Signer("notes", Ed25519PrivateKey.generate())
    cases = {
        "altered position": ({**genuine, "position": 999}, "bad_signature"),
        "altered data": ({**genuine, "data": {**genuine["data"], "text": "x"}}, "bad_signature"),
        "signed by another key": (other_key.sign(_forged(world)), "bad_signature"),
        "not hex": ({**genuine, "signature": "zz"}, "bad_signature"),
        "another service": (
            world.signer.sign(_forged(world, service="other")),
            "malformed_envelope",
        ),
        "position -7": (world.signer.sign(_forged(world, position=-7)), "malformed_envelope"),
        "prev after position": (
            world.signer.sign(_forged(world, position=5, prev=9)),
            "malformed_envelope",
        ),
    }
    for name, (envelope, code) in cases.items():
        assert world.inbox.process(envelope) == "dead_lettered", name
        assert world.letters.sent[-1]["error"]["code"] == code, name
    assert world.inbox.last() == 0 and world.applied == []
    # in a batch too: the genuine ones are applied around the refused one
    batch = [world.envs[0], {**world.envs[1], "position": 77}, *world.envs[1:]]
    assert world.inbox.process_batch(batch).count("applied") == 4
    assert world.inbox.last() == world.envs[-1]["position"]


def test_an_upstream_whose_key_is_not_there_yet_is_waited_for_not_dead_lettered(
    world: World, tmp_path: Path
):
    world.inbox.verifier = Verifier(tmp_path / "empty")
    with pytest.raises(UpstreamKeyMissing):
        world.inbox.process(world.envs[0])
    assert world.letters.sent == [] and world.inbox.last() == 0


def test_gap_repair_applies_only_envelopes_that_check(world: World):
    world.inbox.pull = lambda after, limit: [_forged(world, position=2, prev=None)]
    with pytest.raises(ConnectionError):  # GapNotRepaired: retried, never applied
        world.inbox.process(world.envs[2])
    assert world.applied == [] and world.inbox.last() == 0


# 5 -- undecodable messages ----------------------------------------------------------------
POISON: dict[str, tuple[bytes, str | None]] = {
    "undecodable": (b"{not json at all", "application/json"),
    "not utf-8": (b'{"position": "\xff\xfe"}', "application/json"),
    "pickle": (pickle.dumps({"position": 1}), "application/x-python-serialize"),
    "too_deep": (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "not an object": (b"[1, 2, 3]", "application/json"),
    "too large": (b'{"data": "' + b"x" * 2_000_000 + b'"}', "application/json"),
}
CODES = {
    "undecodable": "undecodable",
    "not utf-8": "undecodable",
    "pickle": "unsupported_content_type",
    "too_deep": "too_deep",
    "not an object": "malformed_envelope",
    "too large": "envelope_too_large",
}


def test_every_undecodable_message_has_a_reason() -> None:
    for name, (body, content_type) in POISON.items():
        decoded = decode(body, content_type, 1024 * 1024)
        assert decoded.error["code"] == CODES[name], name
        assert decoded.body == body
    # escaped quotes and brackets past the limit: refused in linear time, not backtracked
    evil = b'"' + b'\\"' * 400_000 + b"[" * 40
    assert decode(evil, "application/json", 1024 * 1024).error["code"] == "undecodable"
    genuine = {"contract": "c", "data": {"a": [[{"b": '[[[[ ]]]] {{{{ " [[['}]]}}
    assert decode(json.dumps(genuine).encode(), "application/json", 1024) == genuine


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_undecodable_messages_are_dead_lettered_and_the_queue_goes_on(store: Store, tmp_path: Path):
    with rabbit_vhost() as amqp:
        world = World(store, tmp_path, DeadLetters(amqp))
        world.inbox.pull = lambda after, limit: []  # only what the queue delivers
        queue = inbox_queue("down", "notes")
        with Connection(amqp) as conn:
            producer = conn.Producer()
            producer.publish(
                json.dumps(world.envs[0]),
                routing_key=queue.name,
                declare=[queue],
                content_type="application/json",
            )
            for body, content_type in POISON.values():
                producer.publish(
                    body,
                    routing_key=queue.name,
                    content_type=content_type,
                    content_encoding="binary",
                )
            producer.publish(
                json.dumps(world.envs[1]), routing_key=queue.name, content_type="application/json"
            )
        stopping = SimpleNamespace(flag=False, is_set=lambda: stopping.flag)
        subscriber = Subscriber(world.inbox, amqp, stopping, poll_interval=3600)
        runner = eventlet.spawn(subscriber.run)
        try:
            while world.inbox.last() < world.envs[1]["position"]:
                assert not runner.dead
                eventlet.sleep(0.05)
        finally:
            stopping.flag = True
            runner.wait()
        from shequ.ops.deadletters import list_letters

        letters = list_letters(amqp)
        depth = _queue_depth(amqp, queue.name)
    try:
        assert world.applied == [world.envs[0]["position"], world.envs[1]["position"]]
        assert sorted(x["error"]["code"] for x in letters) == sorted(CODES.values())
        assert world.inbox.counts["dead_lettered"] == len(POISON)
        for x in letters:  # each kept in the consumer's store too, with its raw bytes
            kept = world.letter(x["id"])
            assert kept.raw["sha256"] == x["envelope"]["sha256"] and not kept.replayable
        assert depth == 0  # everything acknowledged
    finally:
        world.close()


def _queue_depth(amqp: str, name: str) -> int:
    with Connection(amqp) as conn:
        return int(conn.channel().queue_declare(name, passive=True)[1])


# 6 -- replay ------------------------------------------------------------------------------
def test_replay_takes_a_stored_letter_applies_it_once_and_refuses_the_rest(world: World):
    world.fail = True
    assert world.inbox.process(world.envs[0]) == "dead_lettered"
    world.fail = False
    ident = f"down.notes.{world.envs[0]['position']}"
    assert world.letters.sent[-1]["id"] == ident
    assert world.inbox.last() == world.envs[0]["position"]  # skipped, atomically with the letter
    assert world.letter(ident).envelope == world.envs[0]
    assert world.inbox.process(_forged(world)) == "dead_lettered"
    rejected = world.letters.sent[-1]["id"]
    rt = world.runtime()

    with pytest.raises(NotFound):
        replay_dead_letter(rt, SYSTEM, "down.notes.424242")  # never a letter here
    with pytest.raises(ValidationError) as refused:
        replay_dead_letter(rt, SYSTEM, rejected)
    assert refused.value.code == "not_replayable"
    first = replay_dead_letter(rt, SYSTEM, ident)
    assert first["outcome"] == "applied" and first["events"] == 1
    assert replay_dead_letter(rt, SYSTEM, ident)["outcome"] == "already_replayed"
    assert world.applied == [world.envs[0]["position"]]
    assert world.letter(ident).replayed_outcome == "applied"


def test_two_replays_at_once_apply_the_letter_once(world: World):
    world.fail = True
    assert world.inbox.process(world.envs[0]) == "dead_lettered"
    world.fail = False
    ident, rt, other = f"down.notes.{world.envs[0]['position']}", world.runtime(), []
    handle = world.inbox.handle

    def racing(env: dict[str, Any], unit: Any) -> list[Any]:
        if not other:  # another replay of the same letter commits in between
            other.append("racing")
            other.append(replay_dead_letter(rt, SYSTEM, ident))
        return handle(env, unit)

    world.inbox.handle = racing
    assert replay_dead_letter(rt, SYSTEM, ident)["outcome"] == "already_replayed"
    assert other[1]["outcome"] == "applied"
    written = [
        n
        for n in world.down.recorder.select_notifications(1, 100)
        if n.topic.endswith("Note.Written")
    ]
    assert len(written) == 1


def test_replay_refuses_a_letter_the_upstream_log_does_not_hold(world: World):
    # signed with the upstream's key (a leaked key, say) but never in the upstream's log
    made_up = world.signer.sign({**world.envs[0], "data": {"note_id": "n", "text": "made up"}})
    world.fail = True
    assert world.inbox.process(made_up) == "dead_lettered"
    world.fail = False
    with pytest.raises(ValidationError) as refused:
        replay_dead_letter(world.runtime(), SYSTEM, f"down.notes.{made_up['position']}")
    assert refused.value.code == "not_in_upstream_log"
    assert world.applied == []


# 7 -- size --------------------------------------------------------------------------------
def test_no_genuine_envelope_reaches_the_inbox_bound(store: Store, monkeypatch, tmp_path):
    import shequ.app

    bound = 40_000
    monkeypatch.setattr(shequ.app, "MAX_EVENT_BYTES", bound // 2)
    app = Notes(store)
    signer = Signer.for_service("notes", tmp_path / "notes.ed25519.pem")
    try:
        with pytest.raises(ValidationError) as refused:
            app.write("长" * 8_000, "key-size-big", STAFF)  # 24,000 bytes of text
        assert refused.value.code == "event_too_large"
        # the largest event the store takes still makes an envelope the inbox accepts
        largest = "长" * 6_600
        app.write(largest, "key-size-max", STAFF)
        note = app.recorder.select_notifications(1, 10)[-2]
        assert len(note.state) <= bound // 2
        envelope = build_envelope("notes", app, translate, note, None, signer)
        assert envelope is not None
        body = json.dumps(envelope, ensure_ascii=False).encode()
        assert len(body) <= bound and decode(body, "application/json", bound) == envelope
    finally:
        app.close()


def test_an_oversized_event_fails_only_its_own_command(store: Store, monkeypatch):
    import shequ.app
    from shequ.groupcommit import GroupCommitter, Waiter

    monkeypatch.setattr(shequ.app, "MAX_EVENT_BYTES", 10_000)
    app = Notes(store)
    try:
        notes = [Note(text=text, actor=SYSTEM) for text in ("small", "y" * 12_000, "also")]
        waiters = [Waiter(list(n.collect_events())) for n in notes]
        GroupCommitter(app.events)._flush(waiters)  # one group commit of three commands
        assert waiters[0].error is None and waiters[2].error is None
        assert isinstance(waiters[1].error, ValidationError)
        assert waiters[1].error.code == "event_too_large"
        assert app.recorder.max_notification_id() == 2
    finally:
        app.close()
