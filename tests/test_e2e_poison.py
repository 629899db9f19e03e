"""Poison messages on a running suite (issue 10, items 4-7; ADR 0013).

Someone with access to the broker publishes straight into the consumer's inbox queue: a made-up
envelope far ahead of the upstream's log, four messages that cannot be decoded, and a
well-formed 2 MB envelope. Each becomes a dead letter with its reason; none moves the consumer's
tracking, blocks its queue or is applied, and none can be replayed; the consumer goes on
learning what the registry really publishes.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from kombu import Connection
from shequ.errors import NotFound, ShequError
from shequ.ops.deadletters import list_letters

from tests.support.infra import wait_until
from tests.support.suite import SYSTEM, Suite

STAFF = {"person_id": "staff-1", "role": "district_staff"}
QUEUE = "shequ.mirror.inbox.registry"


def _publish(amqp: str, messages: list[tuple[bytes, str]]) -> None:
    with Connection(amqp) as conn:
        producer = conn.Producer()
        for body, content_type in messages:
            producer.publish(
                body,
                routing_key=QUEUE,
                content_type=content_type,
                content_encoding="binary",
                delivery_mode=2,
            )


def _caught_up(suite: Suite) -> Any:
    published = suite.published_positions()
    inbox = suite.call("mirror", "health")["inboxes"]["registry"]
    return (published, inbox) if published and inbox["position"] == published[-1] else None


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
def test_poison_messages_neither_disable_nor_block_the_consumer(suite: Suite) -> None:
    suite.start(suite.registry, suite.mirror)
    suite.establish_district(STAFF, "poison-district")
    published, _ = wait_until(lambda: _caught_up(suite), what="mirror caught up")
    district_id = suite.registry_log()[0]["aggregate_id"]
    valid_2mb = {
        "contract": "registry.community.established",
        "version": 1,
        "service": "registry",
        "position": published[-1] + 1,
        "prev": published[-1],
        "event_id": "registry:x",
        "aggregate_id": district_id,
        "aggregate_version": 1,
        "occurred_at": "2026-11-30T00:00:00+00:00",
        "actor": SYSTEM,
        "data": {
            "community_id": district_id,
            "name": "大" * 700_000,
            "name_en": "big",
            "district_id": district_id,
        },
    }
    far_ahead = {
        "contract": "registry.nothing.happened",
        "version": 1,
        "service": "registry",
        "position": 1_000_005,
        "prev": None,
        "data": {},
    }
    _publish(
        suite.amqp,
        [
            (json.dumps(far_ahead).encode(), "application/json"),  # item 4
            (b"{not json at all", "application/json"),  # item 5
            (b'{"position": "\xff\xfe"}', "application/json"),
            (pickle.dumps({"position": 1}), "application/x-python-serialize"),
            (b"[" * 100_000 + b"]" * 100_000, "application/json"),
            (json.dumps(valid_2mb, ensure_ascii=False).encode(), "application/json"),  # item 7
        ],
    )
    suite.call(
        "registry",
        "establish_community",
        actor=STAFF,
        idempotency_key="poison-community",
        name="社区甲",
        name_en="A",
    )

    def all_copied() -> Any:
        state = _caught_up(suite)
        return state if state and len(state[0]) == 2 else None

    published, inbox = wait_until(all_copied, what="mirror learned the new community")
    assert suite.call("mirror", "copied", actor=SYSTEM) == published  # nothing else applied
    assert inbox["counts"]["dead_lettered"] == 6
    letters = wait_until(
        lambda: (x := list_letters(suite.amqp)) and len(x) == 6 and x, what="six dead letters"
    )
    assert sorted(x["error"]["code"] for x in letters) == sorted(
        [
            "unsigned_envelope",
            "undecodable",
            "undecodable",
            "unsupported_content_type",
            "too_deep",
            "envelope_too_large",
        ]
    )
    assert all(x["id"].startswith("mirror.registry.rejected-") for x in letters)

    # item 6: nothing but a stored, genuine letter can be replayed
    with pytest.raises(NotFound):
        suite.call("mirror", "replay_dead_letter", actor=STAFF, letter_id="mirror.registry.7")
    with pytest.raises(ShequError) as refused:
        suite.call("mirror", "replay_dead_letter", actor=STAFF, letter_id=letters[0]["id"])
    assert refused.value.code == "not_replayable"
    assert suite.call("mirror", "copied", actor=SYSTEM) == published
