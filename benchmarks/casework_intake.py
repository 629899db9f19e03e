"""Casework intake and routing on PostgreSQL, one casework process over RabbitMQ.

Prints:
  1. case intake via RPC: open_case + accept_case (routing to the work group's least-loaded
     member) from concurrent clients, in commands/s, with per-command latency; then what it
     decided: open cases per owner (routing must spread them evenly) and duplicates flagged;
  2. the same intake through the ``batch`` entrypoint (100 commands per call, 4 clients);
  3. propagation of casework's events, commit -> a downstream consumer of
     ``shequ.casework.events`` (occurred_at to receipt), p50/p99;
  4. outreach opinions -> cases through the inbox: a backlog of opinion envelopes published
     at once, each becoming one accepted, routed case; opinions/s.

The registry's facts (community, villages, households, the team) are published as envelopes on
the registry's exchange, as the registry's relay would.

Usage: .venv/bin/python benchmarks/casework_intake.py [--cases 600] [--clients 20]
       [--opinions 600]
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import common  # noqa: F401 - sets sys.path and PSYCOPG_WAIT_FUNC first
import eventlet

eventlet.monkey_patch()

from harness import STAFF, Listener, Upstream, concurrently, in_batches, one_service, send_batch
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.infra import rpc, wait_until


def directory(amqp: str, households: int) -> dict[str, Any]:
    w: dict[str, Any] = {
        "community": str(uuid.uuid4()),
        "village": str(uuid.uuid4()),
        "team": str(uuid.uuid4()),
        "households": [str(uuid.uuid4()) for _ in range(households)],
    }
    facts: list[tuple[str, dict[str, Any]]] = [
        (
            "community.established",
            {
                "community_id": w["community"],
                "name": "压测社区",
                "name_en": "Bench",
                "district_id": str(uuid.uuid4()),
            },
        ),
        (
            "village.registered",
            {
                "village_id": w["village"],
                "name": "压测村",
                "community_id": w["community"],
                "registered_on": "2024-01-01",
                "sample": True,
            },
        ),
        (
            "team.formed",
            {
                "team_id": w["team"],
                "community_id": w["community"],
                "name": "压测服务队",
                "groups": ["sanitation", "welfare"],
            },
        ),
    ]
    for h in w["households"]:
        facts.append(
            (
                "household.registered",
                {
                    "household_id": h,
                    "village_id": w["village"],
                    "head_id": str(uuid.uuid4()),
                    "address": "一组",
                    "since": "2024-01-01",
                    "sample": True,
                },
            )
        )
    for i, group in enumerate(["sanitation"] * 3 + ["welfare"] * 3):
        facts.append(
            (
                "team.member_joined",
                {
                    "team_id": w["team"],
                    "community_id": w["community"],
                    "person_id": str(uuid.uuid4()),
                    "group": group,
                    "name": f"队员{i}",
                    "phone": "13800000001",
                    "duties": "",
                    "since": "2024-01-01",
                },
            )
        )
    up = Upstream(amqp, "registry")
    up.publish(facts)
    w["registry_last"] = up.chain.position
    return w


def learned_directory(amqp: str, households: int) -> dict[str, Any]:
    """The registry's directory (``directory``), once casework has taken in all of it."""
    w = directory(amqp, households)
    wait_until(
        lambda: (
            rpc(amqp, "casework", "health")["inboxes"]["registry"]["position"] >= w["registry_last"]
        ),
        120,
        what="directory learned",
    )
    return w


def intake(amqp: str, w: dict[str, Any], n: int, clients: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    counter = iter(range(n))
    config = {"AMQP_URI": amqp, "serializer": "json"}
    categories = ("rubbish", "water_supply")

    def client() -> None:
        with ClusterRpcProxy(config, timeout=60) as proxy:
            for i in counter:
                t0 = time.perf_counter()
                opened = proxy.casework.open_case(
                    actor=STAFF,
                    idempotency_key=f"bench-case-{i:07d}",
                    case_type="demand",
                    category=categories[i % 2],
                    channel="walk_in",
                    title=f"压测案件{i}",
                    household_id=w["households"][i % len(w["households"])],
                )
                t1 = time.perf_counter()
                proxy.casework.accept_case(
                    actor=STAFF, idempotency_key=f"bench-acc-{i:07d}", case_id=opened["case_id"]
                )
                latencies.extend([t1 - t0, time.perf_counter() - t1])

    return 2 * n / concurrently(clients, client), latencies


def batches(amqp: str, w: dict[str, Any], n: int, clients: int, size: int) -> float:
    """The same intake through ``batch``: open_case items, then accept_case items."""
    homes = w["households"]

    def send(proxy: Any, items: range) -> None:
        cases = (
            {
                "idempotency_key": f"bench-b-{i:07d}",
                "case_type": "demand",
                "category": "rubbish",
                "channel": "walk_in",
                "title": f"批量{i}",
                "household_id": homes[i % len(homes)],
            }
            for i in items
        )
        opened = send_batch(proxy, "casework", "open_case", cases)
        acceptances = (
            {"idempotency_key": f"bench-ba-{o['case_id']}", "case_id": o["case_id"]} for o in opened
        )
        send_batch(proxy, "casework", "accept_case", acceptances)

    return 2 * n / in_batches(amqp, n, size, clients, 300, send)


def check_intake(amqp: str, w: dict[str, Any]) -> tuple[dict[str, list[int]], int]:
    """What the concurrent intake decided: cases per owner by work group, duplicates flagged."""
    cases = rpc(amqp, "casework", "queue", actor=STAFF, community_id=w["community"])
    spread: dict[str, dict[str, int]] = {}
    for c in cases:
        group = spread.setdefault(c["work_group"], {})
        group[c["owner_id"]] = group.get(c["owner_id"], 0) + 1
    return (
        {g: sorted(n.values()) for g, n in sorted(spread.items())},
        sum(1 for c in cases if c["duplicate_of"]),
    )


def opinions(amqp: str, w: dict[str, Any], m: int) -> float:
    up = Upstream(amqp, "outreach")
    items = [
        (
            "opinion.collected",
            {
                "opinion_id": str(uuid.uuid4()),
                "community_id": w["community"],
                "village_id": w["village"],
                "household_id": w["households"][i % len(w["households"])],
                "category": "rubbish",
                "text": f"压测意见{i}",
                "channel": "visit",
                "source_id": f"visit-{i}",
                "collected_by": "bench",
                "collected_on": "2026-03-02",
            },
        )
        for i in range(m)
    ]
    started = time.perf_counter()
    up.publish(items)
    wait_until(
        lambda: rpc(amqp, "casework", "health")["inboxes"]["outreach"]["position"] >= m,
        600,
        interval=0.05,
        what="opinions applied",
    )
    return m / (time.perf_counter() - started)


def main() -> None:
    from common import counts, percentile, summary

    args = counts(cases=600, clients=20, opinions=600)

    with one_service("casework") as (amqp, _, proc):
        w = learned_directory(amqp, 50)
        listener = Listener(amqp, "casework")
        rate, lat = intake(amqp, w, args.cases, args.clients)
        print(
            f"case intake + routing via RPC ({args.clients} concurrent clients, "
            f"{args.cases} cases = {2 * args.cases} commands open_case+accept_case): "
            f"{rate:,.0f} commands/s; latency {summary(lat)}"
        )
        spread, flagged = check_intake(amqp, w)
        print(
            f"routing under load: open cases per owner {spread}; duplicates flagged "
            f"{flagged} of {args.cases} (expected {args.cases - min(args.cases, 50)}: "
            f"50 households, one category each)"
        )
        expected = 3 * args.cases  # opened, accepted, assigned
        wait_until(
            lambda: len(listener.delays) >= expected, 300, interval=0.1, what="events relayed"
        )
        delays = [d * 1000 for d in listener.delays]
        print(
            f"propagation commit -> downstream consumer ({len(delays)} events): "
            f"p50 {percentile(delays, 50):.0f} ms, p99 {percentile(delays, 99):.0f} ms, "
            f"max {max(delays):.0f} ms"
        )
        listener.stop = True
        rate = batches(amqp, w, args.cases, 4, 100)
        print(
            f"case intake + routing via RPC in batches of 100 (4 clients, "
            f"{2 * args.cases} commands): {rate:,.0f} commands/s"
        )
        rate = opinions(amqp, w, args.opinions)
        print(
            f"outreach opinions -> accepted, routed cases through the inbox "
            f"({args.opinions} published at once): {rate:,.0f} opinions/s"
        )
    print(f"(service log: {proc.log_path})")


if __name__ == "__main__":
    main()
