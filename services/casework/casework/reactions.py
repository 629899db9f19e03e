"""Reactions: what casework does with the registry's and outreach's integration events.

One ``shequ.reactions.Reactions`` class per upstream, a method per contract read, returning the
aggregates it changed; the platform records the upstream position in the same transaction
(exactly once in effect). The contracts read are casework's own
copies (``interests``, validated on receipt); no other service is imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from shequ.inbox import Unit
from shequ.reactions import Changed, Data, Reactions, Received

from casework.domain import Case, Community, Household, Team, Village
from casework.domain.common import natural_id
from casework.domain.vocabulary import CATEGORIES
from casework.intake import team_of
from casework.interests import OUTREACH, REGISTRY


class RegistryReactions(Reactions):
    """The registry's facts casework keeps: communities, villages (and moves), households and
    their members, service teams and their members."""

    upstream = "registry"
    interests = REGISTRY

    def on_community_established(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return _copy(unit, Community, d["community_id"], name=d["name"])

    def on_village_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return _copy(unit, Village, d["village_id"], community_id=d["community_id"], name=d["name"])

    def on_village_moved(self, d: Data, unit: Unit, msg: Received) -> Changed:
        village = unit.get(Village.create_id(d["village_id"]))
        if village is None:
            return []
        village.move(d["to_community_id"], d["effective_date"])
        return [village]

    def on_household_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return _copy(
            unit, Household, d["household_id"], village_id=d["village_id"], head_id=d["head_id"]
        )

    def on_household_member_added(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return self._household(unit, d, lambda h: h.add_member(d["person_id"]))

    def on_household_member_removed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return self._household(unit, d, lambda h: h.remove_member(d["person_id"]))

    def on_team_formed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return _copy(unit, Team, d["team_id"], community_id=d["community_id"], name=d["name"])

    def on_team_member_joined(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return self._team(
            unit, d, lambda tm: tm.join(d["person_id"], d["group"], d["name"], d["since"])
        )

    def on_team_member_left(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return self._team(unit, d, lambda tm: tm.leave(d["person_id"], d["until"]))

    def on_team_leader_appointed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return self._team(unit, d, lambda tm: tm.appoint_leader(d["person_id"]))

    @staticmethod
    def _household(unit: Unit, d: Data, change: Callable[[Household], None]) -> Changed:
        return _known(unit, Household.create_id(d["household_id"]), change)

    @staticmethod
    def _team(unit: Unit, d: Data, change: Callable[[Team], None]) -> Changed:
        return _known(unit, Team.create_id(d["team_id"]), change)


def _known(unit: Unit, agg_id: Any, change: Callable[[Any], None]) -> Changed:
    """Change casework's copy of a household or team; one it has not learned of yet (its
    upstream fact not received) is left as it is: nothing changes."""
    copy = unit.get(agg_id)
    if copy is None:
        return []
    change(copy)
    return [copy]


def _copy(unit: Unit, kind: Any, key: str, **fields: Any) -> Changed:
    """Casework's copy of an upstream fact (a community, village, household or team), created
    once: the same fact again changes nothing. Its key field is named after the kind."""
    agg_id = kind.create_id(key)
    if unit.get(agg_id) is not None:
        return []
    return [kind(id=agg_id, **{f"{kind.__name__.lower()}_id": key}, **fields)]


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


class OutreachReactions(Reactions):
    """Each collected opinion becomes exactly one case (id from the opinion id), accepted and
    routed to the community's work group for its category."""

    upstream = "outreach"
    interests = OUTREACH

    def on_opinion_collected(self, d: Data, unit: Unit, msg: Received) -> Changed:
        app = self.app
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
