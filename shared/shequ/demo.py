"""The demo district beyond the registry, made through each service's public RPC as staff would
make them, so that a newcomer's ``make run`` shows every service at work on day one:

- the last complete quarter before today (dates relative to today, never fixed): a visit round
  per community with visits and an opinion heard, the round closed; party members' contacts
  with their linked households; the assessment scheme, the committee's scores and the quarter
  scored and published, so the scoreboard has results the first time anyone looks;
- today: a few walk-in cases per community, opened and accepted, one of them handled to the
  end (started, resolved, answered, rated by its household) — casework dates these facts by
  its own clock — and the case that the visit's opinion became.

Idempotent: every key names the quarter it belongs to, so running the demo again within the
same quarter writes nothing, and a later quarter adds its own work beside the earlier one.

The registry's demo (``registry.seed_demo``) comes first; the other services learn its
communities, households and teams through their inboxes, so this waits until each has caught
up with what the registry published, and scores the quarter only after assessment has caught
up with outreach.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shequ.demofinance import seed_books
from shequ.domainkit import LOCAL  # dates of record are the district's civil dates
from shequ.suite import CONSUMERS, SERVICES

Call = Callable[[str, str, dict[str, Any]], Any]

SEED = {"person_id": "system:seed", "role": "system"}

INDICATORS = [
    {
        "key": "key_tasks",
        "name": "重点工作完成情况",
        "section": "key_work",
        "weight": 20,
        "source": "manual",
    },
    {
        "key": "on_time",
        "name": "按时办结率",
        "section": "daily",
        "weight": 20,
        "source": "on_time_rate",
    },
    {
        "key": "resolution",
        "name": "问题解决率",
        "section": "daily",
        "weight": 10,
        "source": "resolution_rate",
    },
    {
        "key": "satisfaction",
        "name": "群众满意度",
        "section": "service",
        "weight": 20,
        "source": "satisfaction",
    },
    {
        "key": "visits",
        "name": "走访覆盖率",
        "section": "service",
        "weight": 15,
        "source": "visit_coverage",
    },
    {
        "key": "contacts",
        "name": "党员联户达标率",
        "section": "service",
        "weight": 15,
        "source": "contact_compliance",
    },
]
ADJUSTMENTS = [
    {"key": "chase", "name": "催办", "kind": "deduction", "source": "chases", "points": 1, "cap": 5}
]
KEY_TASKS = ("18", "16.5", "19", "15")  # the committee's key-work scores, by community order

LATE_DAYS = 10  # within casework's backdate_within_days (30), past the 3-working-day acceptance
# The demo district's casework settings (``shequ up`` hands them to casework): paper records
# may be dated back to the start of the last complete quarter, at most 183 days before today
# (1 July from 31 December). Real districts keep the default (30 days).
CASEWORK_SETTINGS = {"backdate_within_days": 184}


@dataclass(frozen=True)
class PastCase:
    """A case of the past quarter, received, accepted and started on ``month``/``day`` of it,
    resolved and answered ``handled_in`` calendar days later, rated two days after that."""

    case_type: str
    category: str
    title: str
    month: int
    day: int
    handled_in: int
    rating: int
    late: bool  # resolved after its handling deadline


PETITION = {
    "form": "written",
    "petitioner_name": "李示例",
    "address": "示例村第一组",
    "request": "要求补发土地补偿款（示例）",
}
REPLY = {
    "request": "补发土地补偿款",
    "facts": "经核查少发2000元（示例）",
    "decision": "补发2000元",
    "basis": "《土地管理法》第48条",
}
PAST_CASES = (  # per community, the first households of its first village but three
    # 15 working days to resolve a demand: 3 and 5 calendar days are on time on any calendar
    PastCase("demand", "water_supply", "自来水水压不足（示例）", 0, 6, 3, 5, late=False),
    PastCase("demand", "civil_affairs", "低保年审材料代办（示例）", 1, 3, 5, 4, late=False),
    # rubbish is cleared within one working day: ten calendar days later is late on any calendar
    PastCase("demand", "rubbish", "村口垃圾点清运不及时（示例）", 1, 10, 10, 3, late=True),
    # a petition is answered within 60 calendar days
    PastCase("petition", "petition", "征地补偿款未足额发放（示例）", 0, 12, 20, 4, late=False),
)
CASES = (  # (case type, category, title) for the first households of each community
    ("demand", "water_supply", "自来水水压不足（示例）"),
    ("suggestion", "other", "建议村口增设路灯（示例）"),
)


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: its first and last day and a label such as ``2026Q3``."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"

    def day(self, month: int, day: int) -> str:
        """The given day of the quarter's ``month``-th month (0-2), as ``YYYY-MM-DD``."""
        return self.start.replace(month=self.start.month + month, day=day).isoformat()


def local_today() -> dt.date:
    return dt.datetime.now(LOCAL).date()


def last_complete_quarter(today: dt.date) -> Quarter:
    """The quarter that ended most recently before ``today``."""
    this_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    end = this_start - dt.timedelta(days=1)
    return Quarter(end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1), end)


def wait_for(call: Call, consumers: tuple[str, ...], upstream: str, timeout: float = 120) -> None:
    """Until ``upstream`` has published all it has stored so far and every consumer has
    applied it."""
    deadline = time.monotonic() + timeout
    behind: list[str] = [upstream]
    while time.monotonic() < deadline:
        health = call(upstream, "health", {})
        if health.get("relay_lag", 0) == 0:
            head = health["published_position"]
            behind = [
                name
                for name in consumers
                if call(name, "health", {})["inboxes"][upstream]["position"] < head
            ]
            if not behind:
                return
        time.sleep(0.5)
    raise TimeoutError(f"{', '.join(behind)} did not catch up with {upstream} in {timeout:.0f}s")


def wait_for_consumers(call: Call, timeout: float = 120) -> None:
    """Until every consumer has applied what the registry has published so far."""
    wait_for(call, CONSUMERS, "registry", timeout)


def seed_services(
    call: Call, district: dict[str, Any], today: dt.date | None = None
) -> dict[str, Any]:
    """The past quarter's visits, contacts and published assessment, and today's cases."""
    wait_for_consumers(call)
    day = today or local_today()
    quarter = last_complete_quarter(day)
    made: dict[str, Any] = {
        "quarter": quarter.label,
        "loaded": False,
        "period_start": quarter.start.isoformat(),
        "cases": 0,
        "finished": 0,
        "chased": 0,
        "rounds": 0,
        "visits": 0,
        "contacts": 0,
        "scored": 0,
        "past_cases": 0,
    }
    if scored_already(call, quarter):
        return made  # loaded before, in this quarter: nothing to add
    communities = sorted(district["communities"].items())
    for n, (en, community) in enumerate(communities):
        opened, finished = open_cases(call, en, community, day)
        made["cases"] += opened
        made["finished"] += finished
        made["past_cases"] += past_cases(call, quarter, en, community)
        visits, contacts = past_outreach(call, quarter, n, en, community)
        made["rounds"] += 1
        made["visits"] += visits
        made["contacts"] += contacts
    if "finance" in SERVICES:  # every village's books of the quarter, and their disclosure
        villages = [
            (v["village_id"], (v["households"] or [None])[0])
            for _, c in communities
            for v in c["villages"]
        ]
        made |= seed_books(call, quarter.label, villages, quarter.start.isoformat(), quarter.day)
    # the cases the visits' opinions became, received on the visit's day, reach casework
    wait_for(call, ("casework",), "outreach")
    made["chased"] = len(call("casework", "scan_deadlines", {"actor": SEED})["chased"])
    made["scored"] = score_quarter(call, quarter, [c for _, c in communities], district["since"])
    made["loaded"] = True
    return made


def scored_already(call: Call, q: Quarter) -> bool:
    periods = call("assessment", "periods", {"actor": SEED, "period_kind": "quarter"})
    return any(p["period_start"] == q.start.isoformat() and p["revision"] >= 1 for p in periods)


def open_cases(call: Call, en: str, community: dict[str, Any], today: dt.date) -> tuple[int, int]:
    """Today's walk-in cases; the first is handled to the end: started, resolved, answered
    and rated by its household. And one received on paper ten days ago and never accepted:
    three working days have passed, so the deadline scan chases it."""
    households = community["villages"][0]["households"]
    received_on = (today - dt.timedelta(days=LATE_DAYS)).isoformat()
    call(
        "casework",
        "open_case",
        {
            "actor": SEED,
            "idempotency_key": f"demo:case:{en}:late:{received_on}",
            "case_type": "demand",
            "category": "rubbish",
            "channel": "suggestion_box",
            "title": "村西垃圾点无人清运（示例）",
            "household_id": households[3],
            "received_on": received_on,
        },
    )
    for n, (case_type, category, title) in enumerate(CASES):
        case = call(
            "casework",
            "open_case",
            {
                "actor": SEED,
                "idempotency_key": f"demo:case:{en}:{n}",
                "case_type": case_type,
                "category": category,
                "channel": "walk_in",
                "title": title,
                "household_id": households[n],
            },
        )
        call(
            "casework",
            "accept_case",
            {"actor": SEED, "idempotency_key": f"demo:accept:{en}:{n}", "case_id": case["case_id"]},
        )
        if n == 0:
            finish_case(call, f"demo:{en}:{n}", case["case_id"], households[n])
    return len(CASES) + 1, 1


def past_cases(call: Call, q: Quarter, en: str, community: dict[str, Any]) -> int:
    """The quarter's cases, as their paper records say: each received, accepted, started,
    resolved, answered and rated on its days inside the quarter (casework dates them so;
    the demo district allows records back to the quarter's start, ``CASEWORK_SETTINGS``)."""
    households = community["villages"][0]["households"][4:]
    for n, plan in enumerate(PAST_CASES):
        received = q.start.replace(month=q.start.month + plan.month, day=plan.day)
        resolved = received + dt.timedelta(days=plan.handled_in)
        key = f"demo:{q.label}:case:{en}:{n}"
        petition = (
            {"petition": {**PETITION, "facts": f"{en} 2025年征地补偿款未足额发放（示例）"}}
            if plan.case_type == "petition"
            else {}
        )
        case = call(
            "casework",
            "open_case",
            {
                "actor": SEED,
                "idempotency_key": key,
                "case_type": plan.case_type,
                "category": plan.category,
                "channel": "walk_in",
                "title": plan.title,
                "household_id": households[n],
                "received_on": received.isoformat(),
                **petition,
            },
        )
        call(
            "casework",
            "accept_case",
            {
                "actor": SEED,
                "idempotency_key": f"{key}:accept",
                "case_id": case["case_id"],
                "accepted_on": received.isoformat(),
            },
        )
        finish_case(
            call,
            key,
            case["case_id"],
            households[n],
            started=received,
            resolved=resolved,
            rating=plan.rating,
            reply=REPLY if plan.case_type == "petition" else None,
        )
    return len(PAST_CASES)


def finish_case(
    call: Call,
    key: str,
    case_id: str,
    household: str,
    started: dt.date | None = None,
    resolved: dt.date | None = None,
    rating: int = 5,
    reply: dict[str, str] | None = None,
) -> None:
    """Started, resolved and answered by staff, rated by the household two days after the
    answer; on the days given (default: today, by casework's clock)."""
    ids = {"case_id": case_id}
    started_on = {"started_on": started.isoformat()} if started else {}
    resolved_on = resolved.isoformat() if resolved else None
    rated_on = (resolved + dt.timedelta(days=2)).isoformat() if resolved else None
    outcome = {"outcome": "supported", "reply": reply} if reply else {}
    call(
        "casework",
        "start_case",
        {"actor": SEED, "idempotency_key": f"{key}:start", **ids, **started_on},
    )
    call(
        "casework",
        "resolve_case",
        {
            "actor": SEED,
            "idempotency_key": f"{key}:resolve",
            **ids,
            "evidence": ["维修记录：更换减压阀（示例）"],
            "resolved_on": resolved_on,
            **outcome,
        },
    )
    call(
        "casework",
        "answer_case",
        {
            "actor": SEED,
            "idempotency_key": f"{key}:answer",
            **ids,
            "text": "已更换减压阀，水压恢复正常（示例）",
            "answered_on": resolved_on,
        },
    )
    resident = {"person_id": f"resident:{household}", "role": "resident", "household_id": household}
    call(
        "casework",
        "rate_case",
        {
            "actor": resident,
            "idempotency_key": f"{key}:rate",
            **ids,
            "rating": rating,
            "comment": "满意（示例）",
            "rated_on": rated_on,
        },
    )


def past_outreach(
    call: Call, q: Quarter, index: int, en: str, community: dict[str, Any]
) -> tuple[int, int]:
    """A closed visit round over the quarter, and monthly contacts of one party member."""
    key = f"demo:{q.label}:{en}"
    villages = community["villages"]
    roster = call(
        "registry", "team_roster", {"actor": SEED, "community_id": community["community_id"]}
    )
    visit_round = call(
        "outreach",
        "open_round",
        {
            "actor": SEED,
            "idempotency_key": f"{key}:round",
            "community_id": community["community_id"],
            "title": f"{q.label} 走访（示例）",
            "period_start": q.start.isoformat(),
            "period_end": q.end.isoformat(),
            "assignees": [roster["leader_id"]],
        },
    )
    # coverage differs by community (so the ranking says something): 12, 16, 20, 24 households
    share = 12 + 4 * (index % 4)
    households = [h for v in villages for h in v["households"]][:share]
    for n, household in enumerate(households):
        opinions = (
            [{"category": "demand", "text": "冬季取暖补贴何时发放（示例）"}] if n == 2 else []
        )
        call(
            "outreach",
            "log_visit",
            {
                "actor": SEED,
                "idempotency_key": f"{key}:visit:{n}",
                "round_id": visit_round["round_id"],
                "household_id": household,
                "visited_on": q.day(n % 3, 1 + n % 28),
                "notes": "走访示例",
                "opinions": opinions,
            },
        )
    call(
        "outreach",
        "close_round",
        {
            "actor": SEED,
            "idempotency_key": f"{key}:round-close",
            "round_id": visit_round["round_id"],
        },
    )
    village = villages[0]
    for month in range(3):
        call(
            "outreach",
            "log_party_contact",
            {
                "actor": SEED,
                "idempotency_key": f"{key}:contact:{month}",
                "household_id": village["households"][0],
                "member_id": village["secretary_id"],
                "contacted_on": q.day(month, 10),
                "notes": "联户走访示例",
            },
        )
    return len(households), 3


def score_quarter(call: Call, q: Quarter, communities: list[dict[str, Any]], since: str) -> int:
    """The scheme (in force since the district's records begin), the committee's key-work scores, then the quarter scored and
    published once assessment holds every fact outreach published for it."""
    call(
        "assessment",
        "define_scheme",
        {
            "actor": SEED,
            "idempotency_key": "demo:scheme:community",
            "subject_kind": "community",
            "name": "社区工作考核办法（示例）",
            "effective_from": since,
            "period_kinds": ["quarter", "year"],
            "indicators": INDICATORS,
            "adjustments": ADJUSTMENTS,
        },
    )
    period = {"period_kind": "quarter", "period_start": q.start.isoformat()}
    for n, community in enumerate(communities):
        call(
            "assessment",
            "enter_score",
            {
                "actor": SEED,
                "idempotency_key": f"demo:{q.label}:key-tasks:{n}",
                **period,
                "subject_kind": "community",
                "subject_id": community["community_id"],
                "item": "key_tasks",
                "score": KEY_TASKS[n % len(KEY_TASKS)],
                "reason": "重点工作完成情况（示例）",
            },
        )
    wait_for(call, ("assessment",), "outreach")
    wait_for(call, ("assessment",), "casework")
    scored = call(
        "assessment",
        "score_period",
        {"actor": SEED, "idempotency_key": f"demo:{q.label}:score", **period},
    )
    return len(scored["results"].get("community", []))
