"""The AMQP side of an inbox: one durable queue per (consumer, upstream), bound to the
upstream's exchange, handled one message at a time, in order. ``x-single-active-consumer`` lets
several replicas subscribe while only one receives, so order holds when scaled out.

Messages are decoded here, not by kombu: a body over ``SHEQU_INBOX_MAX_ENVELOPE_BYTES``, of
another content type, not UTF-8, not JSON, nested deeper than ``MAX_DEPTH`` or not an object
reaches the inbox as :class:`~shequ.inbox.Undecodable`, is dead-lettered with the reason and
acknowledged in its turn; the queue never stalls on it."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from kombu import Connection, Queue

from shequ.config import max_envelope_bytes
from shequ.inbox import TRANSIENT, Inbox, Undecodable, UpstreamNotUp
from shequ.relay import exchange_for

MAX_DEPTH = 32  # envelopes nest a few levels; json would recurse once per level
_ESCAPES = re.compile(r"\\.", re.DOTALL)  # a backslash and what it escapes
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")

log = logging.getLogger(__name__)


def inbox_queue(consumer: str, upstream: str) -> Queue:
    return Queue(
        f"shequ.{consumer}.inbox.{upstream}",
        exchange=exchange_for(upstream),
        routing_key="#",
        durable=True,
        queue_arguments={"x-single-active-consumer": True},
    )


@dataclass(eq=False)
class Subscriber:
    inbox: Inbox
    amqp_uri: str
    stopping: Any
    poll_interval: float = 5.0
    batch_size: int = 100
    max_bytes: int = field(default_factory=max_envelope_bytes)
    _buffer: list[tuple[Any, Any]] = field(init=False, default_factory=list)

    def run(self) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            try:
                self._consume()
                backoff = 0.5
            except Exception as exc:  # noqa: BLE001 - reconnect after broker outages
                log.warning(
                    "inbox %s<-%s: %s; reconnecting", self.inbox.consumer, self.inbox.upstream, exc
                )
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
            with conn.Consumer(queue, on_message=self._on_message, prefetch_count=100):
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
        except UpstreamNotUp:  # a suite starting: its upstreams come up in their own time
            log.info(
                "inbox %s<-%s: %s is not up yet; catching up when it starts",
                self.inbox.consumer,
                self.inbox.upstream,
                self.inbox.upstream,
            )
        except TRANSIENT as exc:
            log.info(
                "inbox %s<-%s: catch-up deferred: %s", self.inbox.consumer, self.inbox.upstream, exc
            )
        except Exception as exc:  # noqa: BLE001 - e.g. upstream not running yet
            log.info(
                "inbox %s<-%s: catch-up failed: %s", self.inbox.consumer, self.inbox.upstream, exc
            )

    def _drain_ready(self, conn: Any) -> None:
        """Take in what the broker has already sent (the prefetch window), without waiting."""
        while len(self._buffer) < self.batch_size:
            try:
                conn.drain_events(timeout=0.001)  # 0 would mean "block": kombu tests truthiness
            except TimeoutError:
                return

    def _on_message(self, message: Any) -> None:
        self._buffer.append((decode(message.body, message.content_type, self.max_bytes), message))

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
                log.warning(
                    "inbox %s<-%s: %s; retrying", self.inbox.consumer, self.inbox.upstream, exc
                )
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
        # Acks go outside the retry: if the broker connection died meanwhile, acking fails,
        # run() reconnects, and the redelivered messages are skipped as duplicates.
        for _, message in batch:
            message.ack()


def decode(body: Any, content_type: str | None, max_bytes: int) -> Any:
    """The JSON object in ``body``, or an :class:`Undecodable` saying why there is none."""
    raw = body if isinstance(body, bytes) else str(body).encode("utf-8", "surrogateescape")
    if len(raw) > max_bytes:
        return _undecodable(
            raw,
            content_type,
            "envelope_too_large",
            "消息超过大小上限",
            f"the message is {len(raw)} bytes, over the {max_bytes} allowed",
        )
    if content_type != "application/json":
        return _undecodable(
            raw,
            content_type,
            "unsupported_content_type",
            "消息内容类型不是 JSON",
            f"content type {content_type!r} is not application/json",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _undecodable(
            raw,
            content_type,
            "undecodable",
            "消息不是 UTF-8 文本",
            f"the message is not UTF-8: {exc}",
        )
    if text.count("[") + text.count("{") > MAX_DEPTH and _too_deep(text):
        return _undecodable(
            raw,
            content_type,
            "too_deep",
            "消息嵌套层数过多",
            f"the JSON nests deeper than {MAX_DEPTH} levels",
        )
    try:
        value = json.loads(text)
    except ValueError as exc:
        return _undecodable(
            raw,
            content_type,
            "undecodable",
            "消息不是有效的 JSON",
            f"the message is not JSON: {exc}",
        )
    if not isinstance(value, dict):
        return _undecodable(
            raw,
            content_type,
            "malformed_envelope",
            "消息不是 JSON 对象",
            "the message is not a JSON object",
        )
    return value


def _too_deep(text: str) -> bool:
    """Whether brackets outside strings nest deeper than MAX_DEPTH. Each round removes the
    innermost pairs (C-speed string work), so it costs rounds = depth, at most MAX_DEPTH + 1."""
    # outside strings: drop escapes (so no quote is escaped), then every other quote-separated
    # part; all linear, C-speed string work (a regex over whole strings can backtrack)
    outside = "".join(_ESCAPES.sub("", text).split('"')[::2])
    brackets = _NOT_BRACKETS.sub("", outside)
    opening = brackets[: MAX_DEPTH + 1]
    if len(opening) > MAX_DEPTH and "]" not in opening and "}" not in opening:
        return True  # the usual bomb: opens past the limit straight away
    for _ in range(MAX_DEPTH):
        inner = brackets.replace("[]", "").replace("{}", "")
        if not inner or inner == brackets:  # all matched, or unbalanced (json.loads says so)
            return False
        brackets = inner
    return True


def _undecodable(raw: bytes, content_type: str | None, code: str, zh: str, en: str) -> Undecodable:
    return Undecodable(
        raw, content_type, {"code": code, "message": zh, "message_en": en, "field": None}
    )
