"""The demo district beyond the registry: a few cases, a visit round with an opinion, and an
assessment scheme, made through each service's public RPC as staff would make them, so that a
newcomer's ``make run`` shows every service at work. Idempotent (fixed keys and dates).

The registry's demo (``registry.seed_demo``) comes first; the other services learn its
communities, households and teams through their inboxes, so this waits until each has caught
up with what the registry published.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

Call = Callable[[str, str, dict[str, Any]], Any]

SEED = {"person_id": "system:seed", "role": "system"}
CONSUMERS = ("casework", "outreach", "assessment")

SCHEME = {
    "subject_kind": "community", "name": "社区工作考核办法（示例）", "effective_from": "2026-01-01",
    "period_kinds": ["quarter", "year"],
    "indicators": [
        {"key": "key_tasks", "name": "重点工作完成情况", "section": "key_work", "weight": 30,
         "source": "manual"},
        {"key": "on_time", "name": "按时办结率", "section": "daily", "weight": 40,
         "source": "on_time_rate"},
        {"key": "satisfaction", "name": "群众满意度", "section": "service", "weight": 30,
         "source": "satisfaction"}],
    "adjustments": [
        {"key": "chase", "name": "催办", "kind": "deduction", "source": "chases", "points": 1,
         "cap": 5}]}

CASES = (  # (case type, category, title) for the first households of each community
    ("demand", "water_supply", "自来水水压不足（示例）"),
    ("suggestion", "other", "建议村口增设路灯（示例）"),
)


def wait_for_consumers(call: Call, timeout: float = 120) -> None:
    """Until every consumer has applied what the registry has published so far."""
    head = call("registry", "health", {})["published_position"]
    deadline = time.monotonic() + timeout
    behind: list[str] = list(CONSUMERS)
    while time.monotonic() < deadline:
        behind = [name for name in CONSUMERS
                  if call(name, "health", {})["inboxes"]["registry"]["position"] < head]
        if not behind:
            return
        time.sleep(0.5)
    raise TimeoutError(f"{', '.join(behind)} did not catch up with the registry in "
                       f"{timeout:.0f}s")


def seed_services(call: Call, district: dict[str, Any]) -> dict[str, int]:
    """Cases, a visit round per community with one visit and its opinion, and the scheme."""
    wait_for_consumers(call)
    made = {"cases": 0, "rounds": 0, "visits": 0, "schemes": 0}
    for en, community in sorted(district["communities"].items()):
        village = community["villages"][0]
        households = village["households"]
        for n, (case_type, category, title) in enumerate(CASES):
            case = call("casework", "open_case", {
                "actor": SEED, "idempotency_key": f"demo:case:{en}:{n}", "case_type": case_type,
                "category": category, "channel": "walk_in", "title": title,
                "household_id": households[n]})
            call("casework", "accept_case", {
                "actor": SEED, "idempotency_key": f"demo:accept:{en}:{n}",
                "case_id": case["case_id"]})
            made["cases"] += 1
        roster = call("registry", "team_roster", {"actor": SEED,
                                                  "community_id": community["community_id"]})
        visitor = roster["leader_id"]
        visit_round = call("outreach", "open_round", {
            "actor": SEED, "idempotency_key": f"demo:round:{en}",
            "community_id": community["community_id"], "title": "冬季走访（示例）",
            "period_start": "2026-11-01", "period_end": "2026-11-30",
            "assignees": [visitor]})
        made["rounds"] += 1
        call("outreach", "log_visit", {
            "actor": SEED, "idempotency_key": f"demo:visit:{en}",
            "round_id": visit_round["round_id"], "household_id": households[2],
            "visited_on": "2026-11-20", "notes": "走访示例",
            "opinions": [{"category": "demand", "text": "冬季取暖补贴何时发放（示例）"}]})
        made["visits"] += 1
    call("assessment", "define_scheme", {"actor": SEED, "idempotency_key": "demo:scheme",
                                         **SCHEME})
    made["schemes"] += 1
    return made
