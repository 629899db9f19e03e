"""Upstream facts as their publishers' contracts carry them, for the tests of the services that
read them (``docs/integration-events.md``)."""

from __future__ import annotations

from typing import Any


def case_opened(case_id: str, community_id: str, opened_on: str, **more: Any) -> dict[str, Any]:
    """``casework.case.opened``'s data: a demand about roads taken on a visit in
    ``community_id``, at no village or household, with no due date and from no opinion, but
    for what ``more`` says."""
    return {
        "case_id": case_id,
        "case_type": "demand",
        "category": "道路",
        "channel": "visit",
        "community_id": community_id,
        "village_id": None,
        "household_id": None,
        "opened_on": opened_on,
        "due_on": None,
        "origin_opinion_id": None,
        **more,
    }
