"""Inbox handlers: what casework does with the registry's and outreach's integration events.

Each handler is ``handle(envelope, unit) -> aggregates``; the platform records the upstream
position in the same transaction (exactly once in effect). The contracts read are casework's own
copies (``interests``, validated on receipt); no other service is imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from shequ.inbox import Handler, Unit

from casework.domain import Case, Community, Household, Team, Village
from casework.domain.common import natural_id
from casework.domain.vocabulary import CATEGORIES
from casework.intake import team_of

Apply = Callable[[dict[str, Any], Unit], list[Any]]


def _registry_rules() -> dict[str, Apply]:  # noqa: C901 - a table: one small rule per event
    def community(d: dict[str, Any], u: Unit) -> list[Any]:
        if u.get(Community.create_id(d["community_id"])) is not None:
            return []
        return [
            Community(
                id=Community.create_id(d["community_id"]),  # type: ignore[call-arg]
                community_id=d["community_id"],
                name=d["name"],
            )
        ]

    def village(d: dict[str, Any], u: Unit) -> list[Any]:
        if u.get(Village.create_id(d["village_id"])) is not None:
            return []
        return [
            Village(
                id=Village.create_id(d["village_id"]),  # type: ignore[call-arg]
                village_id=d["village_id"],
                community_id=d["community_id"],
                name=d["name"],
            )
        ]

    def moved(d: dict[str, Any], u: Unit) -> list[Any]:
        v = u.get(Village.create_id(d["village_id"]))
        if v is None:
            return []
        v.move(d["to_community_id"], d["effective_date"])
        return [v]

    def household(d: dict[str, Any], u: Unit) -> list[Any]:
        if u.get(Household.create_id(d["household_id"])) is not None:
            return []
        return [
            Household(
                id=Household.create_id(d["household_id"]),  # type: ignore
                household_id=d["household_id"],
                village_id=d["village_id"],
                head_id=d["head_id"],
            )
        ]

    def member(add: bool) -> Apply:
        def apply(d: dict[str, Any], u: Unit) -> list[Any]:
            h = u.get(Household.create_id(d["household_id"]))
            if h is None:
                return []
            (h.add_member if add else h.remove_member)(d["person_id"])
            return [h]

        return apply

    def team(d: dict[str, Any], u: Unit) -> list[Any]:
        if u.get(Team.create_id(d["team_id"])) is not None:
            return []
        return [
            Team(
                id=Team.create_id(d["team_id"]),  # type: ignore[call-arg]
                team_id=d["team_id"],
                community_id=d["community_id"],
                name=d["name"],
            )
        ]

    def team_change(change: Callable[[Team, dict[str, Any]], None]) -> Apply:
        def apply(d: dict[str, Any], u: Unit) -> list[Any]:
            tm = u.get(Team.create_id(d["team_id"]))
            if tm is None:
                return []
            change(tm, d)
            return [tm]

        return apply

    return {
        "registry.community.established": community,
        "registry.village.registered": village,
        "registry.village.moved": moved,
        "registry.household.registered": household,
        "registry.household.member_added": member(True),
        "registry.household.member_removed": member(False),
        "registry.team.formed": team,
        "registry.team.member_joined": team_change(
            lambda tm, d: tm.join(d["person_id"], d["group"], d["name"], d["since"])
        ),
        "registry.team.member_left": team_change(
            lambda tm, d: tm.leave(d["person_id"], d["until"])
        ),
        "registry.team.leader_appointed": team_change(
            lambda tm, d: tm.appoint_leader(d["person_id"])
        ),
    }


def registry_handler(app: Any) -> Handler:
    rules = _registry_rules()

    def handle(envelope: dict[str, Any], unit: Unit) -> list[Any]:
        rule = rules.get(envelope["contract"])
        return rule(envelope["data"], unit) if rule else []

    return handle


INTAKE_ACTOR = {"person_id": "system:outreach-inbox", "role": "system"}
# Outreach's opinion categories (意见类别) name the kind of matter; casework's own category keys
# are accepted too.
OPINION_KINDS = {
    "demand": ("demand", "other"),
    "suggestion": ("suggestion", "other"),
    "opinion": ("suggestion", "other"),
    "dispute": ("dispute", "neighbour_dispute"),
}


def opinion_kind(category: str) -> tuple[str, str]:
    """(case type, casework category) for an opinion's category."""
    if category in OPINION_KINDS:
        return OPINION_KINDS[category]
    if category in CATEGORIES:
        return (
            "dispute"
            if CATEGORIES[category][0] == "mediation" and category != "petition"
            else "demand",
            category,
        )
    return "demand", "other"


def collected_day(collected_on: Any, today: str) -> str:
    """The day an opinion was collected, as the day its case was received: outreach's record of
    the visit, so not bounded like a date typed in by staff; today if it is missing, malformed
    or ahead of this service's clock."""
    try:
        day = dt.date.fromisoformat(str(collected_on)).isoformat()
    except ValueError:
        return today
    return min(day, today)


def opinion_case_id(opinion_id: str) -> Any:
    return natural_id("opinion", opinion_id)


def outreach_handler(app: Any) -> Handler:
    """Each collected opinion becomes exactly one case (id from the opinion id), accepted and
    routed to the community's work group for its category."""

    def handle(envelope: dict[str, Any], unit: Unit) -> list[Any]:
        if envelope["contract"] != "outreach.opinion.collected":
            return []
        d = envelope["data"]
        case_id = opinion_case_id(d["opinion_id"])
        if unit.get(case_id) is not None:
            return []  # the same opinion again (another position): still one case
        case_type, category = opinion_kind(d["category"])
        rows = app.directory()  # the registry's facts as stored before this envelope
        p = {
            "case_type": case_type,
            "category": category,
            "channel": d["channel"],
            "community_id": d["community_id"],
            "village_id": d["village_id"],
            "household_id": d["household_id"],
            "title": d["text"][:60],
            "description": d["text"],
            "place": "",
            "resident": {"name": "", "phone": ""},
            "reported_person_ids": [],
            "petition": None,
            "origin_opinion_id": d["opinion_id"],
            # an opinion may arrive before the registry's facts: the case is kept anyway
            "team_id": team_of(app, d["community_id"], rows),
            # raised on the visit: received that day (never after our own today)
            "received_on": collected_day(d.get("collected_on"), app.today()),
        }
        case: Case = app.build_case(case_id, p, {**INTAKE_ACTOR, "collected_by": d["collected_by"]})
        app.accept_and_route(case, None, INTAKE_ACTOR, rows)
        # later intakes of the same matter are flagged as duplicates of this case
        keys = app.intake_keys(d["community_id"], category, d["household_id"], "", unit.get)
        for k in keys:
            k.note(str(case.id), case.received_on)
        return [case, *keys]

    return handle
