"""The dead-letter queue: messages a consumer could not handle, with their error.

One durable queue for the suite (``shequ.deadletters``), fed through a topic exchange with
routing key ``<consumer>.<upstream>``; every message carries the original envelope and, in its
headers, the error, the attempts and where it came from. Operators list and replay them with
``shequ deadletters`` (``shequ.ops.deadletters``).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Exchange, Queue

EXCHANGE = Exchange("shequ.deadletter", type="topic", durable=True)
QUEUE = Queue("shequ.deadletters", exchange=EXCHANGE, routing_key="#", durable=True)


class DeadLetters:
    def __init__(self, amqp_uri: str) -> None:
        self.amqp_uri = amqp_uri
        self.sent = 0

    def send(self, consumer: str, upstream: str, envelope: Any, error: dict[str, Any],
             attempts: int) -> None:
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            producer = conn.Producer()
            producer.publish(
                json.dumps({"envelope": envelope, "error": error}, ensure_ascii=False,
                           default=str),
                exchange=EXCHANGE, routing_key=f"{consumer}.{upstream}",
                declare=[QUEUE], delivery_mode=2, content_type="application/json",
                headers={"consumer": consumer, "upstream": upstream, "attempts": attempts,
                         "error_code": str(error.get("code")),
                         "failed_at": datetime.now(UTC).isoformat()},
                retry=True, retry_policy={"max_retries": 3},
            )
        self.sent += 1

