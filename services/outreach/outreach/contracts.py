"""Integration events outreach publishes (docs/integration-events.md); its copies of the
upstream contracts it reads are in ``interests``.

Names and phones do not travel: downstream services need ids, dates and counts only.
"""

from __future__ import annotations

from shequ.contracts import Catalogue

catalogue = Catalogue("outreach")
translate = catalogue.translate
C = "5b2d7c1e-0000-5000-8000-00000000000"  # example ids: C + one digit

catalogue.publish(
    "Opinion.Collected",
    "opinion.collected",
    {
        "opinion_id": "string",
        "community_id": "string",
        "village_id": "string?",
        "household_id": "string?",
        "category": "string",
        "text": "string",
        "channel": "string",
        "source_id": "string",
        "collected_by": "string",
        "collected_on": "date",
    },
    "A resident's opinion, demand or suggestion taken down by a cadre (channel: visit, "
    "contact_card, party_contact or survey). Casework turns each into exactly one case.",
    {
        "opinion_id": C + "1",
        "community_id": C + "2",
        "village_id": C + "3",
        "household_id": C + "4",
        "category": "demand",
        "text": "村口路灯坏了",
        "channel": "visit",
        "source_id": C + "5",
        "collected_by": C + "6",
        "collected_on": "2025-03-02",
    },
    id_field="opinion_id",
)
catalogue.publish(
    "Visit.Logged",
    "visit.logged",
    {
        "visit_id": "string",
        "round_id": "string",
        "community_id": "string",
        "village_id": "string",
        "household_id": "string",
        "visitor_id": "string",
        "visited_on": "date",
    },
    "A household was visited in a visit round.",
    {
        "visit_id": C + "5",
        "round_id": C + "7",
        "community_id": C + "2",
        "village_id": C + "3",
        "household_id": C + "4",
        "visitor_id": C + "6",
        "visited_on": "2025-03-02",
    },
    id_field="visit_id",
)
catalogue.publish(
    "VisitRound.Closed",
    "round.closed",
    {
        "round_id": "string",
        "community_id": "string",
        "period_start": "date",
        "period_end": "date",
        "households_total": "integer",
        "households_visited": "integer",
    },
    "A visit round ended; its coverage (households visited over households on its list).",
    {
        "round_id": C + "7",
        "community_id": C + "2",
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
        "households_total": 120,
        "households_visited": 117,
    },
    id_field="round_id",
)
catalogue.publish(
    "PartyContact.Logged",
    "party_contact.logged",
    {
        "contact_id": "string",
        "member_id": "string",
        "household_id": "string",
        "community_id": "string",
        "contacted_on": "date",
        "practical_task": "boolean",
    },
    "A party member contacted a linked household (practical_task: a practical task was done).",
    {
        "contact_id": C + "8",
        "member_id": C + "6",
        "household_id": C + "4",
        "community_id": C + "2",
        "contacted_on": "2025-03-02",
        "practical_task": True,
    },
    id_field="contact_id",
)
catalogue.publish(
    "OverdueFlag.Flagged",
    "party_contact.overdue",
    {
        "member_id": "string",
        "household_id": "string",
        "community_id": "string",
        "last_contact_on": "date?",
        "due_on": "date",
        "flagged_on": "date",
    },
    "More than the allowed interval (one month by default) passed without a contact.",
    {
        "member_id": C + "6",
        "household_id": C + "4",
        "community_id": C + "2",
        "last_contact_on": "2025-01-05",
        "due_on": "2025-02-05",
        "flagged_on": "2025-02-06",
    },
)
catalogue.publish(
    "Household.CardIssued",
    "card.issued",
    {
        "card_id": "string",
        "household_id": "string",
        "community_id": "string",
        "village_id": "string",
        "version": "integer",
        "issued_on": "date",
    },
    "A contact card version was issued to a household.",
    {
        "card_id": C + "9",
        "household_id": C + "4",
        "community_id": C + "2",
        "village_id": C + "3",
        "version": 2,
        "issued_on": "2025-03-02",
    },
)
catalogue.publish(
    "Household.CardDistributed",
    "card.distributed",
    {
        "card_id": "string",
        "household_id": "string",
        "community_id": "string",
        "version": "integer",
        "distributed_on": "date",
        "delivered_by": "string",
    },
    "A card version was delivered to the household.",
    {
        "card_id": C + "9",
        "household_id": C + "4",
        "community_id": C + "2",
        "version": 2,
        "distributed_on": "2025-03-03",
        "delivered_by": C + "6",
    },
)
catalogue.publish(
    "Campaign.ResultsPublished",
    "survey.results_published",
    {
        "campaign_id": "string",
        "community_id": "string",
        "village_id": "string",
        "topic": "string",
        "period_end": "date",
        "respondents": "integer",
        "awareness": "number",
        "support": "number",
        "participation": "number",
    },
    "Publicity survey results for a village: awareness (知晓率), support (支持度), "
    "participation (参与率), each 0-1.",
    {
        "campaign_id": C + "0",
        "community_id": C + "2",
        "village_id": C + "3",
        "topic": "人居环境整治",
        "period_end": "2025-06-30",
        "respondents": 80,
        "awareness": 0.9,
        "support": 0.85,
        "participation": 0.6,
    },
    id_field="campaign_id",
)
