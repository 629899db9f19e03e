"""The AMQP side of an inbox: one durable queue per (consumer, upstream), bound to the
upstream's exchange, handled one message at a time, in order. ``x-single-active-consumer`` lets
several replicas subscribe while only one receives, so order holds when scaled out."""
from __future__ import annotations

import logging
import time
from typing import Any

from kombu import Connection, Queue

from shequ.inbox import TRANSIENT, Inbox
from shequ.relay import exchange_for

log = logging.getLogger(__name__)


def inbox_queue(consumer: str, upstream: str) -> Queue:
    return Queue(f"shequ.{consumer}.inbox.{upstream}", exchange=exchange_for(upstream),
                 routing_key="#", durable=True,
                 queue_arguments={"x-single-active-consumer": True})


class Subscriber:
    def __init__(self, inbox: Inbox, amqp_uri: str, stopping: Any,
                 poll_interval: float = 5.0, batch_size: int = 100) -> None:
        self.inbox = inbox
        self.amqp_uri = amqp_uri
        self.stopping = stopping
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self._buffer: list[tuple[Any, Any]] = []

    def run(self) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            try:
                self._consume()
                backoff = 0.5
            except Exception as exc:  # noqa: BLE001 - reconnect after broker outages
                log.warning("inbox %s<-%s: %s; reconnecting", self.inbox.consumer,
                            self.inbox.upstream, exc)
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _consume(self) -> None:
        queue = inbox_queue(self.inbox.consumer, self.inbox.upstream)
        self._buffer = []  # unacked deliveries of a lost connection are redelivered
        self.inbox.forget()  # (re)connected: another replica may have consumed meanwhile
        with Connection(self.amqp_uri, heartbeat=0) as conn:
            conn.ensure_connection(max_retries=1)
            # One channel delivers in order and callbacks run one at a time, so a prefetch
            # window only pipelines deliveries (no ack round trip per message); order holds.
            with conn.Consumer(queue, callbacks=[self._on_message], prefetch_count=100,
                               accept=["json"]):
                self._catch_up()
                idle_since = time.monotonic()
                while not self.stopping.is_set():
                    try:
                        conn.drain_events(timeout=0.5)
                        idle_since = time.monotonic()
                    except TimeoutError:
                        if time.monotonic() - idle_since > self.poll_interval:
                            self._catch_up()  # heal a lost tail: nothing follows to show it
                            idle_since = time.monotonic()
                        continue
                    self._drain_ready(conn)
                    self._handle_buffer()

    def _catch_up(self) -> None:
        try:
            self.inbox.repair()
        except TRANSIENT as exc:
            log.info("inbox %s<-%s: catch-up deferred: %s", self.inbox.consumer,
                     self.inbox.upstream, exc)
        except Exception as exc:  # noqa: BLE001 - e.g. upstream not running yet
            log.info("inbox %s<-%s: catch-up failed: %s", self.inbox.consumer,
                     self.inbox.upstream, exc)

    def _drain_ready(self, conn: Any) -> None:
        """Take in what the broker has already sent (the prefetch window), without waiting."""
        while len(self._buffer) < self.batch_size:
            try:
                conn.drain_events(timeout=0.001)  # 0 would mean "block": kombu tests truthiness
            except TimeoutError:
                return

    def _on_message(self, body: Any, message: Any) -> None:
        self._buffer.append((body, message))

    def _handle_buffer(self) -> None:
        """Apply the buffered messages (in one transaction where possible), then ack them."""
        batch, self._buffer = self._buffer, []
        if not batch:
            return
        backoff = 0.2
        while True:
            try:
                self.inbox.process_batch([body for body, _ in batch])
                break
            except TRANSIENT as exc:  # the store, or an upstream pull: retry in place
                if self.stopping.is_set():
                    return  # unacked: redelivered to whoever consumes next
                log.warning("inbox %s<-%s: %s; retrying", self.inbox.consumer,
                            self.inbox.upstream, exc)
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
        # Acks go outside the retry: if the broker connection died meanwhile, acking fails,
        # run() reconnects, and the redelivered messages are skipped as duplicates.
        for _, message in batch:
            message.ack()
