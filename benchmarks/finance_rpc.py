"""Finance vouchers posted via RPC: one finance process on PostgreSQL over RabbitMQ (nameko),
each figure next to raw eventsourcing appends measured in the same run.

Prints:
  1. raw appends of one small aggregate each (the store's own rate, the baseline);
  2. single calls, one client: vouchers through the whole chain (draft, submit, four reviews,
     post: seven RPC calls each) per second; then approved vouchers posted one call each
     (post_voucher alone: the ledger numbers them one after another);
  3. the same through the ``batch`` entrypoint (``--size`` items per call): one call per step
     for the whole chain, and approved vouchers posted in one batch per ``--size``;
  4. the cost of one posting as a ledger grows: in a ledger of its own, ``--block`` approved
     vouchers posted one call each once it holds 10, 200 and 1,000 posted vouchers, each
     posting's CPU time in the service process (its user and system time from /proc, the
     process idle before and after), so the figure does not move with the shared machine's
     load as wall-clock time does.

The registry's village is published as an envelope on the registry's exchange, as the
registry's relay would. Every posting's number is checked: 记-2026-001 … consecutive.

Usage: .venv/bin/python benchmarks/finance_rpc.py [--vouchers 200] [--size 100] [--raw 1000]
       [--block 50]
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import common
import eventlet

eventlet.monkey_patch()

from harness import Upstream, one_service, raw_appends
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.finance import Books
from tests.support.infra import pg_database, rpc, wait_until

DAY = "2026-01-20"
GROWTH = (10, 200, 1000)  # posted vouchers in the ledger when a block's postings are measured


UPSTREAMS: dict[str, Upstream] = {}  # the registry as each broker knows it: one chain


def village(amqp: str) -> str:
    """A village the registry registered, once finance has taken it in."""
    village_id = str(uuid.uuid4())
    up = UPSTREAMS.setdefault(amqp, Upstream(amqp, "registry"))
    up.publish(
        [
            (
                "village.registered",
                {
                    "village_id": village_id,
                    "name": "压测村",
                    "community_id": str(uuid.uuid4()),
                    "registered_on": "2024-01-01",
                    "sample": True,
                },
            )
        ]
    )
    wait_until(
        lambda: (
            rpc(amqp, "finance", "health")["inboxes"]["registry"]["position"] >= up.chain.position
        ),
        60,
        what="village learned",
    )
    return village_id


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run(amqp: str, n: int, size: int) -> dict[str, float]:
    config = {"AMQP_URI": amqp, "serializer": "json"}
    with ClusterRpcProxy(config, timeout=120) as proxy:

        def call(service: str, method: str, **kwargs: Any) -> Any:
            return getattr(getattr(proxy, service), method)(**kwargs)

        books = Books(call, village(amqp))
        books.open("bench-ledger", "2026-01-01")
        numbers: list[str] = []

        def single_chain() -> None:
            for i in range(n):
                key = f"bench-single-{i:06d}"
                voucher = books.draft(key, DAY)
                books.review(voucher, key)
                numbers.append(books.post(voucher, f"{key}-post")["number"])

        def batches(prefix: str, post: bool) -> list[str]:
            ids: list[str] = []
            for start in range(0, n, size):
                keys = [f"{prefix}-{i:06d}" for i in range(start, min(n, start + size))]
                ids += books.approved_in_batches(keys, DAY, post=post)
            return ids

        def batch_post(ids: list[str]) -> None:
            for start in range(0, len(ids), size):
                items = [
                    {
                        "command": "post_voucher",
                        "args": {"idempotency_key": f"post-{v}", "voucher_id": v},
                    }
                    for v in ids[start : start + size]
                ]
                answers = call("finance", "batch", actor=books.agency, commands=items)
                numbers.extend(a["ok"]["number"] for a in answers)

        figures = {"chain single": timed(single_chain)}
        approved = batches("bench-approved-a", post=False)
        figures["post single"] = timed(
            lambda: numbers.extend(books.post(v, f"post-{v}")["number"] for v in approved)
        )
        figures["chain batch"] = timed(lambda: batches("bench-batch", post=True))
        approved = batches("bench-approved-b", post=False)
        figures["post batch"] = timed(lambda: batch_post(approved))
    listed = call_vouchers(amqp, books)
    assert len(listed) == 4 * n and sorted(listed) == [
        f"记-2026-{k:03d}" for k in range(1, 4 * n + 1)
    ], "numbers skipped or used twice"
    return {k: n / v for k, v in figures.items()}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (/proc/PID/stat), in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(pid: int) -> float:
    """The process's CPU time once it has gone quiet (its relay, projection and jobs done with
    what came before): two half-seconds in a row in which it used under 20 ms."""
    last, quiet = cpu_seconds(pid), 0
    while quiet < 2:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - last < 0.02 else 0
        last = now
    return last


def growth(amqp: str, pid: int, block: int, size: int) -> dict[int, float]:
    """Milliseconds of the service's CPU per posting (one call each) at each size of GROWTH."""
    config = {"AMQP_URI": amqp, "serializer": "json"}
    cost: dict[int, float] = {}
    with ClusterRpcProxy(config, timeout=120) as proxy:

        def call(service: str, method: str, **kwargs: Any) -> Any:
            return getattr(getattr(proxy, service), method)(**kwargs)

        books = Books(call, village(amqp))
        books.open("growth-ledger", "2026-01-01")
        posted = 0
        for mark in GROWTH:
            while posted < mark:  # filled in batches, posted
                keys = [f"fill-{i:06d}" for i in range(posted, min(mark, posted + size))]
                books.approved_in_batches(keys, DAY, post=True)
                posted += len(keys)
            keys = [f"growth-{mark}-{i:04d}" for i in range(block)]
            approved = books.approved_in_batches(keys, DAY)
            before = idle_cpu(pid)
            for v in approved:
                books.post(v, f"post-{v}")
            cost[mark] = (idle_cpu(pid) - before) / block * 1000
            posted += block
    return cost


def call_vouchers(amqp: str, books: Books) -> list[str]:
    """The numbers of the village's posted vouchers of January, as the books list them."""
    listed = rpc(
        amqp,
        "finance",
        "vouchers",
        timeout=60,
        actor=books.agency,
        village_id=books.village_id,
        period="2026-01",
        status="posted",
    )["vouchers"]
    return [v["number"] for v in listed]


def main() -> None:
    args = common.counts(vouchers=200, size=100, raw=1000, block=50)
    with pg_database() as db:
        raw = raw_appends(db, args.raw)
    with one_service("finance") as (amqp, _, proc):
        rates = run(amqp, args.vouchers, args.size)
        assert proc.proc is not None
        cost = growth(amqp, proc.proc.pid, args.block, args.size)
    n, size = args.vouchers, args.size
    print(f"finance via RPC (nameko over RabbitMQ, PostgreSQL), {n} vouchers each way:")
    print(f"  raw eventsourcing appends, sequential (baseline)   {raw:8,.0f}/s")
    rows = [
        ("chain single", "whole chain, 7 single calls a voucher", 7),
        ("post single", "post_voucher of approved ones, single calls", 1),
        ("chain batch", f"whole chain, a batch of {size} per step", 7),
        ("post batch", f"post_voucher of approved ones, batches of {size}", 1),
    ]
    for key, what, commands in rows:
        rate = rates[key]
        print(
            f"  vouchers posted: {what:<45} {rate:8,.1f}/s  "
            f"({commands * rate:,.0f} commands/s, {commands * rate / raw:.2f}x raw)"
        )
    print(f"one posting's CPU time in the service process ({args.block} postings, one call each):")
    for mark, ms in cost.items():
        print(f"  ledger holding {mark:5,d} posted vouchers{'':26} {ms:8.2f} ms")
    print(f"(service log: {proc.log_path})")


if __name__ == "__main__":
    main()
