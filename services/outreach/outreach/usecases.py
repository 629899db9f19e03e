"""Every outreach use case: its command model, its handler, who may call it (roles × scope) and
whether it only reads. From this table come the RPC entrypoints (``outreach.service``), the
application's policy, ``shequ call outreach [METHOD] --help`` and the README's method table.

District staff act district-wide; community staff within their own community; service-team
members on what is assigned to them (their community's households, the rounds they are assigned
to); a party member acts as ``team_member`` on the households linked to them; residents read
their own household's card; auditors read only; the system (jobs, other services) everywhere.
"""

from __future__ import annotations

from shequ.auth import COMMUNITY, READ, TEAM
from shequ.readlog import READS_ROLES, PersonalDataReadsQuery, personal_data_reads
from shequ.usecases import UseCase, UseCases

from outreach import contact_cards as cards
from outreach import contacts, opinions, publicity, visits

OWN = {**READ, "resident": "household"}

USE_CASES = UseCases(
    "outreach",
    # contact cards
    UseCase(cards.RecordCardDistribution, cards.record_card_distribution, TEAM),
    # visit and survey rounds, opinions
    UseCase(visits.OpenRound, visits.open_round, COMMUNITY),
    UseCase(visits.LogVisit, visits.log_visit, TEAM),
    UseCase(visits.CloseRound, visits.close_round, COMMUNITY),
    UseCase(opinions.RecordOpinion, opinions.record_opinion, TEAM),
    # party-member household contact
    UseCase(contacts.LogPartyContact, contacts.log_party_contact, TEAM),
    UseCase(contacts.FlagOverdueContacts, contacts.flag_overdue_contacts, COMMUNITY),
    # publicity
    UseCase(publicity.LaunchCampaign, publicity.launch_campaign, COMMUNITY),
    UseCase(publicity.RecordSurvey, publicity.record_survey, TEAM),
    UseCase(publicity.PublishCampaignResults, publicity.publish_campaign_results, COMMUNITY),
    # queries
    UseCase(cards.CardQuery, cards.card, OWN, reads=True),
    UseCase(cards.CardHistory, cards.card_history, OWN, reads=True),
    UseCase(cards.CardPdf, cards.card_pdf, {**TEAM, "resident": "household"}, reads=True),
    UseCase(cards.VillageCardsPdf, cards.village_cards_pdf, TEAM, reads=True),
    UseCase(cards.VillageCards, cards.village_cards, READ, reads=True),
    UseCase(visits.RoundCoverage, visits.round_coverage, READ, reads=True),
    UseCase(visits.Coverage, visits.coverage, READ, reads=True),
    UseCase(visits.HouseholdsMissed, visits.households_missed, READ, reads=True),
    UseCase(opinions.OpinionsQuery, opinions.opinions, READ, reads=True),
    UseCase(contacts.ContactStatus, contacts.contact_status, READ, reads=True),
    UseCase(publicity.CampaignResults, publicity.campaign_results, READ, reads=True),
    UseCase(PersonalDataReadsQuery, personal_data_reads, READS_ROLES, reads=True),
)
