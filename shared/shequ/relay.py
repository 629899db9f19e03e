"""Outbox relay: publishes the notification log, in order, to the service's topic exchange.

Persistent messages, publisher confirms; the stored position advances only after the broker
has confirmed every message up to it. A crash between a confirm and the position update only
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

from shequ.app import ServiceApplication
from shequ.contracts import Translator
from shequ.db import positions
from shequ.outbox import build_envelope

log = logging.getLogger(__name__)
READER = "relay"


def exchange_for(service: str) -> Exchange:
    return Exchange(f"shequ.{service}.events", type="topic", durable=True)


class Relay:
    def __init__(self, service: str, app: ServiceApplication, engine: Engine,
                 translate: Translator, amqp_uri: str, batch: int = 200) -> None:
        self.service = service
        self.app = app
        self.engine = engine
        self.translate = translate
        self.amqp_uri = amqp_uri
        self.batch = batch
        self.exchange = exchange_for(service)
        self._conn: Connection | None = None
        self._producer: Producer | None = None
        self.published_total = 0
        with engine.begin() as c:
            if c.execute(select(positions.c.reader)
                         .where(positions.c.reader == READER)).first() is None:
                c.execute(positions.insert().values(reader=READER, position=0,
                                                    prev_published=None))

    def state(self) -> tuple[int, int | None]:
        with self.engine.connect() as c:
            row = c.execute(select(positions.c.position, positions.c.prev_published)
                            .where(positions.c.reader == READER)).one()
        return int(row[0]), row[1]

    def lag(self) -> int:
        top = self.app.recorder.max_notification_id() or 0
        return max(0, top - self.state()[0])

    def run_once(self) -> int:
        """Publish one batch past the stored position; returns how many messages went out."""
        position, prev = self.state()
        notes = self.app.recorder.select_notifications(position, self.batch,
                                                       inclusive_of_start=False)
        if not notes:
            return 0
        producer = self._ensure_producer()
        sent = 0
        for note in notes:
            envelope = build_envelope(self.service, self.app, self.translate, note, prev)
            if envelope is not None:
                self._publish(producer, envelope)
                prev = note.id
                sent += 1
        self._advance(position, notes[-1].id, prev)
        self.published_total += sent
        return sent

    def _publish(self, producer: Producer, envelope: dict[str, Any]) -> None:
        routing_key = f"{envelope['contract']}.v{envelope['version']}"
        producer.publish(
            json.dumps(envelope, ensure_ascii=False),
            routing_key=routing_key,
            exchange=self.exchange,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=envelope["event_id"],
            headers={"contract": envelope["contract"], "version": envelope["version"],
                     "position": envelope["position"], "prev": envelope["prev"]},
            retry=False,
        )  # returns only once the broker has confirmed (confirm_publish)

    def _advance(self, old: int, new: int, prev: int | None) -> None:
        with self.engine.begin() as c:
            c.execute(update(positions)
                      .where(positions.c.reader == READER, positions.c.position == old)
                      .values(position=new, prev_published=prev))

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            self._conn = Connection(self.amqp_uri, transport_options={"confirm_publish": True},
                                    heartbeat=0)
            self._conn.ensure_connection(max_retries=1)
            channel = self._conn.channel()
            self.exchange.declare(channel=channel)
            self._producer = Producer(channel, exchange=self.exchange)
        return self._producer

    def reset_connection(self) -> None:
        conn, self._conn, self._producer = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # noqa: BLE001
                pass

    def run_forever(self, stopping: Any, idle: float = 0.05, on_error: Any = None) -> None:
        """Loop until ``stopping.is_set()``; broker or database errors back off and retry."""
        backoff = 0.2
        while not stopping.is_set():
            try:
                if self.run_once() == 0:
                    time.sleep(idle)
                backoff = 0.2
            except Exception as exc:  # noqa: BLE001 - the relay must outlive broker outages
                log.warning("relay %s: %s; retrying in %.1fs", self.service, exc, backoff)
                if on_error:
                    on_error(exc)
                self.reset_connection()
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
        self.reset_connection()
