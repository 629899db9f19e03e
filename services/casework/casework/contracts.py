"""Integration events casework publishes (docs/integration-events.md): versioned, primitive.

Names and fields of the agreed contracts are kept exactly; ``case.accepted``,
``case.refused``, ``case.answered`` and ``case.merged`` are added. No personal data travels:
residents' names and phones stay inside casework.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequ.contracts import Catalogue, Contract

from casework.domain import event_name

catalogue = Catalogue("casework")
C = "5b2d7c1e-0000-5000-8000-00000000000"  # example ids: C + one digit

Build = Callable[[Any], dict[str, Any]]
ROUTES: dict[str, tuple[Contract, Build]] = {}


def _define(
    name: str,
    fields: dict[str, str],
    description: str,
    example: dict[str, Any],
    event: str,
    build: Build,
) -> None:
    ROUTES[event] = (catalogue.define(name, 1, fields, description, example), build)


def _ctx(e: Any) -> dict[str, Any]:
    return {
        "case_id": str(e.originator_id),
        "community_id": e.ctx["community_id"],
        "team_id": e.ctx["team_id"],
    }


_define(
    "case.opened",
    {
        "case_id": "string",
        "case_type": "string",
        "category": "string",
        "channel": "string",
        "community_id": "string",
        "village_id": "string?",
        "household_id": "string?",
        "opened_on": "date",
        "due_on": "date?",
        "origin_opinion_id": "string?",
    },
    "A case was received; origin_opinion_id ties it back to outreach's opinion.",
    {
        "case_id": C + "1",
        "case_type": "demand",
        "category": "water_supply",
        "channel": "visit",
        "community_id": C + "4",
        "village_id": C + "5",
        "household_id": C + "9",
        "opened_on": "2026-03-02",
        "due_on": "2026-03-05",
        "origin_opinion_id": C + "7",
    },
    "Case.Received",
    lambda e: {
        "case_id": str(e.originator_id),
        "case_type": e.case_type,
        "category": e.category,
        "channel": e.channel,
        "community_id": e.community_id,
        "village_id": e.village_id,
        "household_id": e.household_id,
        "opened_on": e.received_on,
        "due_on": e.accept_due,
        "origin_opinion_id": e.origin_opinion_id,
    },
)
_define(
    "case.accepted",
    {
        "case_id": "string",
        "community_id": "string",
        "team_id": "string?",
        "accepted_on": "date",
        "due_on": "date",
    },
    "A case was accepted (受理; for a petition, the acceptance notice was sent).",
    {
        "case_id": C + "1",
        "community_id": C + "4",
        "team_id": C + "0",
        "accepted_on": "2026-03-03",
        "due_on": "2026-03-24",
    },
    "Case.Accepted",
    lambda e: {**_ctx(e), "accepted_on": e.on, "due_on": e.due_on},
)
_define(
    "case.refused",
    {
        "case_id": "string",
        "community_id": "string",
        "team_id": "string?",
        "refused_on": "date",
        "reason_code": "string",
    },
    "A case was not accepted, with the reason's category.",
    {
        "case_id": C + "1",
        "community_id": C + "4",
        "team_id": None,
        "refused_on": "2026-03-03",
        "reason_code": "not_competent",
    },
    "Case.Refused",
    lambda e: {**_ctx(e), "refused_on": e.on, "reason_code": e.reason_code},
)
_define(
    "case.assigned",
    {
        "case_id": "string",
        "community_id": "string",
        "team_id": "string?",
        "work_group": "string",
        "owner_id": "string",
    },
    "A named owner (and work group) took the case.",
    {
        "case_id": C + "1",
        "community_id": C + "4",
        "team_id": C + "0",
        "work_group": "welfare",
        "owner_id": C + "2",
    },
    "Case.Assigned",
    lambda e: {**_ctx(e), "work_group": e.work_group, "owner_id": e.owner_id},
)
_define(
    "case.resolved",
    {
        "case_id": "string",
        "community_id": "string",
        "team_id": "string?",
        "case_type": "string",
        "resolved_on": "date",
        "due_on": "date?",
        "on_time": "boolean",
    },
    "The case was resolved, on time or not; also, once, when a dispute's mediation or a "
    "village decision ends (resolved_on: the day it ended).",
    {
        "case_id": C + "1",
        "community_id": C + "4",
        "team_id": C + "0",
        "case_type": "demand",
        "resolved_on": "2026-03-20",
        "due_on": "2026-03-24",
        "on_time": True,
    },
    "Case.Resolved",
    lambda e: {
        **_ctx(e),
        "case_type": e.ctx["case_type"],
        "resolved_on": e.on,
        "due_on": e.due_on,
        "on_time": e.on_time,
    },
)
_define(
    "case.answered",
    {"case_id": "string", "community_id": "string", "team_id": "string?", "answered_on": "date"},
    "The resident was answered (反馈).",
    {"case_id": C + "1", "community_id": C + "4", "team_id": C + "0", "answered_on": "2026-03-21"},
    "Case.Answered",
    lambda e: {**_ctx(e), "answered_on": e.on},
)
_define(
    "case.rated",
    {
        "case_id": "string",
        "community_id": "string",
        "team_id": "string?",
        "rating": "integer",
        "rated_on": "date",
    },
    "The resident rated the outcome (1-5) on rated_on (the district's civil date).",
    {
        "case_id": C + "1",
        "community_id": C + "4",
        "team_id": C + "0",
        "rating": 5,
        "rated_on": "2026-03-22",
    },
    "Case.Rated",
    lambda e: {**_ctx(e), "rating": e.rating, "rated_on": e.on},
)
_define(
    "case.reopened",
    {"case_id": "string", "community_id": "string", "team_id": "string?", "reopened_on": "date"},
    "The resident reopened the case within the window.",
    {"case_id": C + "1", "community_id": C + "4", "team_id": C + "0", "reopened_on": "2026-03-23"},
    "Case.Reopened",
    lambda e: {**_ctx(e), "reopened_on": e.on},
)
_define(
    "case.closed",
    {"case_id": "string", "community_id": "string", "team_id": "string?", "closed_on": "date"},
    "The case was closed.",
    {"case_id": C + "1", "community_id": C + "4", "team_id": C + "0", "closed_on": "2026-03-30"},
    "Case.Closed",
    lambda e: {**_ctx(e), "closed_on": e.on},
)
_define(
    "case.merged",
    {
        "case_id": "string",
        "community_id": "string",
        "team_id": "string?",
        "into_case_id": "string",
        "merged_on": "date",
    },
    "A duplicate case was merged into another; both histories are kept.",
    {
        "case_id": C + "1",
        "community_id": C + "4",
        "team_id": C + "0",
        "into_case_id": C + "3",
        "merged_on": "2026-03-04",
    },
    "Case.Merged",
    lambda e: {**_ctx(e), "into_case_id": e.target_id, "merged_on": e.on},
)
_define(
    "case.chased",
    {
        "case_id": "string",
        "community_id": "string",
        "team_id": "string?",
        "owner_id": "string?",
        "due_on": "date",
        "chased_on": "date",
    },
    "Overdue: a chase notice (催办).",
    {
        "case_id": C + "1",
        "community_id": C + "4",
        "team_id": C + "0",
        "owner_id": C + "2",
        "due_on": "2026-03-24",
        "chased_on": "2026-03-25",
    },
    "Case.Chased",
    lambda e: {**_ctx(e), "owner_id": e.owner_id, "due_on": e.due_on, "chased_on": e.chased_on},
)
_define(
    "case.reprimanded",
    {
        "case_id": "string",
        "community_id": "string",
        "team_id": "string?",
        "owner_id": "string?",
        "due_on": "date",
        "reprimanded_on": "date",
    },
    "Still overdue after the chase: a reprimand (通报).",
    {
        "case_id": C + "1",
        "community_id": C + "4",
        "team_id": C + "0",
        "owner_id": C + "2",
        "due_on": "2026-03-24",
        "reprimanded_on": "2026-03-30",
    },
    "Case.Reprimanded",
    lambda e: {
        **_ctx(e),
        "owner_id": e.owner_id,
        "due_on": e.due_on,
        "reprimanded_on": e.reprimanded_on,
    },
)

_DECISION = {
    "decision_id": "string",
    "case_id": "string",
    "community_id": "string",
    "village_id": "string",
    "title": "string",
    "matter_type": "string",
    "published_on": "date",
    "text": "string",
}
_DECISION_EXAMPLE = {
    "decision_id": C + "8",
    "case_id": C + "1",
    "community_id": C + "4",
    "village_id": C + "5",
    "title": "村集体机动地对外发包",
    "matter_type": "collective_property",
    "published_on": "2026-04-10",
    "text": "经村民代表会议表决通过……",
}


def _decision(e: Any) -> dict[str, Any]:
    return {"decision_id": str(e.originator_id), **e.ctx, "published_on": e.on, "text": e.text}


_define(
    "decision.resolution_published",
    _DECISION,
    "Step 5 of 四议两公开: the resolution was published (for the affairs disclosure).",
    _DECISION_EXAMPLE,
    "VillageDecision.ResolutionPublished",
    _decision,
)
_define(
    "decision.result_published",
    _DECISION,
    "Step 6 of 四议两公开: the result of carrying it out was published.",
    _DECISION_EXAMPLE,
    "VillageDecision.ResultPublished",
    _decision,
)


def translate(domain_event: Any) -> tuple[Contract, dict[str, Any]] | None:
    """The integration event for a stored domain event, or None if it is not published."""
    route = ROUTES.get(event_name(domain_event))
    if route is None:
        return None
    contract, build = route
    return contract, build(domain_event)
