"""Dead letters: messages a consumer could not, or would not, handle, with the reason.

Each letter is kept twice:

* in the consumer's own store, as a ``platform:DeadLetter`` aggregate saved in the same
  transaction as the tracking record that lets the inbox go past it (or on its own, for a
  message that never moves tracking). This copy is the truth: ``replay_dead_letter`` replays
  only letters found here, exactly as they were stored, and records the replay on the letter.
* on one durable queue for the suite (``shequ.deadletters``), fed through a topic exchange with
  routing key ``<consumer>.<upstream>``, for operators (``shequ deadletters``,
  ``shequ.ops.deadletters``); headers carry the letter id, the error, the attempts and where
  it came from.

A letter is **replayable** when its envelope was genuine (signed by the upstream, ADR 0013) and
its handler or contract check failed: id ``<consumer>.<upstream>.<position>``. A **rejected**
letter — undecodable, too large, malformed, unsigned or badly signed — never moved tracking and
is never replayed: id ``<consumer>.<upstream>.rejected-<first 16 hex of its SHA-256>``, with at
most ``KEPT_BYTES`` of its raw body, base64.
"""

from __future__ import annotations

import base64
import hashlib
import json
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from kombu import Connection, Exchange, Queue

from shequ.errors import ShequError
from shequ.topics import pin_topics

EXCHANGE = Exchange("shequ.deadletter", type="topic", durable=True)
QUEUE = Queue("shequ.deadletters", exchange=EXCHANGE, routing_key="#", durable=True)
KEPT_BYTES = 64 * 1024  # of a rejected message's raw body: enough to see what it was


@dataclass
class DeadLetter(Aggregate, created_event_name="Stored"):
    """One dead letter in the consumer's store; ``Replayed`` once it has been applied. Its
    fields are the ``Stored`` event's (a dataclass-style aggregate)."""

    letter_id: str
    consumer: str
    upstream: str
    position: int | None
    envelope: dict[str, Any] | None
    raw: dict[str, Any] | None
    error: dict[str, Any]
    attempts: int

    def __post_init__(self) -> None:
        self.replayed_outcome: str | None = None

    @staticmethod
    def create_id(letter_id: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"shequ:dead-letter:{letter_id}")

    @property
    def replayable(self) -> bool:
        return self.envelope is not None

    @event("Replayed")
    def replayed(self, outcome: str, actor: dict[str, Any]) -> None:
        self.replayed_outcome = outcome


pin_topics("platform", DeadLetter)


def replayable_id(consumer: str, upstream: str, position: int) -> str:
    return f"{consumer}.{upstream}.{position}"


def error_of(exc: Exception) -> dict[str, Any]:
    """What a dead letter keeps of the error that stopped it: a ShequError's structured form,
    else the exception's type, message and the first frames of its traceback."""
    if isinstance(exc, ShequError):
        return exc.to_dict()
    return {
        "code": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(exc, limit=5)),
    }


def raw_of(message: Any) -> bytes:
    """The bytes a rejected message arrived as (an envelope already decoded: its JSON)."""
    if isinstance(message, bytes):
        return message
    return json.dumps(message, sort_keys=True, ensure_ascii=False, default=str).encode()


def rejected(
    consumer: str, upstream: str, body: bytes, content_type: str | None, error: dict[str, Any]
) -> DeadLetter:
    """A letter for a message that is not a genuine envelope (its position is not trusted)."""
    digest = hashlib.sha256(body).hexdigest()
    raw = {
        "sha256": digest,
        "size": len(body),
        "content_type": content_type,
        "base64": base64.b64encode(body[:KEPT_BYTES]).decode("ascii"),
        "truncated": len(body) > KEPT_BYTES,
    }
    return DeadLetter(
        letter_id=f"{consumer}.{upstream}.rejected-{digest[:16]}",
        consumer=consumer,
        upstream=upstream,
        position=None,
        envelope=None,
        raw=raw,
        error=error,
        attempts=1,
    )


class DeadLetters:
    """The operators' copy: one message per letter on ``shequ.deadletters``."""

    def __init__(self, amqp_uri: str) -> None:
        self.amqp_uri = amqp_uri
        self.sent = 0

    def send(
        self,
        consumer: str,
        upstream: str,
        envelope: Any,
        error: dict[str, Any],
        attempts: int,
        letter_id: str | None = None,
    ) -> None:
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            producer = conn.Producer()
            producer.publish(
                json.dumps(
                    {"letter_id": letter_id, "envelope": envelope, "error": error},
                    ensure_ascii=False,
                    default=str,
                ),
                exchange=EXCHANGE,
                routing_key=f"{consumer}.{upstream}",
                declare=[QUEUE],
                delivery_mode=2,
                content_type="application/json",
                headers={
                    "consumer": consumer,
                    "upstream": upstream,
                    "attempts": attempts,
                    "letter_id": letter_id or "",
                    "error_code": str(error.get("code")),
                    "failed_at": datetime.now(UTC).isoformat(),
                },
                retry=True,
                retry_policy={"max_retries": 3},
            )
        self.sent += 1
