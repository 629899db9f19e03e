"""The HTTP gateway's cost over raw RPC, both measured in the same run against one registry.

Prints, for a read (registry ``communities``, a GET with no parameters) and a command
(registry ``establish_community`` with a fresh idempotency key each), the rate and latency from
concurrent clients:
  1. over raw RPC (a standalone nameko proxy per client) — the baseline;
  2. through the gateway (``python -m gateway``, its own process, a bearer token per request,
     one HTTP keep-alive session per client), as a ratio to the baseline.

The registry runs on PostgreSQL, the gateway with its default pool of 8 proxies; the gateway
adds an HTTP parse, a token check, the presence check (cached 1 s), a model check, a thread hop
and a pooled proxy to each call.

Usage: .venv/bin/python benchmarks/gateway.py [--reads 400] [--commands 400] [--clients 8]
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common  # noqa: F401 - sets sys.path and PSYCOPG_WAIT_FUNC first
import eventlet

eventlet.monkey_patch()

import requests
from harness import STAFF, concurrently, establish_district, service
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.gateway import GatewayProcess
from tests.support.infra import pg_database, rabbit_vhost, wait_healthy

# a development run, as the tests: the registry takes the unsigned actors of both paths
os.environ.setdefault("SHEQU_ALLOW_UNSIGNED_ACTORS", "1")


def timed(
    clients: int, n: int, session: Callable[[], Any], call: Callable[[Any, int], None]
) -> tuple[float, list[float]]:
    """``call(handle, i)`` for ``i`` in ``range(n)`` by ``clients`` green threads, each with its
    own ``session()`` handle (a context manager): calls/s and each call's latency."""
    latencies: list[float] = []
    counter = iter(range(n))

    def client() -> None:
        with session() as handle:
            for i in counter:
                t0 = time.perf_counter()
                call(handle, i)
                latencies.append(time.perf_counter() - t0)

    return n / concurrently(clients, client), latencies


def main() -> None:
    from common import counts, summary

    args = counts(reads=400, commands=400, clients=8)

    keys = itertools.count()
    with rabbit_vhost() as amqp, pg_database() as db:
        tmp = Path(tempfile.mkdtemp(prefix="shequ-bench-gw-"))
        registry = service("registry", amqp, db, tmp)
        gateway = GatewayProcess(amqp, tmp)
        registry.start()
        try:
            wait_healthy(amqp, registry)
            gateway.start()
            establish_district(amqp, "bench-gw-district")
            config = {"AMQP_URI": amqp, "serializer": "json"}
            auth = {"Authorization": "Bearer staff-token"}  # tests.support.gateway's staff
            base = f"{gateway.url}/api/v1/registry"

            def rpc_proxy() -> Any:
                return ClusterRpcProxy(config, timeout=60)

            def http_session() -> requests.Session:
                session = requests.Session()
                session.headers.update(auth)
                return session

            def rpc_read(proxy: Any, _i: int) -> None:
                assert isinstance(proxy.registry.communities(actor=STAFF), list)

            def http_read(session: requests.Session, _i: int) -> None:
                answer = session.get(f"{base}/communities", timeout=60)
                assert answer.status_code == 200, answer.text

            def community(prefix: str) -> dict[str, str]:
                i = next(keys)
                return {
                    "idempotency_key": f"bench-gw-{prefix}-{i:07d}",
                    "name": f"网关压测{prefix}{i}",
                    "name_en": f"Gateway bench {prefix} {i}",
                }

            def rpc_command(proxy: Any, _i: int) -> None:
                proxy.registry.establish_community(actor=STAFF, **community("rpc"))

            def http_command(session: requests.Session, _i: int) -> None:
                answer = session.post(
                    f"{base}/establish_community", json=community("http"), timeout=60
                )
                assert answer.status_code == 200, answer.text

            # warm up both paths (the gateway's pool fills, the registry's caches too)
            timed(args.clients, 40, rpc_proxy, rpc_command)
            timed(args.clients, 40, http_session, http_command)
            timed(args.clients, 80, http_session, http_read)
            load = os.getloadavg()
            print(
                f"gateway vs raw RPC: registry on PostgreSQL, {args.clients} concurrent "
                f"clients, gateway pool 8; load average at start {load[0]:.2f} "
                f"{load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
            )
            for what, n, rpc_call, http_call in (
                ("read  communities         ", args.reads, rpc_read, http_read),
                ("command establish_community", args.commands, rpc_command, http_command),
            ):
                rpc_rate, rpc_lat = timed(args.clients, n, rpc_proxy, rpc_call)
                http_rate, http_lat = timed(args.clients, n, http_session, http_call)
                print(f"  {what} raw RPC: {rpc_rate:,.0f}/s; {summary(rpc_lat)}")
                print(
                    f"  {what} gateway: {http_rate:,.0f}/s = {http_rate / rpc_rate:.2f}x raw "
                    f"RPC; {summary(http_lat)}"
                )
        finally:
            gateway.stop()
            registry.stop()
        print(f"(logs: {registry.log_path}, {gateway.log_path})")


if __name__ == "__main__":
    main()
