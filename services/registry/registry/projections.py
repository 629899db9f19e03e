"""Read models of the registry, fed in order from its own notification log.

Every handler is an idempotent upsert keyed by ids, so applying an event twice leaves the same
rows (the projector also commits its position with the rows, so it normally applies once).
"""

from __future__ import annotations

from typing import Any

from shequ.privacy import mask_name
from shequ.projection import ID, Delete, Handlers, Update, Upsert
from shequ.readlog import store_read
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from registry import tables as t
from registry.history import HistoryProjection

_MEMBER = {"team_id": ID, "person_id": "person_id"}
_HOUSEHOLD = Upsert(t.households, {"id": ID}, "village_id", "head_id", "address", "sample")
_HEAD = Upsert(
    t.household_members,
    {"household_id": ID, "person_id": "head_id"},
    "since",
    relation=lambda e: "head",
)

_VILLAGE_MOVED = Update(
    t.villages, {"id": ID}, community_id="to_community_id", since="effective_date"
)
_ORGANISATIONS_MOVED = Update(t.organisations, {"village_id": ID}, community_id="to_community_id")
_MEMBER_LEFT = Delete(t.team_members, _MEMBER)
_LEADER_LEFT = Update(t.teams, {"id": ID, "leader_id": "person_id"}, leader_id=None)


def _role_began(role: str, *columns: str) -> Upsert:
    """A person's leadership or cadre record (``role``) from a day, with its ``columns``."""
    return Upsert(
        t.district_roles,
        {"id": lambda e: f"{role}:{e.person_id}:{e.since}"},
        "person_id",
        "since",
        *columns,
        role=lambda e: role,
        until=None,
    )


def _role_ended(role: str) -> Update:
    """The person's open leadership or cadre record (``role``) ends."""
    return Update(
        t.district_roles, {"person_id": "person_id", "role": lambda e: role, "until": None}, "until"
    )


class RegistryProjection(Handlers):
    """Tables for the organisation chart, rosters, households, links, archives, data reads."""

    name = "registry"
    metadata: MetaData = t.metadata

    def __init__(self) -> None:
        super().__init__()
        self.history = HistoryProjection()

    def apply(self, session: Session, event: Any) -> None:
        """The current state's rows, then the dated history's (``registry.history``)."""
        super().apply(session, event)
        self.history.apply(session, event)

    # -- district --------------------------------------------------------------------------
    on_District__OrganEstablished = Upsert(t.organs, {"id": "organ_id"}, "name", "kind")
    on_District__LeaderAppointed = _role_began("leader", "title")
    on_District__CadreAssigned = _role_began("cadre", "organ_id", "community_id")
    on_District__LeadershipEnded = _role_ended("leader")
    on_District__CadreReleased = _role_ended("cadre")

    # -- communities, villages, organisations ----------------------------------------------
    on_Community__Established = Upsert(t.communities, {"id": ID}, "name", "name_en")
    on_Community__TeamFormed = Update(t.communities, {"id": ID}, "team_id")
    on_Village__Registered = Upsert(
        t.villages, {"id": ID}, "name", "community_id", "sample", since="registered_on"
    )

    def on_Village__VillageMoved(self, s: Session, e: Any) -> None:
        _VILLAGE_MOVED(s, e)
        _ORGANISATIONS_MOVED(s, e)

    on_PartyOrganisation__Established = Upsert(
        t.organisations, {"id": ID}, "kind", "name", "community_id", "village_id", "parent_id"
    )
    on_PartyOrganisation__Appointed = Upsert(
        t.appointments,
        {"id": "appointment_id"},
        "person_id",
        "post",
        "basis",
        "since",
        organisation_id=ID,
        until=None,
    )
    on_PartyOrganisation__AppointmentEnded = Update(
        t.appointments, {"id": "appointment_id"}, "until"
    )

    on_VillagersCommittee__PostTaken = Upsert(
        t.committee_posts,
        {"id": "appointment_id"},
        "village_id",
        "person_id",
        "post",
        "since",
        "term_ends",
        until=None,
    )
    on_VillagersCommittee__PostEnded = Update(t.committee_posts, {"id": "appointment_id"}, "until")

    # -- persons and households -------------------------------------------------------------
    on_Person__Registered = Upsert(
        t.persons,
        {"id": ID},
        "name",
        "gender",
        "id_number",
        "phone",
        "village_id",
        "sample",
        party_member=lambda e: "party_member" in e.kinds,
    )
    on_Person__PhoneChanged = Update(t.persons, {"id": ID}, "phone")
    on_Person__BecamePartyMember = Update(t.persons, {"id": ID}, party_member=lambda e: True)

    def on_Household__Registered(self, s: Session, e: Any) -> None:
        _HOUSEHOLD(s, e)
        _HEAD(s, e)

    on_Household__MemberAdded = Upsert(
        t.household_members, {"household_id": ID, "person_id": "person_id"}, "relation", "since"
    )
    on_Household__MemberRemoved = Delete(
        t.household_members, {"household_id": ID, "person_id": "person_id"}
    )

    # -- service teams ---------------------------------------------------------------------
    on_ServiceTeam__Formed = Upsert(t.teams, {"id": ID}, "community_id", "name")
    on_ServiceTeam__LeaderAppointed = Update(t.teams, {"id": ID}, leader_id="person_id")
    on_ServiceTeam__MemberJoined = Upsert(
        t.team_members, _MEMBER, "name", "phone", "duties", "since", group_key="group"
    )

    def on_ServiceTeam__MemberLeft(self, s: Session, e: Any) -> None:
        _MEMBER_LEFT(s, e)
        _LEADER_LEFT(s, e)

    on_ServiceTeam__MemberPhoneChanged = Update(t.team_members, _MEMBER, "phone")
    on_ServiceTeam__MemberDutiesChanged = Update(t.team_members, _MEMBER, "duties")

    # -- zones and links -------------------------------------------------------------------
    on_ResponsibilityZone__Assigned = Upsert(
        t.zones, {"id": ID}, "party_member_id", "community_id", "village_id", "name", "description"
    )
    on_ResponsibilityZone__HouseholdLinked = Upsert(
        t.links, {"household_id": "household_id"}, "party_member_id", "since", zone_id=ID
    )
    on_ResponsibilityZone__HouseholdUnlinked = Delete(
        t.links, {"household_id": "household_id", "zone_id": ID}
    )

    # -- archives and data reads -----------------------------------------------------------
    on_Archive__Opened = Upsert(
        t.archives, {"id": ID}, "subject_kind", "subject_id", "community_id"
    )
    on_Archive__EntryRecorded = Upsert(
        t.archive_entries,
        {"entry_id": "entry_id"},
        "entry_date",
        "title",
        "content",
        "retention",
        "corrects",
        archive_id=ID,
        recorded_at=lambda e: e.timestamp.isoformat(),
        seq="originator_version",
    )

    def on_PersonalDataAccess__PersonalDataRead(self, s: Session, e: Any) -> None:
        """A ``reveal_personal_data`` read joins the platform's list of reads (readlog)."""
        name = (
            s.execute(select(t.persons.c.name).where(t.persons.c.id == e.subject_id)).scalar() or ""
        )
        store_read(
            s,
            {
                "read_id": str(e.originator_id),
                "actor": e.actor,
                "use_case": "reveal_personal_data",
                "target_id": e.subject_id,
                "purpose": e.reason,
                "fields": e.fields,
                "subjects": {e.subject_id: mask_name(name)},
                "read_at": e.read_at,
            },
            "registry",
            None,
        )
