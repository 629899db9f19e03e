"""Integration events casework publishes (docs/integration-events.md): versioned, primitive.

Names and fields of the agreed contracts are kept exactly; ``case.accepted``,
``case.refused``, ``case.answered`` and ``case.merged`` are added. No personal data travels:
residents' names and phones stay inside casework.
"""

from __future__ import annotations

from typing import Any

from shequ.contracts import Catalogue

catalogue = Catalogue("casework")
translate = catalogue.translate
C = "5b2d7c1e-0000-5000-8000-00000000000"  # example ids: C + one digit


def _ctx(e: Any) -> dict[str, Any]:
    return {
        "case_id": str(e.originator_id),
        "community_id": e.ctx["community_id"],
        "team_id": e.ctx["team_id"],
    }


catalogue.publish(
    "Case.Received",
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
    build=lambda e: {
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
catalogue.publish(
    "Case.Accepted",
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
    build=lambda e: {**_ctx(e), "accepted_on": e.on, "due_on": e.due_on},
)
catalogue.publish(
    "Case.Refused",
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
    build=lambda e: {**_ctx(e), "refused_on": e.on, "reason_code": e.reason_code},
)
catalogue.publish(
    "Case.Assigned",
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
    build=lambda e: {**_ctx(e), "work_group": e.work_group, "owner_id": e.owner_id},
)
catalogue.publish(
    "Case.Resolved",
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
    build=lambda e: {
        **_ctx(e),
        "case_type": e.ctx["case_type"],
        "resolved_on": e.on,
        "due_on": e.due_on,
        "on_time": e.on_time,
    },
)
catalogue.publish(
    "Case.Answered",
    "case.answered",
    {"case_id": "string", "community_id": "string", "team_id": "string?", "answered_on": "date"},
    "The resident was answered (反馈).",
    {"case_id": C + "1", "community_id": C + "4", "team_id": C + "0", "answered_on": "2026-03-21"},
    build=lambda e: {**_ctx(e), "answered_on": e.on},
)
catalogue.publish(
    "Case.Rated",
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
    build=lambda e: {**_ctx(e), "rating": e.rating, "rated_on": e.on},
)
catalogue.publish(
    "Case.Reopened",
    "case.reopened",
    {"case_id": "string", "community_id": "string", "team_id": "string?", "reopened_on": "date"},
    "The resident reopened the case within the window.",
    {"case_id": C + "1", "community_id": C + "4", "team_id": C + "0", "reopened_on": "2026-03-23"},
    build=lambda e: {**_ctx(e), "reopened_on": e.on},
)
catalogue.publish(
    "Case.Closed",
    "case.closed",
    {"case_id": "string", "community_id": "string", "team_id": "string?", "closed_on": "date"},
    "The case was closed.",
    {"case_id": C + "1", "community_id": C + "4", "team_id": C + "0", "closed_on": "2026-03-30"},
    build=lambda e: {**_ctx(e), "closed_on": e.on},
)
catalogue.publish(
    "Case.Merged",
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
    build=lambda e: {**_ctx(e), "into_case_id": e.target_id, "merged_on": e.on},
)
catalogue.publish(
    "Case.Chased",
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
    build=lambda e: {
        **_ctx(e),
        "owner_id": e.owner_id,
        "due_on": e.due_on,
        "chased_on": e.chased_on,
    },
)
catalogue.publish(
    "Case.Reprimanded",
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
    build=lambda e: {
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


catalogue.publish(
    "VillageDecision.ResolutionPublished",
    "decision.resolution_published",
    _DECISION,
    "Step 5 of 四议两公开: the resolution was published (for the affairs disclosure).",
    _DECISION_EXAMPLE,
    build=_decision,
)
catalogue.publish(
    "VillageDecision.ResultPublished",
    "decision.result_published",
    _DECISION,
    "Step 6 of 四议两公开: the result of carrying it out was published.",
    _DECISION_EXAMPLE,
    build=_decision,
)
