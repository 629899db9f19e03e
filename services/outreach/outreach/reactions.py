"""Reactions to registry's and casework's integration events (``shequ.reactions``).

Each reaction loads through the inbox's unit (``unit.get``) and returns the aggregates it changed;
the inbox saves them with the tracking record in one transaction, so an envelope takes effect
exactly once. Every mirror update also checks that it changes something, so a replayed fact is
a no-op, and card contents are compared before a version is issued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from shequ.inbox import Unit
from shequ.reactions import Changed, Data, Reactions, Received

from outreach.base import OutreachBase
from outreach.cards import CardIssuer
from outreach.domain import Directory, Household, Opinion, Place, Resident
from outreach.interests import CASEWORK, REGISTRY

log = logging.getLogger(__name__)


class RegistryReactions(Reactions):
    """Keeps outreach's view of communities, teams, households and links, and re-issues cards."""

    upstream = "registry"
    interests = REGISTRY
    app: OutreachBase

    # -- places ----------------------------------------------------------------------------
    def _directory(self, unit: Unit, community_id: str, actor: dict[str, Any]) -> Directory:
        found = unit.get(Directory.create_id(community_id))
        return found if found is not None else Directory(community_id, actor)

    def on_community_established(self, d: Data, unit: Unit, msg: Received) -> Changed:
        directory = self._directory(unit, d["community_id"], msg.actor)
        if directory.name != d["name"]:
            directory.named(d["name"], msg.actor)
        return [directory]

    def on_village_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
        if unit.get(Place.create_id("village", d["village_id"])) is not None:
            return []
        return [Place("village", d["village_id"], d["community_id"], d["name"], msg.actor)]

    def on_village_moved(self, d: Data, unit: Unit, msg: Received) -> Changed:
        place = unit.get(Place.create_id("village", d["village_id"]))
        if place is None or place.community_id == d["to_community_id"]:
            return []
        place.moved(d["to_community_id"], d["effective_date"], msg.actor)
        unit.add([place])
        cards = CardIssuer(self.app, unit, msg.actor, "village_moved")
        ids = cards.candidate_ids("village_id", d["village_id"])
        if len(ids) > self.app.settings.inline_reissue_limit:
            return [place]  # the background re-issuer moves them in chunks (cards.moves_pending)
        households = cards.load(ids, "village_id", d["village_id"])
        for household in households:
            household.moved(d["to_community_id"], d["effective_date"], msg.actor)
        cards.reissue(households)
        return [place, *households]

    # -- persons ---------------------------------------------------------------------------
    def on_person_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
        if unit.get(Resident.create_id(d["person_id"])) is not None:
            return []
        return [
            Resident(d["person_id"], d["name"], d["phone"], "party_member" in d["kinds"], msg.actor)
        ]

    def on_person_phone_changed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        person = unit.get(Resident.create_id(d["person_id"]))
        if person is None or person.phone == d["phone"]:
            return []
        person.phone_changed(d["phone"], msg.actor)
        unit.add([person])  # the issuer reads the member through the unit
        cards = CardIssuer(self.app, unit, msg.actor, "party_member_phone_changed")
        return [person, *cards.reissue(cards.households_where("party_member_id", d["person_id"]))]

    def on_person_became_party_member(self, d: Data, unit: Unit, msg: Received) -> Changed:
        person = unit.get(Resident.create_id(d["person_id"]))
        if person is None or person.party_member:
            return []
        person.became_party_member(msg.actor)
        return [person]

    # -- households and links --------------------------------------------------------------
    def on_household_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
        if unit.get(Household.create_id(d["household_id"])) is not None:
            return []
        village = unit.get(Place.create_id("village", d["village_id"]))
        if village is None:
            raise LookupError(
                f"village {d['village_id']} of household {d['household_id']} is unknown to outreach"
            )
        household = Household(
            d["household_id"],
            d["village_id"],
            village.community_id,
            d["head_id"],
            d["address"],
            msg.actor,
        )
        CardIssuer(self.app, unit, msg.actor, "household_registered").reissue([household])
        return [household]

    def on_party_member_household_linked(self, d: Data, unit: Unit, msg: Received) -> Changed:
        household = unit.get(Household.create_id(d["household_id"]))
        if household is None or household.party_member_id == d["party_member_id"]:
            return []
        household.linked(d["party_member_id"], d["since"], msg.actor)
        CardIssuer(self.app, unit, msg.actor, "household_linked").reissue([household])
        return [household]

    def on_party_member_household_unlinked(self, d: Data, unit: Unit, msg: Received) -> Changed:
        household = unit.get(Household.create_id(d["household_id"]))
        if household is None or not household.unlink(d["party_member_id"], d["until"], msg.actor):
            return []
        CardIssuer(self.app, unit, msg.actor, "household_unlinked").reissue([household])
        return [household]

    # -- the service team ------------------------------------------------------------------
    def on_team_formed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        if unit.get(Place.create_id("team", d["team_id"])) is not None:
            return []
        directory = self._directory(unit, d["community_id"], msg.actor)
        directory.team_formed(d["team_id"], d["name"], d["groups"], msg.actor)
        return [
            Place("team", d["team_id"], d["community_id"], d["name"], msg.actor),
            directory,
        ]

    def _team_change(
        self,
        unit: Unit,
        team_id: str,
        actor: dict[str, Any],
        reason: str,
        change: Callable[[Directory], bool],
    ) -> Changed:
        place = unit.get(Place.create_id("team", team_id))
        if place is None:
            raise LookupError(f"team {team_id} is unknown to outreach")
        directory = self._directory(unit, place.community_id, actor)
        if not change(directory):
            return []
        unit.add([directory])  # the issuer reads the directory through the unit
        if not directory.revise_section(actor):
            return [directory]  # nobody shown on the cards changed
        cards = CardIssuer(self.app, unit, actor, reason)
        ids = cards.candidate_ids("community_id", place.community_id)
        if len(ids) > self.app.settings.inline_reissue_limit:
            # Too many for one transaction: the re-issuer takes them in chunks (cards.pending).
            return [directory]
        households = cards.load(ids, "community_id", place.community_id)
        return [directory, *cards.reissue(households)]

    def on_team_leader_appointed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        def change(directory: Directory) -> bool:
            if directory.leader_id == d["person_id"]:
                return False
            directory.leader_appointed(d["person_id"], msg.actor)
            return True

        return self._team_change(unit, d["team_id"], msg.actor, "team_leader_appointed", change)

    def on_team_member_joined(self, d: Data, unit: Unit, msg: Received) -> Changed:
        def change(directory: Directory) -> bool:
            if d["person_id"] in directory.members:
                return False
            directory.member_joined(
                d["person_id"],
                d["group"],
                d["name"],
                d["phone"],
                d["duties"],
                d["since"],
                msg.actor,
            )
            return True

        return self._team_change(unit, d["team_id"], msg.actor, "team_member_joined", change)

    def on_team_member_left(self, d: Data, unit: Unit, msg: Received) -> Changed:
        def change(directory: Directory) -> bool:
            if d["person_id"] not in directory.members:
                return False
            directory.member_left(d["person_id"], msg.actor)
            return True

        return self._team_change(unit, d["team_id"], msg.actor, "team_member_left", change)

    def on_team_member_phone_changed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return self._member_change(d, unit, msg, "phone", lambda dr: dr.phone_changed)

    def on_team_member_duties_changed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return self._member_change(d, unit, msg, "duties", lambda dr: dr.duties_changed)

    def _member_change(
        self,
        d: Data,
        unit: Unit,
        msg: Received,
        field: str,
        record: Callable[[Directory], Callable[[str, Any, dict[str, Any]], None]],
    ) -> Changed:
        """A team member's ``field`` changed in the registry: ``record`` it on the directory
        unless the member is unknown or the directory already shows the new value."""

        def change(directory: Directory) -> bool:
            member = directory.members.get(d["person_id"])
            if member is None or member[field] == d[field]:
                return False
            record(directory)(d["person_id"], d[field], msg.actor)
            return True

        reason = f"team_member_{field}_changed"
        return self._team_change(unit, d["team_id"], msg.actor, reason, change)


class CaseworkReactions(Reactions):
    """casework.case.opened: record the case id against the opinion it came from."""

    upstream = "casework"
    interests = CASEWORK

    def on_case_opened(self, d: Data, unit: Unit, msg: Received) -> Changed:
        origin = d.get("origin_opinion_id")
        if not origin:
            return []
        opinion_id = _uuid(origin)
        opinion = unit.get(opinion_id) if opinion_id is not None else None
        if not isinstance(opinion, Opinion):
            log.warning(
                "case %s names opinion %s, which outreach does not have", d["case_id"], origin
            )
            return []
        if not opinion.case_opened(d["case_id"], d["opened_on"], msg.actor):
            if opinion.case_id != d["case_id"]:
                log.warning(
                    "opinion %s already has case %s; case %s not recorded",
                    origin,
                    opinion.case_id,
                    d["case_id"],
                )
            return []
        return [opinion]


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
