"""Read models of outreach, fed in order from its own notification log.

Rows are upserted by id, so applying an event twice leaves the same rows (the projector also
commits its position with the rows, so it normally applies each once). Mirrors of registry
records are keyed by the registry id and carry ``agg``, the outreach aggregate's id, which is
what later events name. A handler that only writes one row is declared as that row
(``shequ.projection`` Upsert/Update).
"""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import ID, Handlers, Update, Upsert, upsert
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from outreach import tables as t

SURVEY_COUNTS = ("respondents", "aware", "support", "participate")
# where a visit, an opinion or a contact took place
WHERE = ("community_id", "village_id", "household_id")
# a party member's household link
LINK = ("member_id", "household_id", "community_id")
# a mirror row's outreach aggregate: written when the row is, what later events find it by
AGG = {"agg": ID}

# a card version's row: the household's, of that version
CARD_VERSION = {"household_id": "household_id", "version": "version"}

_VILLAGE = Upsert(t.villages, {"id": "key"}, "community_id", "name", **AGG)
_CARD_VERSION = Upsert(
    t.card_versions,
    CARD_VERSION,
    "card_id",
    "community_id",
    "village_id",
    "issued_on",
    "reason",
    "content_hash",
    contacts=lambda e: json.dumps(e.contacts, ensure_ascii=False),
)
_CARD_SHOWN = Update(t.households, {"id": "household_id"}, "section_hash", card_version="version")
_ROUND = Upsert(
    t.rounds,
    {"id": ID},
    "community_id",
    "title",
    "kind",
    "period_start",
    "period_end",
    assignees=lambda e: json.dumps(e.assignees),
    closed=lambda e: False,
    households_total=lambda e: len(e.households),
    households_visited=None,
)


class OutreachProjection(Handlers):
    """Tables for cards, rounds and visits, opinions, party contacts, campaigns."""

    name = "outreach"
    metadata: MetaData = t.metadata

    # -- what registry told us ------------------------------------------------------------
    on_Directory__Opened = Upsert(
        t.communities, {"id": "community_id"}, section_hash=lambda e: "", **AGG
    )
    on_Directory__Named = Update(t.communities, AGG, "name")
    on_Directory__SectionRevised = Update(t.communities, AGG, "section_hash")
    on_Directory__TeamFormed = Update(t.communities, AGG, "team_id")

    def on_Place__Located(self, s: Session, e: Any) -> None:
        if e.kind == "village":
            _VILLAGE(s, e)

    on_Place__Moved = Update(t.villages, AGG, "community_id", moved_on="effective_date")
    on_Resident__Registered = Upsert(
        t.persons, {"id": "person_id"}, "name", "phone", "party_member", **AGG
    )
    on_Resident__PhoneChanged = Update(t.persons, AGG, "phone")
    on_Resident__BecamePartyMember = Update(t.persons, AGG, party_member=lambda e: True)

    # -- households and cards -------------------------------------------------------------
    on_Household__Registered = Upsert(
        t.households,
        {"id": "household_id"},
        "village_id",
        "community_id",
        "head_id",
        "address",
        card_version=lambda e: 0,
        section_hash=lambda e: "",
        **AGG,
    )
    on_Household__Moved = Update(t.households, AGG, "community_id")
    on_Household__Linked = Update(t.households, AGG, "party_member_id", link_since="since")
    on_Household__Unlinked = Update(t.households, AGG, party_member_id=None, link_since=None)

    def on_Household__CardIssued(self, s: Session, e: Any) -> None:
        _CARD_VERSION(s, e)
        _CARD_SHOWN(s, e)

    on_Household__CardDistributed = Upsert(
        t.distributions,
        CARD_VERSION,
        "distributed_on",
        "delivered_by",
        "acknowledged_by",
    )

    # -- rounds, visits, opinions ---------------------------------------------------------
    def on_VisitRound__Opened(self, s: Session, e: Any) -> None:
        _ROUND(s, e)
        round_id = str(e.originator_id)
        s.execute(t.round_households.delete().where(t.round_households.c.round_id == round_id))
        s.execute(
            t.round_households.insert(),
            [
                {
                    "round_id": round_id,
                    "household_id": h["household_id"],
                    "village_id": h["village_id"],
                }
                for h in e.households
            ],
        )

    on_VisitRound__Closed = Update(
        t.rounds, {"id": ID}, "households_visited", closed=lambda e: True
    )
    on_Visit__Logged = Upsert(
        t.visits, {"id": ID}, "round_id", *WHERE, "visitor_id", "visited_on", "notes"
    )
    on_Opinion__Collected = Upsert(
        t.opinions,
        {"id": ID},
        *WHERE,
        "category",
        "text",
        "channel",
        "source_id",
        "collected_by",
        "collected_on",
    )
    on_Opinion__CaseOpened = Update(t.opinions, {"id": ID}, "case_id")

    # -- party-member contact -------------------------------------------------------------
    on_PartyContact__Logged = Upsert(
        t.contacts,
        {"id": ID},
        *LINK,
        "contacted_on",
        "practical_task",
        "task",
    )
    on_OverdueFlag__Flagged = Upsert(
        t.overdue,
        {"id": ID},
        *LINK,
        "last_contact_on",
        "due_on",
        "flagged_on",
    )

    # -- publicity ------------------------------------------------------------------------
    on_Campaign__Launched = Upsert(
        t.campaigns,
        {"id": ID},
        "community_id",
        "topic",
        "period_start",
        "period_end",
        village_ids=lambda e: json.dumps(e.village_ids),
    )

    def on_Campaign__SurveyRecorded(self, s: Session, e: Any) -> None:
        r = t.survey_results
        keys = {"campaign_id": str(e.originator_id), "village_id": e.village_id}
        row = s.execute(select(r).where(*(r.c[k] == v for k, v in keys.items()))).mappings().first()
        totals = {n: (row[n] if row else 0) + getattr(e, n) for n in SURVEY_COUNTS}
        upsert(s, r, keys, totals)

    on_Campaign__ResultsPublished = Update(
        t.survey_results, {"campaign_id": ID, "village_id": "village_id"}, "published_on"
    )
