"""What the service benchmarks share: the store's own append rate as their baseline, one
service process on a vhost and database of its own, and the district the commands run in.

Import it after ``common`` and ``eventlet.monkey_patch()``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import eventlet
from eventsourcing.domain import Aggregate, event
from kombu import Connection, Exchange, Producer, Queue
from nameko.standalone.rpc import ClusterRpcProxy
from shequ.app import ServiceApplication
from shequ.store import Store
from shequ.testing import Chain, sign_as

from tests.support import infra
from tests.support.infra import ServiceProcess, free_port, rpc

STAFF = {"person_id": "bench", "role": "district_staff"}


class Item(Aggregate):
    @event("Made")
    def __init__(self, name: str) -> None:
        self.name = name


class Raw(ServiceApplication):
    name = "rawbench"


def raw_appends(store_url: str, n: int) -> float:
    """Sequential saves of one small new aggregate each: the store's own rate."""
    app = Raw(Store.parse(store_url))
    started = time.perf_counter()
    for i in range(n):
        app.save(Item(name=f"item {i}"))
    elapsed = time.perf_counter() - started
    app.close()
    return n / elapsed


def service_env(name: str, amqp: str, db: str, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of service ``name`` on broker ``amqp`` and store ``db``; its tree
    heads and keys under ``tmp``."""
    up = name.upper()
    return {
        "SHEQU_AMQP_URI": amqp,
        f"SHEQU_{up}_STORE": db,
        f"SHEQU_{up}_METRICS_PORT": str(free_port()),
        "SHEQU_TREEHEAD_DIR": str(tmp / "heads"),
        "SHEQU_KEY_DIR": str(tmp / "keys"),
        **extra,
    }


def service(name: str, amqp: str, db: str, tmp: Path, module: str = "") -> ServiceProcess:
    """Service ``name`` (from ``module``, its own package by default), not yet started."""
    return ServiceProcess(module or name, name, service_env(name, amqp, db, tmp), tmp)


@contextmanager
def one_service(name: str) -> Iterator[tuple[str, str, ServiceProcess]]:
    """Service ``name`` started alone on a fresh vhost and PostgreSQL database, healthy: the
    broker's URI, the database's and the process, stopped afterwards. Upstream keys (``sign_as``) are kept
    under the same temporary folder as its own."""
    with infra.rabbit_vhost() as amqp, infra.pg_database() as db:
        tmp = Path(tempfile.mkdtemp(prefix=f"shequ-bench-{name}-"))
        os.environ["SHEQU_KEY_DIR"] = str(tmp / "keys")  # where sign_as keeps upstream keys
        proc = service(name, amqp, db, tmp)
        proc.start()
        try:
            infra.wait_healthy(amqp, proc)
            yield amqp, db, proc
        finally:
            proc.stop()


def establish_district(amqp: str, key: str) -> Any:
    """The district the benchmark's commands run in."""
    return rpc(
        amqp, "registry", "establish_district", actor=STAFF, idempotency_key=key, name="压测区"
    )


def concurrently(clients: int, client: Callable[[], None]) -> float:
    """``client`` run by ``clients`` green threads at once: the seconds until all are done."""
    started = time.perf_counter()
    pool = eventlet.GreenPool(clients)
    for _ in range(clients):
        pool.spawn(client)
    pool.waitall()
    return time.perf_counter() - started


def in_batches(
    amqp: str, n: int, size: int, clients: int, timeout: float, send: Callable[[Any, range], None]
) -> float:
    """``send(proxy, items)`` for each ``size`` items of ``range(n)`` in turn, by ``clients`` RPC
    clients at once (each with its own proxy): the seconds until all are sent."""
    config = {"AMQP_URI": amqp, "serializer": "json"}
    starts = iter(range(0, n, size))

    def client() -> None:
        with ClusterRpcProxy(config, timeout=timeout) as proxy:
            for start in starts:
                send(proxy, range(start, min(n, start + size)))

    return concurrently(clients, client)


class Listener:
    """A downstream consumer of one service's events: receipt time minus occurred_at."""

    def __init__(self, amqp: str, service: str) -> None:
        self.amqp, self.delays = amqp, []
        self.stop = False
        exchange = Exchange(f"shequ.{service}.events", type="topic", durable=True)
        self.queue = Queue(
            f"bench-listener-{uuid.uuid4().hex[:6]}",
            exchange=exchange,
            routing_key="#",
            durable=False,
        )
        with Connection(amqp) as conn:
            exchange(conn.channel()).declare()
            self.queue(conn.channel()).declare()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def on_message(self, body: Any, message: Any) -> None:
        env = json.loads(body) if isinstance(body, str) else body
        sent = dt.datetime.fromisoformat(env["occurred_at"])
        self.delays.append((dt.datetime.now(dt.UTC) - sent).total_seconds())
        message.ack()

    def run(self) -> None:
        with (
            Connection(self.amqp) as conn,
            conn.Consumer(self.queue, callbacks=[self.on_message], accept=["json"]),
        ):
            while not self.stop:
                try:
                    conn.drain_events(timeout=0.5)
                except TimeoutError:
                    continue


class Upstream:
    """Publishes envelopes of one upstream service, positions chained by ``prev``."""

    def __init__(self, amqp: str, service: str) -> None:
        self.amqp, self.service = amqp, service
        self.chain = Chain(service, {"person_id": "system", "role": "system"})
        self.exchange = Exchange(f"shequ.{service}.events", type="topic", durable=True)

    def publish(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        with Connection(self.amqp) as conn:
            producer = Producer(conn.channel())
            for contract, data in items:
                env = self.chain.next(contract, data)
                sign_as(self.service, env)  # as the upstream's relay does (ADR 0013)
                producer.publish(
                    json.dumps(env, ensure_ascii=False),
                    exchange=self.exchange,
                    routing_key=f"{env['contract']}.v1",
                    delivery_mode=2,
                    content_type="application/json",
                    content_encoding="utf-8",
                    declare=[self.exchange],
                )


def send_batch(
    proxy: Any, service: str, command: str, args: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``command`` once for each of ``args``, in one call of ``service``'s ``batch``
    entrypoint; every item must succeed. The items' results."""
    commands = [{"command": command, "args": a} for a in args]
    results = getattr(proxy, service).batch(actor=STAFF, commands=commands)
    assert all("ok" in r for r in results), results[:3]
    return [r["ok"] for r in results]
