"""The command path against its own ceilings, for registry and casework, in one run (issue 17).

For each service (one process started as ``shequ up`` does, on its own RabbitMQ vhost and
PostgreSQL database) it prints:
  1. raw eventsourcing appends, sequential, on PostgreSQL (the baseline);
  2. RPC read rate: ``health`` from concurrent clients (the service's own RPC ceiling);
  3. RPC command rate (registry ``establish_community``, casework ``open_case``) from the same
     clients, its ratio to the read rate, and latency p50/p99/max;
  4. ``batch`` (100 commands a call, 4 clients) as a multiple of the raw appends;
  5. at a fixed offered rate (``--rate`` commands/s, paced, latency counted from the scheduled
     send): command latency p99 and propagation p99 commit -> a downstream consumer.
Calls slower than ``--slow`` seconds are reported with what PostgreSQL was doing meanwhile
(``pg_stat_activity`` of the service's database) to place a stall.

The machine is shared: the ratios are the figures; run it more than once.

Usage: .venv/bin/python benchmarks/command_path.py [--commands 3000] [--clients 40]
       [--rate 200] [--services registry,casework] [--profile DIR]
``--profile DIR`` records the service process under load with py-spy (installed in the venv)
into DIR/<service>-commands.svg (a flame graph, not committed; ``--profile-format txt``: the
collapsed stacks, for grep).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common  # noqa: F401 - sets sys.path and PSYCOPG_WAIT_FUNC first
import eventlet

eventlet.monkey_patch()

import psycopg
from casework_intake import learned_directory
from common import percentile
from harness import (
    STAFF,
    Listener,
    concurrently,
    establish_district,
    one_service,
    raw_appends,
    send_batch,
)
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.infra import pg_database, rpc, wait_until

Call = Callable[[Any, int], Any]


def ms(values: list[float]) -> str:
    v = [x * 1000 for x in values]
    return f"p50 {percentile(v, 50):.0f} / p99 {percentile(v, 99):.0f} / max {max(v):.0f} ms"


class Watch:
    """Calls in flight; a call older than ``slow`` seconds gets one snapshot of the database."""

    def __init__(self, db_url: str, slow: float) -> None:
        self.db_url, self.slow = db_url, slow
        self.inflight: dict[int, float] = {}
        self.reports: list[str] = []
        self.stop = False
        self._seen: set[int] = set()
        self.thread = eventlet.spawn(self.run)

    def run(self) -> None:
        dbname = self.db_url.rsplit("/", 1)[1]
        while not self.stop:
            eventlet.sleep(0.2)
            now = time.perf_counter()
            late = [k for k, t in list(self.inflight.items()) if now - t > self.slow]
            fresh = [k for k in late if k not in self._seen]
            if not fresh:
                continue
            self._seen.update(late)
            try:
                with psycopg.connect(self.db_url.rsplit("/", 1)[0] + "/postgres") as conn:
                    rows = conn.execute(
                        "SELECT application_name, state, wait_event_type, wait_event, "
                        "round(extract(epoch from now() - xact_start)::numeric, 2), "
                        "left(query, 60) FROM pg_stat_activity WHERE datname = %s",
                        [dbname],
                    ).fetchall()
                    locks = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    ).fetchone()
            except Exception as exc:  # noqa: BLE001
                rows, locks = [("snapshot failed", str(exc))], None
            oldest = max(now - self.inflight.get(k, now) for k in late)
            lines = [f"  {len(late)} call(s) in flight > {self.slow}s (oldest {oldest:.1f}s):"]
            states: dict[tuple[Any, ...], int] = {}
            for r in rows:  # sessions by (application, state, wait), the oldest transaction
                states[r[:4]] = states.get(r[:4], 0) + 1
            lines += [f"    {n} x {k}" for k, n in sorted(states.items(), key=str)]
            xacts = [r[4] for r in rows if len(r) > 4 and r[4] is not None]
            lines.append(f"    oldest open transaction: {max(xacts, default=None)} s")
            lines.append(f"    sessions waiting on a lock, whole server: {locks}")
            self.reports.append("\n".join(lines))


def closed_loop(
    amqp: str, n: int, clients: int, call: Call, watch: Watch | None = None
) -> tuple[float, list[float]]:
    """``n`` calls from ``clients`` concurrent clients, each waiting for its answer."""
    latencies: list[float] = []
    counter = iter(range(n))
    config = {"AMQP_URI": amqp, "serializer": "json"}

    def client() -> None:
        with ClusterRpcProxy(config, timeout=120) as proxy:
            for i in counter:
                t0 = time.perf_counter()
                if watch:
                    watch.inflight[id(proxy) * 1_000_000 + i] = t0
                call(proxy, i)
                if watch:
                    del watch.inflight[id(proxy) * 1_000_000 + i]
                latencies.append(time.perf_counter() - t0)

    return n / concurrently(clients, client), latencies


def open_loop(amqp: str, n: int, rate: float, call: Call, clients: int = 40) -> list[float]:
    """``n`` calls sent at ``rate``/s whatever the answers; latency from the scheduled send."""
    config = {"AMQP_URI": amqp, "serializer": "json"}
    proxies: eventlet.Queue = eventlet.Queue()
    opened = []
    for _ in range(clients):
        p = ClusterRpcProxy(config, timeout=120)
        opened.append(p)
        proxies.put(p.start())
    latencies: list[float] = []

    def one(i: int, due: float) -> None:
        proxy = proxies.get()
        try:
            call(proxy, i)
        finally:
            proxies.put(proxy)
        latencies.append(time.perf_counter() - due)

    pool = eventlet.GreenPool(clients * 4)
    start = time.perf_counter() + 0.1
    for i in range(n):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            eventlet.sleep(delay)
        pool.spawn(one, i, due)
    pool.waitall()
    for p in opened:
        p.stop()
    return latencies


class Subject:
    """One service under test: how to start it, prepare it, and call one command."""

    name = ""
    command = ""

    def prepare(self, amqp: str) -> None:
        pass

    def call(self, tag: str) -> Call:
        raise NotImplementedError

    def batch(self, amqp: str, n: int, clients: int, size: int) -> float:
        config = {"AMQP_URI": amqp, "serializer": "json"}
        starts = iter(range(0, n, size))

        def client() -> None:
            with ClusterRpcProxy(config, timeout=300) as proxy:
                for start in starts:
                    keys = range(start, min(n, start + size))
                    args = (self.args(f"batch-{i:07d}", i) for i in keys)
                    send_batch(proxy, self.name, self.command, args)

        return n / concurrently(clients, client)

    def args(self, key: str, i: int) -> dict[str, Any]:
        raise NotImplementedError


class RegistrySubject(Subject):
    name, command = "registry", "establish_community"

    def prepare(self, amqp: str) -> None:
        establish_district(amqp, "bench-district")

    def args(self, key: str, i: int) -> dict[str, Any]:
        return {"idempotency_key": key, "name": f"压测社区{key}", "name_en": f"Bench {key}"}

    def call(self, tag: str) -> Call:
        def run(proxy: Any, i: int) -> Any:
            key = f"{tag}-{i:07d}"
            return proxy.registry.establish_community(actor=STAFF, **self.args(key, i))

        return run


class CaseworkSubject(Subject):
    name, command = "casework", "open_case"

    def __init__(self) -> None:
        self.households: list[str] = []

    def prepare(self, amqp: str) -> None:
        self.households = learned_directory(amqp, 50)["households"]

    def args(self, key: str, i: int) -> dict[str, Any]:
        return {
            "idempotency_key": key,
            "case_type": "demand",
            "category": ("rubbish", "water_supply")[i % 2],
            "channel": "walk_in",
            "title": f"压测案件{key}",
            "household_id": self.households[i % len(self.households)],
        }

    def call(self, tag: str) -> Call:
        def run(proxy: Any, i: int) -> Any:
            return proxy.casework.open_case(actor=STAFF, **self.args(f"{tag}-{i:07d}", i))

        return run


SUBJECTS = {"registry": RegistrySubject, "casework": CaseworkSubject}


def profile(pid: int, out: Path, seconds: float) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not spy:
        print("  (no py-spy in the venv: .venv/bin/pip install py-spy to profile)")
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [spy, "record", "-p", str(pid), "-o", str(out), "-d", str(int(seconds)), "-r", "200"]
        + (["-f", "raw"] if out.suffix == ".txt" else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_drained(amqp: str, service: str) -> None:
    wait_until(
        lambda: rpc(amqp, service, "health")["relay_lag"] == 0, 300, what=f"{service} drained"
    )


def bench(subject: Subject, args: argparse.Namespace) -> None:
    name = subject.name
    with pg_database() as raw_db:
        raw = raw_appends(raw_db, args.raw)
    with one_service(name) as (amqp, db, proc):
        subject.prepare(amqp)
        closed_loop(amqp, 200, args.clients, subject.call("warm"))
        closed_loop(amqp, 200, args.clients, lambda p, i: getattr(p, name).health())
        reads, read_lat = closed_loop(
            amqp, args.commands, args.clients, lambda p, i: getattr(p, name).health()
        )
        wait_drained(amqp, name)
        watch = Watch(db, args.slow)
        spy = None
        if args.profile:
            assert proc.proc is not None
            spy = profile(
                proc.proc.pid,
                Path(args.profile) / f"{name}-commands.{args.profile_format}",
                args.profile_secs,
            )
        cmds, cmd_lat = closed_loop(amqp, args.commands, args.clients, subject.call("cmd"), watch)
        if spy:
            spy.wait()
        watch.stop = True
        wait_drained(amqp, name)
        batch = subject.batch(amqp, args.commands, 4, 100)
        wait_drained(amqp, name)
        listener = Listener(amqp, name)
        paced = open_loop(amqp, args.paced, args.rate, subject.call("paced"))
        wait_until(lambda: len(listener.delays) >= args.paced, 120, what="events relayed")
        eventlet.sleep(1)
        listener.stop = True
        prop = listener.delays
    slow = sum(1 for x in cmd_lat + paced if x > 1)
    print(f"{name} ({subject.command}), {args.clients} clients, {args.commands} calls each way:")
    print(f"  raw eventsourcing appends, sequential (baseline) {raw:8,.0f}/s")
    print(f"  RPC read (health)                                {reads:8,.0f}/s  {ms(read_lat)}")
    print(f"  RPC command ({subject.command:19})             {cmds:8,.0f}/s  {ms(cmd_lat)}")
    print(f"  command / read                                   {cmds / reads:8.2f}")
    print(
        f"  batch of 100, 4 clients                          {batch:8,.0f}/s  {batch / raw:.2f}x raw"
    )
    print(
        f"  at {args.rate:.0f} commands/s offered ({args.paced}): command {ms(paced)}; "
        f"propagation ({len(prop)} events) {ms(prop)}"
    )
    print(f"  calls over 1 s: {slow}   (service log: {proc.log_path})")
    for report in watch.reports:
        print(report)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--raw", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--paced", type=int, default=2000, help="calls at the offered rate")
    parser.add_argument("--slow", type=float, default=1.0)
    parser.add_argument("--services", default="registry,casework")
    parser.add_argument("--profile", default="", help="directory for py-spy flame graphs")
    parser.add_argument("--profile-secs", type=float, default=8.0)
    parser.add_argument(
        "--profile-format", default="svg", choices=["svg", "txt"], help="txt: collapsed stacks"
    )
    args = parser.parse_args()
    for name in args.services.split(","):
        bench(SUBJECTS[name](), args)


if __name__ == "__main__":
    main()
