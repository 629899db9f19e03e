"""Read models of the registry, fed in order from its own notification log.

Every handler is an idempotent upsert keyed by ids, so applying an event twice leaves the same
rows (the projector also commits its position with the rows, so it normally applies once).
"""

from __future__ import annotations

from typing import Any

from shequ.privacy import mask_name
from shequ.projection import Handlers, upsert
from shequ.readlog import store_read
from sqlalchemy import MetaData, Table, delete, select, update
from sqlalchemy.orm import Session

from registry import tables as t
from registry.history import HistoryProjection


def _set(session: Session, table: Table, key: str, key_value: Any, **values: Any) -> None:
    session.execute(update(table).where(table.c[key] == key_value).values(**values))


def _id(event: Any) -> str:
    return str(event.originator_id)


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
    def on_District__OrganEstablished(self, s: Session, e: Any) -> None:
        upsert(s, t.organs, {"id": e.organ_id}, {"name": e.name, "kind": e.kind})

    def on_District__LeaderAppointed(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.district_roles,
            {"id": f"leader:{e.person_id}:{e.since}"},
            {
                "person_id": e.person_id,
                "role": "leader",
                "title": e.title,
                "since": e.since,
                "until": None,
            },
        )

    def on_District__LeadershipEnded(self, s: Session, e: Any) -> None:
        self._end_role(s, "leader", e.person_id, e.until)

    def on_District__CadreAssigned(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.district_roles,
            {"id": f"cadre:{e.person_id}:{e.since}"},
            {
                "person_id": e.person_id,
                "role": "cadre",
                "organ_id": e.organ_id,
                "community_id": e.community_id,
                "since": e.since,
                "until": None,
            },
        )

    def on_District__CadreReleased(self, s: Session, e: Any) -> None:
        self._end_role(s, "cadre", e.person_id, e.until)

    def _end_role(self, s: Session, role: str, person_id: str, until: str) -> None:
        r = t.district_roles
        s.execute(
            update(r)
            .where(r.c.person_id == person_id, r.c.role == role, r.c.until.is_(None))
            .values(until=until)
        )

    # -- communities, villages, organisations ----------------------------------------------
    def on_Community__Established(self, s: Session, e: Any) -> None:
        upsert(s, t.communities, {"id": _id(e)}, {"name": e.name, "name_en": e.name_en})

    def on_Community__TeamFormed(self, s: Session, e: Any) -> None:
        _set(s, t.communities, "id", _id(e), team_id=e.team_id)

    def on_Village__Registered(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.villages,
            {"id": _id(e)},
            {
                "name": e.name,
                "community_id": e.community_id,
                "since": e.registered_on,
                "sample": e.sample,
            },
        )

    def on_Village__VillageMoved(self, s: Session, e: Any) -> None:
        _set(s, t.villages, "id", _id(e), community_id=e.to_community_id, since=e.effective_date)
        _set(s, t.organisations, "village_id", _id(e), community_id=e.to_community_id)

    def on_PartyOrganisation__Established(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.organisations,
            {"id": _id(e)},
            {
                "kind": e.kind,
                "name": e.name,
                "community_id": e.community_id,
                "village_id": e.village_id,
                "parent_id": e.parent_id,
            },
        )

    def on_PartyOrganisation__Appointed(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.appointments,
            {"id": e.appointment_id},
            {
                "organisation_id": _id(e),
                "person_id": e.person_id,
                "post": e.post,
                "basis": e.basis,
                "since": e.since,
                "until": None,
            },
        )

    def on_PartyOrganisation__AppointmentEnded(self, s: Session, e: Any) -> None:
        _set(s, t.appointments, "id", e.appointment_id, until=e.until)

    # -- persons and households -------------------------------------------------------------
    def on_Person__Registered(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.persons,
            {"id": _id(e)},
            {
                "name": e.name,
                "gender": e.gender,
                "id_number": e.id_number,
                "phone": e.phone,
                "village_id": e.village_id,
                "party_member": "party_member" in e.kinds,
                "sample": e.sample,
            },
        )

    def on_Person__PhoneChanged(self, s: Session, e: Any) -> None:
        _set(s, t.persons, "id", _id(e), phone=e.phone)

    def on_Person__BecamePartyMember(self, s: Session, e: Any) -> None:
        _set(s, t.persons, "id", _id(e), party_member=True)

    def on_Household__Registered(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.households,
            {"id": _id(e)},
            {
                "village_id": e.village_id,
                "head_id": e.head_id,
                "address": e.address,
                "sample": e.sample,
            },
        )
        upsert(
            s,
            t.household_members,
            {"household_id": _id(e), "person_id": e.head_id},
            {"relation": "head", "since": e.since},
        )

    def on_Household__MemberAdded(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.household_members,
            {"household_id": _id(e), "person_id": e.person_id},
            {"relation": e.relation, "since": e.since},
        )

    def on_Household__MemberRemoved(self, s: Session, e: Any) -> None:
        m = t.household_members
        s.execute(delete(m).where(m.c.household_id == _id(e), m.c.person_id == e.person_id))

    # -- service teams ---------------------------------------------------------------------
    def on_ServiceTeam__Formed(self, s: Session, e: Any) -> None:
        upsert(s, t.teams, {"id": _id(e)}, {"community_id": e.community_id, "name": e.name})

    def on_ServiceTeam__LeaderAppointed(self, s: Session, e: Any) -> None:
        _set(s, t.teams, "id", _id(e), leader_id=e.person_id)

    def on_ServiceTeam__MemberJoined(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.team_members,
            {"team_id": _id(e), "person_id": e.person_id},
            {
                "group_key": e.group,
                "name": e.name,
                "phone": e.phone,
                "duties": e.duties,
                "since": e.since,
            },
        )

    def on_ServiceTeam__MemberLeft(self, s: Session, e: Any) -> None:
        m = t.team_members
        s.execute(delete(m).where(m.c.team_id == _id(e), m.c.person_id == e.person_id))
        s.execute(
            update(t.teams)
            .where(t.teams.c.id == _id(e), t.teams.c.leader_id == e.person_id)
            .values(leader_id=None)
        )

    def on_ServiceTeam__MemberPhoneChanged(self, s: Session, e: Any) -> None:
        self._member(s, e, phone=e.phone)

    def on_ServiceTeam__MemberDutiesChanged(self, s: Session, e: Any) -> None:
        self._member(s, e, duties=e.duties)

    def _member(self, s: Session, e: Any, **values: Any) -> None:
        m = t.team_members
        s.execute(
            update(m).where(m.c.team_id == _id(e), m.c.person_id == e.person_id).values(**values)
        )

    # -- zones and links -------------------------------------------------------------------
    def on_ResponsibilityZone__Assigned(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.zones,
            {"id": _id(e)},
            {
                "party_member_id": e.party_member_id,
                "community_id": e.community_id,
                "village_id": e.village_id,
                "name": e.name,
                "description": e.description,
            },
        )

    def on_ResponsibilityZone__HouseholdLinked(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.links,
            {"household_id": e.household_id},
            {"zone_id": _id(e), "party_member_id": e.party_member_id, "since": e.since},
        )

    def on_ResponsibilityZone__HouseholdUnlinked(self, s: Session, e: Any) -> None:
        s.execute(
            delete(t.links).where(
                t.links.c.household_id == e.household_id, t.links.c.zone_id == _id(e)
            )
        )

    # -- archives and data reads -----------------------------------------------------------
    def on_Archive__Opened(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.archives,
            {"id": _id(e)},
            {
                "subject_kind": e.subject_kind,
                "subject_id": e.subject_id,
                "community_id": e.community_id,
            },
        )

    def on_Archive__EntryRecorded(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.archive_entries,
            {"entry_id": e.entry_id},
            {
                "archive_id": _id(e),
                "entry_date": e.entry_date,
                "title": e.title,
                "content": e.content,
                "retention": e.retention,
                "corrects": e.corrects,
                "recorded_at": e.timestamp.isoformat(),
                "seq": e.originator_version,
            },
        )

    def on_PersonalDataAccess__PersonalDataRead(self, s: Session, e: Any) -> None:
        """A ``reveal_personal_data`` read joins the platform's list of reads (readlog)."""
        name = (
            s.execute(select(t.persons.c.name).where(t.persons.c.id == e.subject_id)).scalar() or ""
        )
        store_read(
            s,
            {
                "read_id": _id(e),
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
