"""Registry throughput and latency on PostgreSQL, against a baseline in the same run.

Prints:
  1. raw eventsourcing appends (sequential saves of one small aggregate) — the baseline;
  2. registry commands through RPC (establish_community) from concurrent clients, in
     commands/s, as a ratio to the baseline;
  3. relay publish rate (messages confirmed per second while draining a backlog);
  4. propagation latency commit → downstream consumer effect at a fixed offered rate.

Usage: .venv/bin/python benchmarks/registry_commands.py [--commands 3000] [--clients 40]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import common  # noqa: F401 - sets sys.path and PSYCOPG_WAIT_FUNC first
import eventlet

eventlet.monkey_patch()

from harness import (
    STAFF,
    concurrently,
    establish_district,
    in_batches,
    raw_appends,
    send_batch,
    service,
)
from nameko.standalone.rpc import ClusterRpcProxy
from shequ.store import Store

from tests.support.infra import pg_database, rabbit_vhost, rpc, wait_healthy, wait_until


def app_commands(store_url: str, n: int, callers: int, max_batch: int) -> float:
    """Registry use cases called in-process by concurrent green threads (no RPC)."""
    from registry.application import Registry
    from registry.usecases import USE_CASES
    from shequ.actor import Actor

    app = USE_CASES.bind(Registry(Store.parse(store_url)))  # the same checks as RPC
    app.committer.max_batch = max_batch
    actor = Actor("bench", "district_staff")
    app.establish_district(actor, "app-bench-district", name="压测区")
    counter = iter(range(n))

    def caller() -> None:
        for i in counter:
            app.establish_community(
                actor, f"app-bench-{i:07d}", name=f"进程内{i}", name_en=f"In-process {i}"
            )

    rate = n / concurrently(callers, caller)
    app.close()
    return rate


def rpc_commands(amqp: str, n: int, clients: int, offset: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    counter = iter(range(offset, offset + n))
    config = {"AMQP_URI": amqp, "serializer": "json"}

    def client() -> None:
        with ClusterRpcProxy(config, timeout=60) as proxy:
            for i in counter:
                t0 = time.perf_counter()
                proxy.registry.establish_community(
                    actor=STAFF,
                    idempotency_key=f"bench-{i:07d}",
                    name=f"压测社区{i}",
                    name_en=f"Bench {i}",
                )
                latencies.append(time.perf_counter() - t0)

    return n / concurrently(clients, client), latencies


def rpc_batches(amqp: str, n: int, clients: int, size: int) -> float:
    """The same commands sent ``size`` at a time through the ``batch`` entrypoint."""

    def send(proxy: Any, items: range) -> None:
        communities = (
            {
                "idempotency_key": f"bench-b-{i:07d}",
                "name": f"批量{i}",
                "name_en": f"Batch {i}",
            }
            for i in items
        )
        send_batch(proxy, "registry", "establish_community", communities)

    return n / in_batches(amqp, n, size, clients, 120, send)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--raw", type=int, default=1000)
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="registry processes sharing the RPC queue (one relay leads)",
    )
    args = parser.parse_args()
    from common import summary

    with pg_database() as raw_db:
        baseline = raw_appends(raw_db, args.raw)
    print(
        f"baseline: raw eventsourcing appends on PostgreSQL: {baseline:,.0f} events/s "
        f"(sequential, {args.raw} saves)"
    )
    for label, batch in (("one transaction per command", 1), ("group commit", 200)):
        with pg_database() as db:
            rate = app_commands(db, args.raw * 2, args.clients, batch)
        print(
            f"registry commands in-process, {args.clients} concurrent callers, {label}: "
            f"{rate:,.0f} commands/s = {rate / baseline:.2f}x baseline"
        )
    with rabbit_vhost() as amqp, pg_database() as db:
        import tempfile
        from pathlib import Path

        tmp = Path(tempfile.mkdtemp(prefix="shequ-bench-"))
        procs = [service("registry", amqp, db, tmp) for _ in range(args.replicas)]
        for proc in procs:
            proc.start()
        try:
            for proc in procs:
                wait_healthy(amqp, proc)
            establish_district(amqp, "bench-district")
            rpc_commands(amqp, 200, args.clients, 10_000_000)  # warm up
            rate, lat = rpc_commands(amqp, args.commands, args.clients, 0)
            print(
                f"registry commands via RPC ({args.clients} concurrent clients, "
                f"{args.replicas} replica(s)): "
                f"{rate:,.0f} commands/s = {rate / baseline:.2f}x baseline; latency {summary(lat)}"
            )
            wait_until(
                lambda: rpc(amqp, "registry", "health")["relay_lag"] == 0, 120, what="relay drained"
            )
            rate = rpc_batches(amqp, args.commands, 4, 100)
            print(
                f"registry commands via RPC in batches of 100 (4 clients): {rate:,.0f} "
                f"commands/s = {rate / baseline:.2f}x baseline"
            )
            wait_until(
                lambda: rpc(amqp, "registry", "health")["relay_lag"] == 0, 120, what="relay drained"
            )
        finally:
            for proc in procs:
                proc.stop()
        print(f"(service log: {procs[0].log_path})")


if __name__ == "__main__":
    main()
