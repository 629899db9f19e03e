"""The event path after the commit: relay publish rate, and propagation latency from a
registry event to its effect in a downstream consumer (the test mirror service).

Prints:
  1. kombu publish with per-message confirms (baseline, same process and broker);
  2. the relay draining a backlog of notifications (messages/s, streamed confirms);
  3. propagation at a fixed offered rate: registry event time -> consumer effect time,
     p50/p99 (both processes on this machine's clock).

Usage: .venv/bin/python benchmarks/event_path.py [--backlog 5000] [--rate 200] [--seconds 10]
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import datetime
from pathlib import Path

import common
import eventlet

eventlet.monkey_patch()

from harness import STAFF, concurrently, establish_district, service
from kombu import Connection, Exchange, Queue
from shequ.db import make_engine
from shequ.provenance import Signer
from shequ.relay import Relay, exchange_for
from shequ.store import Store

from tests.support.infra import pg_database, rabbit_vhost, rpc, wait_healthy, wait_until

SYSTEM = {"person_id": "system:bench", "role": "system"}


def confirm_baseline(amqp: str, n: int) -> float:
    exchange = Exchange("bench.baseline", type="topic", durable=True)
    with Connection(amqp, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        Queue("bench.baseline.q", exchange=exchange, routing_key="#", durable=True)(
            channel
        ).declare()
        producer = conn.Producer(channel, exchange=exchange)
        body = json.dumps({"data": "x" * 300})
        started = time.perf_counter()
        for _ in range(n):
            producer.publish(body, routing_key="k", delivery_mode=2, retry=False)
        return n / (time.perf_counter() - started)


def relay_rate(amqp: str, db: str, n: int) -> float:
    import sys

    sys.path.insert(0, str(common.REPO / "shared" / "tests"))
    from platform_support import Note, Notes, translate

    app = Notes(Store.parse(db))
    for start in range(0, n, 500):
        app.save(
            *[
                Note(text=f"note {i}", actor={"person_id": "b", "role": "system"})
                for i in range(start, min(n, start + 500))
            ]
        )
    with Connection(amqp) as conn:
        Queue("bench.relay.q", exchange=exchange_for("notes"), routing_key="#", durable=True)(
            conn.channel()
        ).declare()
    key = Path(tempfile.mkdtemp(prefix="shequ-bench-keys-")) / "notes.ed25519.pem"
    relay = Relay(
        "notes",
        app,
        make_engine(Store.parse(db)),
        translate,
        amqp,
        batch=500,
        signer=Signer.for_service("notes", key),
    )  # signed, as in production
    started = time.perf_counter()
    sent = 0
    while (k := relay.run_once()) > 0:
        sent += k
    rate = sent / (time.perf_counter() - started)
    app.close()
    return rate


def propagation(amqp: str, rate: int, seconds: int) -> list[float]:
    tmp = Path(tempfile.mkdtemp(prefix="shequ-bench-"))
    with pg_database() as reg_db, pg_database() as mir_db:
        registry = service("registry", amqp, reg_db, tmp)
        mirror = service("mirror", amqp, mir_db, tmp, "tests.support.mirror:MirrorService")
        for proc in (registry, mirror):
            proc.start()
        try:
            for proc in (registry, mirror):
                wait_healthy(amqp, proc)
            establish_district(amqp, "prop-district")
            _offer(amqp, rate, seconds)
            published = wait_until(lambda: _published(amqp), 60, what="published")
            wait_until(
                lambda: len(rpc(amqp, "mirror", "copied", actor=STAFF)) >= len(published),
                120,
                what="consumer caught up",
            )
            copied = {p: t for p, t in rpc(amqp, "mirror", "copied_times", actor=STAFF)}
            envs = _published(amqp)[1:]
            lat = [
                (
                    datetime.fromisoformat(copied[e["position"]])
                    - datetime.fromisoformat(e["occurred_at"])
                ).total_seconds()
                for e in envs
            ]
            _by_second(envs, lat)
            print(f"  consumer: {rpc(amqp, 'mirror', 'health')['inboxes']}")
            return lat
        finally:
            mirror.stop()
            registry.stop()


def _offer(amqp: str, rate: int, seconds: int) -> None:
    """Offer ``rate`` commands per second for ``seconds``, from 20 long-lived RPC clients."""
    from nameko.standalone.rpc import ClusterRpcProxy

    total = rate * seconds
    started = time.perf_counter()
    due = iter(range(total))

    def client() -> None:
        with ClusterRpcProxy({"AMQP_URI": amqp, "serializer": "json"}, timeout=60) as proxy:
            for i in due:
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    eventlet.sleep(delay)
                proxy.registry.establish_community(
                    actor=STAFF,
                    idempotency_key=f"prop-{i:07d}",
                    name=f"传播{i}",
                    name_en=f"Prop {i}",
                )

    concurrently(20, client)


def _by_second(envs: list[dict], lat: list[float]) -> None:
    """Worst latency in each second of the run, to show whether the tail is periodic."""
    t0 = datetime.fromisoformat(envs[0]["occurred_at"])
    worst: dict[int, float] = {}
    for env, value in zip(envs, lat, strict=True):
        sec = int((datetime.fromisoformat(env["occurred_at"]) - t0).total_seconds())
        worst[sec] = max(worst.get(sec, 0.0), value)
    print("  worst per second (ms): " + " ".join(f"{worst[s] * 1000:.0f}" for s in sorted(worst)))


def _published(amqp: str) -> list[dict]:
    out: list[dict] = []
    after = 0
    while batch := rpc(amqp, "registry", "notifications", actor=SYSTEM, after=after, limit=1000):
        out.extend(batch)
        after = batch[-1]["position"]
    return out


def main() -> None:
    from common import counts, summary

    args = counts(backlog=5000, rate=200, seconds=10)

    with rabbit_vhost() as amqp:
        base = confirm_baseline(amqp, 2000)
        print(f"baseline: kombu publish with per-message confirms: {base:,.0f} msg/s")
        with pg_database() as db:
            rate = relay_rate(amqp, db, args.backlog)
        print(
            f"relay draining {args.backlog} notifications from PostgreSQL: {rate:,.0f} msg/s "
            f"= {rate / base:.2f}x baseline (persistent, streamed confirms, validated, signed)"
        )
    with rabbit_vhost() as amqp:
        lat = propagation(amqp, args.rate, args.seconds)
        print(
            f"propagation registry event -> consumer effect at {args.rate} commands/s for "
            f"{args.seconds}s: {summary(lat)}"
        )


if __name__ == "__main__":
    main()
