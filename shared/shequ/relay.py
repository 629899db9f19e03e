"""Outbox relay: publishes the notification log, in order, to the service's topic exchange.

Persistent messages, publisher confirms (streamed: a batch is published, then its confirms are
awaited together); the stored position advances only after the broker has confirmed every
message up to it. A crash between a confirm and the position update only
republishes; consumers skip what they have (at-least-once delivery, exactly-once effect).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from kombu import Connection, Exchange, Producer
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from shequ.app import ServiceApplication
from shequ.config import max_envelope_bytes
from shequ.contracts import Translator
from shequ.db import positions
from shequ.errors import ValidationError
from shequ.outbox import build_envelope
from shequ.provenance import Signer

log = logging.getLogger(__name__)
READER = "relay"


def exchange_for(service: str) -> Exchange:
    return Exchange(f"shequ.{service}.events", type="topic", durable=True)


class Relay:
    def __init__(
        self,
        service: str,
        app: ServiceApplication,
        engine: Engine,
        translate: Translator,
        amqp_uri: str,
        batch: int = 200,
        signer: Signer | None = None,
    ) -> None:
        self.service = service
        self.app = app
        self.engine = engine
        self.translate = translate
        self.amqp_uri = amqp_uri
        self.batch = batch
        self.signer = signer
        self.max_bytes = max_envelope_bytes()
        self.exchange = exchange_for(service)
        self._conn: Connection | None = None
        self._producer: Producer | None = None
        self._unconfirmed: set[int] = set()
        self._next_tag = 0
        self._nacked = False
        self._cached: tuple[int, int | None] | None = None  # valid while this replica leads
        try:
            with engine.begin() as c:
                if (
                    c.execute(
                        select(positions.c.reader).where(positions.c.reader == READER)
                    ).first()
                    is None
                ):
                    c.execute(
                        positions.insert().values(reader=READER, position=0, prev_published=None)
                    )
        except IntegrityError:
            # another replica starting at the same moment made the row first: the same row,
            # so this one goes on (it used to fail its start and never serve)
            log.info("relay position row made by another replica starting at the same time")

    def forget(self) -> None:
        """Drop the cached position (leadership changed hands: another relay may have moved)."""
        self._cached = None

    def state(self) -> tuple[int, int | None]:
        if self._cached is not None:
            return self._cached
        with self.engine.connect() as c:
            row = c.execute(
                select(positions.c.position, positions.c.prev_published).where(
                    positions.c.reader == READER
                )
            ).one()
        self._cached = (int(row[0]), row[1])
        return self._cached

    def lag(self) -> int:
        top = self.app.recorder.max_notification_id() or 0
        return max(0, top - self.state()[0])

    def run_once(self) -> int:
        """Publish one batch past the stored position; returns how many messages went out."""
        position, prev = self.state()
        notes = self.app.recorder.select_notifications(
            position, self.batch, inclusive_of_start=False
        )
        if not notes:
            return 0
        producer = self._ensure_producer()
        sent = 0
        for note in notes:
            envelope = build_envelope(
                self.service, self.app, self.translate, note, prev, self.signer
            )
            if envelope is not None:
                self._publish(producer, envelope)
                prev = note.id
                sent += 1
        self._await_confirms()
        self._advance(position, notes[-1].id, prev)
        return sent

    def _publish(self, producer: Producer, envelope: dict[str, Any]) -> None:
        routing_key = f"{envelope['contract']}.v{envelope['version']}"
        body = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        if len(body) > self.max_bytes:
            # Cannot happen while events stay within half the bound (ServiceApplication refuses
            # larger ones); if a translation ever inflates one past it, stop here, loudly,
            # rather than publish what every consumer would refuse.
            raise ValidationError(
                "集成事件过大，无法发布",
                f"envelope at {envelope['position']} is {len(body)} bytes, over {self.max_bytes}",
                "data",
                code="envelope_too_large",
            )
        producer.publish(
            body,
            routing_key=routing_key,
            exchange=self.exchange,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=envelope["event_id"],
            headers={
                "contract": envelope["contract"],
                "version": envelope["version"],
                "position": envelope["position"],
                "prev": envelope["prev"],
            },
            retry=False,
        )
        self._next_tag += 1
        self._unconfirmed.add(self._next_tag)

    def _await_confirms(self, timeout: float = 30.0) -> None:
        """Block until the broker has confirmed every message published on this channel.

        Messages are streamed and confirmed together (one round trip per batch, not per
        message); any nack, or a timeout, fails the batch so the position does not move.
        """
        assert self._conn is not None
        deadline = time.monotonic() + timeout
        while self._unconfirmed and not self._nacked:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self._unconfirmed)} messages not confirmed")
            self._conn.drain_events(timeout=remaining)
        if self._nacked:
            raise ConnectionError("the broker refused (nacked) a message")

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > delivery_tag}
        else:
            self._unconfirmed.discard(delivery_tag)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked = True

    def _advance(self, old: int, new: int, prev: int | None) -> None:
        with self.engine.begin() as c:
            moved = c.execute(
                update(positions)
                .where(positions.c.reader == READER, positions.c.position == old)
                .values(position=new, prev_published=prev)
            ).rowcount
        self._cached = (new, prev) if moved == 1 else None

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            self._conn = Connection(self.amqp_uri, heartbeat=0)
            self._conn.ensure_connection(max_retries=1)
            channel = self._conn.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._unconfirmed, self._next_tag, self._nacked = set(), 0, False
            self.exchange.declare(channel=channel)
            self._producer = Producer(channel, exchange=self.exchange)
        return self._producer

    def reset_connection(self) -> None:
        self._cached = None
        conn, self._conn, self._producer = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception as exc:  # noqa: BLE001 - a broken connection is dropped anyway
                log.debug("relay %s: closing connection: %s", self.service, exc)
