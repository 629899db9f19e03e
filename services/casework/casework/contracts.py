"""Integration events casework publishes (docs/integration-events.md), declared in
``contracts.toml``; here, how each one's data is built from its domain event.

Names and fields of the agreed contracts are kept exactly; ``case.accepted``,
``case.refused``, ``case.answered`` and ``case.merged`` are added. No personal data travels:
residents' names and phones stay inside casework.
"""

from __future__ import annotations

from typing import Any

from shequ.contracts import Build, Catalogue, attributes


def _ctx(e: Any) -> dict[str, Any]:
    return {
        "case_id": str(e.originator_id),
        "community_id": e.ctx["community_id"],
        "team_id": e.ctx["team_id"],
    }


def _received(e: Any) -> dict[str, Any]:
    """The event's attributes of the same names; the two dates under the contract's names."""
    opened = catalogue.get("casework.case.opened", 1)
    return {
        **attributes(e, opened, "case_id"),
        "opened_on": e.received_on,
        "due_on": e.accept_due,
    }


def _decision(e: Any) -> dict[str, Any]:
    return {"decision_id": str(e.originator_id), **e.ctx, "published_on": e.on, "text": e.text}


BUILDS: dict[str, Build] = {
    "Case.Received": _received,
    "Case.Accepted": lambda e: {**_ctx(e), "accepted_on": e.on, "due_on": e.due_on},
    "Case.Refused": lambda e: {**_ctx(e), "refused_on": e.on, "reason_code": e.reason_code},
    "Case.Assigned": lambda e: {**_ctx(e), "work_group": e.work_group, "owner_id": e.owner_id},
    "Case.Resolved": lambda e: {
        **_ctx(e),
        "case_type": e.ctx["case_type"],
        "resolved_on": e.on,
        "due_on": e.due_on,
        "on_time": e.on_time,
    },
    "Case.Answered": lambda e: {**_ctx(e), "answered_on": e.on},
    "Case.Rated": lambda e: {**_ctx(e), "rating": e.rating, "rated_on": e.on},
    "Case.Reopened": lambda e: {**_ctx(e), "reopened_on": e.on},
    "Case.Closed": lambda e: {**_ctx(e), "closed_on": e.on},
    "Case.Merged": lambda e: {**_ctx(e), "into_case_id": e.target_id, "merged_on": e.on},
    "Case.Chased": lambda e: {
        **_ctx(e),
        "owner_id": e.owner_id,
        "due_on": e.due_on,
        "chased_on": e.chased_on,
    },
    "Case.Reprimanded": lambda e: {
        **_ctx(e),
        "owner_id": e.owner_id,
        "due_on": e.due_on,
        "reprimanded_on": e.reprimanded_on,
    },
    "VillageDecision.ResolutionPublished": _decision,
    "VillageDecision.ResultPublished": _decision,
}

catalogue = Catalogue.declared("casework", BUILDS)
translate = catalogue.translate
