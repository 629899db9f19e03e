"""Whether a service is running, asked of the broker: does its RPC queue have a consumer?

nameko's RPC queue of a service (``rpc-<service>``) outlives the service: a call published to
a stopped service waits in the queue until the caller's timeout (60 s for ``shequ call``) and
runs later, when the service starts again. A passive declare of that queue answers at once with
its consumer count, so a caller can say "not running" instead of waiting (the gateway's 503,
``shequ call``'s one line). Kombu only: no eventlet, so the gateway may import it.
"""

from __future__ import annotations

import contextlib
import threading
import time

from kombu import Connection

from shequ.errors import Unavailable


def rpc_queue(service: str) -> str:
    """nameko's RPC queue of ``service``."""
    return f"rpc-{service}"


class ServiceDown(Unavailable):
    """No process of the service consumes its RPC queue: the service is not running."""

    code = "service_down"

    @classmethod
    def of(cls, service: str) -> ServiceDown:
        return cls(
            f"服务 {service} 未运行（其 RPC 队列 {rpc_queue(service)} 没有消费者），请先启动该服务",
            f"service {service} is not running (no consumer on its RPC queue "
            f"{rpc_queue(service)}): start it first",
            None,
            service=service,
        )


class BrokerDown(Unavailable):
    """The broker itself cannot be reached."""

    code = "broker_unavailable"

    @classmethod
    def of(cls, uri: str, exc: BaseException) -> BrokerDown:
        where = uri.rsplit("@", 1)[-1]  # no credentials in a message
        return cls(
            f"消息代理（RabbitMQ）{where} 无法连接",
            f"the message broker (RabbitMQ) at {where} cannot be reached: {type(exc).__name__}",
            None,
        )


def consumers(conn: Connection, service: str) -> int:
    """Consumers on ``service``'s RPC queue now (0 when the queue does not exist)."""
    channel = conn.channel()
    try:
        _, _, count = channel.queue_declare(queue=rpc_queue(service), passive=True)
        return int(count)
    except conn.channel_errors as exc:  # 404 NOT_FOUND closes the channel: no such queue
        if getattr(exc, "code", None) == 404 or "NOT_FOUND" in str(exc):
            return 0
        raise
    finally:
        with contextlib.suppress(Exception):  # the broker closed it already (404)
            channel.close()


class Presence:
    """Answers "is SERVICE running?" from one broker connection, each answer cached ``ttl``
    seconds (a running service stays believed running that long; a stop is seen within it).
    Safe to share between threads."""

    def __init__(self, amqp_uri: str, ttl: float = 1.0, connect_timeout: float = 3.0) -> None:
        self.uri = amqp_uri
        self.ttl = ttl
        self.connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._seen: dict[str, tuple[float, int]] = {}

    def _connection(self) -> Connection:
        if self._conn is None:
            conn = Connection(self.uri, connect_timeout=self.connect_timeout)
            conn.ensure_connection(max_retries=1)
            self._conn = conn
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # already gone
                self._conn.release()
            self._conn = None

    def count(self, service: str) -> int:
        """Consumers on ``service``'s RPC queue (cached); BrokerDown if the broker is gone."""
        now = time.monotonic()
        seen = self._seen.get(service)
        if seen and now - seen[0] < self.ttl:
            return seen[1]
        with self._lock:
            for attempt in (1, 2):  # a connection the broker closed is reopened once
                try:
                    count = consumers(self._connection(), service)
                    break
                except Exception as exc:  # noqa: BLE001 - any failure to reach the broker
                    self._drop()
                    if attempt == 2:
                        raise BrokerDown.of(self.uri, exc) from None
        self._seen[service] = (time.monotonic(), count)
        return count

    def require(self, service: str) -> None:
        """ServiceDown at once when no process of ``service`` is running."""
        if self.count(service) == 0:
            raise ServiceDown.of(service)

    def broker_ok(self) -> None:
        """Raise BrokerDown unless the broker answers now."""
        with self._lock:
            try:
                conn = self._connection()
                conn.channel().close()
            except Exception as exc:  # noqa: BLE001
                self._drop()
                raise BrokerDown.of(self.uri, exc) from None

    def close(self) -> None:
        with self._lock:
            self._drop()


def require_running(service: str, amqp_uri: str) -> None:
    """One question, one connection: ServiceDown (or BrokerDown) at once instead of a call
    that would wait for its timeout."""
    presence = Presence(amqp_uri)
    try:
        presence.require(service)
    finally:
        presence.close()
