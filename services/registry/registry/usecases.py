"""The registry's use cases: one row each, with its command, handler and who may call it.

district staff act district-wide; community staff within their own community; service-team
members (and the party member linked to a household) on what is assigned to them; residents on
their own household; auditors read only; the system (seed, other services) everywhere. From
this table come the RPC entrypoints, the application's policy, ``shequ call registry --help``
and the README's method table.
"""

from __future__ import annotations

from shequ.auth import COMMUNITY, DISTRICT, READ, TEAM
from shequ.readlog import READS_ROLES, PersonalDataReadsQuery, personal_data_reads
from shequ.usecases import UseCase, UseCases

from registry.archives import ArchiveQuery, RecordArchiveEntry, archive, record_archive_entry
from registry.committees import (
    CommitteeQuery,
    ElectCommitteeMember,
    EndCommitteePost,
    elect_committee_member,
    end_committee_post,
    villagers_committee,
)
from registry.communities import (
    EstablishCommunity,
    ListCommunities,
    MoveVillage,
    RegisterVillage,
    communities,
    establish_community,
    move_village,
    register_village,
)
from registry.district import (
    AppointDistrictLeader,
    AssignCadre,
    EndDistrictLeadership,
    EstablishDistrict,
    EstablishOrgan,
    ReleaseCadre,
    appoint_district_leader,
    assign_cadre,
    end_district_leadership,
    establish_district,
    establish_organ,
    release_cadre,
)
from registry.households import (
    AddHouseholdMember,
    HouseholdHistory,
    HouseholdQuery,
    RegisterHousehold,
    RemoveHouseholdMember,
    add_household_member,
    household,
    household_history,
    register_household,
    remove_household_member,
)
from registry.party import (
    Appoint,
    EndAppointment,
    EstablishOrganisation,
    OrganisationChart,
    appoint,
    end_appointment,
    establish_organisation,
    organisation_chart,
)
from registry.people import (
    ChangePersonPhone,
    PersonHistory,
    RecordPartyMembership,
    RegisterPerson,
    RevealPersonalData,
    change_person_phone,
    person_history,
    record_party_membership,
    register_person,
    reveal_personal_data,
)
from registry.teams import (
    AddTeamMember,
    AppointTeamLeader,
    ChangeTeamMemberDuties,
    ChangeTeamMemberPhone,
    FormTeam,
    RemoveTeamMember,
    TeamMemberships,
    TeamRoster,
    add_team_member,
    appoint_team_leader,
    change_team_member_duties,
    change_team_member_phone,
    form_team,
    remove_team_member,
    team_memberships,
    team_roster,
)
from registry.zones import (
    AssignZone,
    LinkHousehold,
    MembersBelowMinimum,
    UnlinkHousehold,
    assign_zone,
    link_household,
    members_below_minimum,
    unlink_household,
)

STAFF = {"district_staff": "all", "community_staff": "community"}

USE_CASES = UseCases(
    "registry",
    # district, organs, leadership, communities, villages
    UseCase(EstablishDistrict, establish_district, DISTRICT),
    UseCase(AppointDistrictLeader, appoint_district_leader, DISTRICT),
    UseCase(EndDistrictLeadership, end_district_leadership, DISTRICT),
    UseCase(EstablishOrgan, establish_organ, DISTRICT),
    UseCase(AssignCadre, assign_cadre, DISTRICT),
    UseCase(ReleaseCadre, release_cadre, DISTRICT),
    UseCase(EstablishCommunity, establish_community, DISTRICT),
    UseCase(RegisterVillage, register_village, DISTRICT),
    UseCase(MoveVillage, move_village, DISTRICT),
    # party organisations and posts
    UseCase(EstablishOrganisation, establish_organisation, COMMUNITY),
    UseCase(Appoint, appoint, DISTRICT),
    UseCase(EndAppointment, end_appointment, DISTRICT),
    # villagers' committees
    UseCase(ElectCommitteeMember, elect_committee_member, COMMUNITY),
    UseCase(EndCommitteePost, end_committee_post, COMMUNITY),
    # persons, households, archives
    UseCase(RegisterPerson, register_person, COMMUNITY),
    UseCase(ChangePersonPhone, change_person_phone, COMMUNITY),
    UseCase(RecordPartyMembership, record_party_membership, COMMUNITY),
    UseCase(RegisterHousehold, register_household, COMMUNITY),
    UseCase(AddHouseholdMember, add_household_member, COMMUNITY),
    UseCase(RemoveHouseholdMember, remove_household_member, COMMUNITY),
    UseCase(RecordArchiveEntry, record_archive_entry, TEAM),
    UseCase(RevealPersonalData, reveal_personal_data, STAFF),
    # service teams, zones, household links
    UseCase(FormTeam, form_team, COMMUNITY),
    UseCase(AppointTeamLeader, appoint_team_leader, COMMUNITY),
    UseCase(AddTeamMember, add_team_member, COMMUNITY),
    UseCase(RemoveTeamMember, remove_team_member, COMMUNITY),
    UseCase(ChangeTeamMemberPhone, change_team_member_phone, TEAM),
    UseCase(ChangeTeamMemberDuties, change_team_member_duties, COMMUNITY),
    UseCase(AssignZone, assign_zone, COMMUNITY),
    UseCase(LinkHousehold, link_household, COMMUNITY),
    UseCase(UnlinkHousehold, unlink_household, COMMUNITY),
    # queries
    UseCase(ListCommunities, communities, {**DISTRICT, "auditor": "all"}, reads=True),
    UseCase(OrganisationChart, organisation_chart, READ, reads=True),
    UseCase(CommitteeQuery, villagers_committee, READ, reads=True),
    UseCase(TeamRoster, team_roster, READ, reads=True),
    UseCase(
        TeamMemberships,
        team_memberships,
        {**DISTRICT, "team_member": "assigned", "auditor": "all"},
        reads=True,
    ),
    UseCase(HouseholdQuery, household, {**READ, "resident": "household"}, reads=True),
    UseCase(HouseholdHistory, household_history, {**READ, "resident": "household"}, reads=True),
    UseCase(PersonHistory, person_history, READ, reads=True),
    UseCase(ArchiveQuery, archive, READ, reads=True),
    UseCase(
        MembersBelowMinimum, members_below_minimum, {**COMMUNITY, "auditor": "all"}, reads=True
    ),
    UseCase(PersonalDataReadsQuery, personal_data_reads, READS_ROLES, reads=True),
)
