"""Read models of outreach, fed in order from its own notification log.

Rows are upserted by id, so applying an event twice leaves the same rows (the projector also
commits its position with the rows, so it normally applies each once). Mirrors of registry
records are keyed by the registry id and carry ``agg``, the outreach aggregate's id, which is
what later events name.
"""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import Handlers, upsert
from sqlalchemy import MetaData, Table, select, update
from sqlalchemy.orm import Session

from outreach import tables as t


def _by_agg(session: Session, table: Table, event: Any, **values: Any) -> None:
    session.execute(update(table).where(table.c.agg == str(event.originator_id)).values(**values))


def _set(session: Session, table: Table, key_value: Any, **values: Any) -> None:
    session.execute(update(table).where(table.c.id == key_value).values(**values))


def _id(event: Any) -> str:
    return str(event.originator_id)


class OutreachProjection(Handlers):
    """Tables for cards, rounds and visits, opinions, party contacts, campaigns."""

    name = "outreach"
    metadata: MetaData = t.metadata

    # -- what registry told us ------------------------------------------------------------
    def on_Directory__Opened(self, s: Session, e: Any) -> None:
        upsert(s, t.communities, {"id": e.community_id}, {"agg": _id(e), "section_hash": ""})

    def on_Directory__Named(self, s: Session, e: Any) -> None:
        _by_agg(s, t.communities, e, name=e.name)

    def on_Directory__SectionRevised(self, s: Session, e: Any) -> None:
        _by_agg(s, t.communities, e, section_hash=e.section_hash)

    def on_Directory__TeamFormed(self, s: Session, e: Any) -> None:
        _by_agg(s, t.communities, e, team_id=e.team_id)

    def on_Place__Located(self, s: Session, e: Any) -> None:
        if e.kind == "village":
            upsert(
                s,
                t.villages,
                {"id": e.key},
                {"agg": _id(e), "community_id": e.community_id, "name": e.name},
            )

    def on_Place__Moved(self, s: Session, e: Any) -> None:
        _by_agg(s, t.villages, e, community_id=e.community_id, moved_on=e.effective_date)

    def on_Resident__Registered(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.persons,
            {"id": e.person_id},
            {"agg": _id(e), "name": e.name, "phone": e.phone, "party_member": e.party_member},
        )

    def on_Resident__PhoneChanged(self, s: Session, e: Any) -> None:
        _by_agg(s, t.persons, e, phone=e.phone)

    def on_Resident__BecamePartyMember(self, s: Session, e: Any) -> None:
        _by_agg(s, t.persons, e, party_member=True)

    # -- households and cards -------------------------------------------------------------
    def on_Household__Registered(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.households,
            {"id": e.household_id},
            {
                "agg": _id(e),
                "village_id": e.village_id,
                "community_id": e.community_id,
                "head_id": e.head_id,
                "address": e.address,
                "card_version": 0,
                "section_hash": "",
            },
        )

    def on_Household__Moved(self, s: Session, e: Any) -> None:
        _by_agg(s, t.households, e, community_id=e.community_id)

    def on_Household__Linked(self, s: Session, e: Any) -> None:
        _by_agg(s, t.households, e, party_member_id=e.party_member_id, link_since=e.since)

    def on_Household__Unlinked(self, s: Session, e: Any) -> None:
        _by_agg(s, t.households, e, party_member_id=None, link_since=None)

    def on_Household__CardIssued(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.card_versions,
            {"household_id": e.household_id, "version": e.version},
            {
                "card_id": e.card_id,
                "community_id": e.community_id,
                "village_id": e.village_id,
                "issued_on": e.issued_on,
                "reason": e.reason,
                "contacts": json.dumps(e.contacts, ensure_ascii=False),
                "content_hash": e.content_hash,
            },
        )
        _set(s, t.households, e.household_id, card_version=e.version, section_hash=e.section_hash)

    def on_Household__CardDistributed(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.distributions,
            {"household_id": e.household_id, "version": e.version},
            {
                "distributed_on": e.distributed_on,
                "delivered_by": e.delivered_by,
                "acknowledged_by": e.acknowledged_by,
            },
        )

    # -- rounds, visits, opinions ---------------------------------------------------------
    def on_VisitRound__Opened(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.rounds,
            {"id": _id(e)},
            {
                "community_id": e.community_id,
                "title": e.title,
                "kind": e.kind,
                "period_start": e.period_start,
                "period_end": e.period_end,
                "assignees": json.dumps(e.assignees),
                "closed": False,
                "households_total": len(e.households),
                "households_visited": None,
            },
        )
        s.execute(t.round_households.delete().where(t.round_households.c.round_id == _id(e)))
        s.execute(
            t.round_households.insert(),
            [
                {
                    "round_id": _id(e),
                    "household_id": h["household_id"],
                    "village_id": h["village_id"],
                }
                for h in e.households
            ],
        )

    def on_VisitRound__Closed(self, s: Session, e: Any) -> None:
        _set(s, t.rounds, _id(e), closed=True, households_visited=e.households_visited)

    def on_Visit__Logged(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.visits,
            {"id": _id(e)},
            {
                "round_id": e.round_id,
                "community_id": e.community_id,
                "village_id": e.village_id,
                "household_id": e.household_id,
                "visitor_id": e.visitor_id,
                "visited_on": e.visited_on,
                "notes": e.notes,
            },
        )

    def on_Opinion__Collected(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.opinions,
            {"id": _id(e)},
            {
                "community_id": e.community_id,
                "village_id": e.village_id,
                "household_id": e.household_id,
                "category": e.category,
                "text": e.text,
                "channel": e.channel,
                "source_id": e.source_id,
                "collected_by": e.collected_by,
                "collected_on": e.collected_on,
            },
        )

    def on_Opinion__CaseOpened(self, s: Session, e: Any) -> None:
        _set(s, t.opinions, _id(e), case_id=e.case_id)

    # -- party-member contact -------------------------------------------------------------
    def on_PartyContact__Logged(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.contacts,
            {"id": _id(e)},
            {
                "member_id": e.member_id,
                "household_id": e.household_id,
                "community_id": e.community_id,
                "contacted_on": e.contacted_on,
                "practical_task": e.practical_task,
                "task": e.task,
            },
        )

    def on_OverdueFlag__Flagged(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.overdue,
            {"id": _id(e)},
            {
                "member_id": e.member_id,
                "household_id": e.household_id,
                "community_id": e.community_id,
                "last_contact_on": e.last_contact_on,
                "due_on": e.due_on,
                "flagged_on": e.flagged_on,
            },
        )

    # -- publicity ------------------------------------------------------------------------
    def on_Campaign__Launched(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.campaigns,
            {"id": _id(e)},
            {
                "community_id": e.community_id,
                "topic": e.topic,
                "village_ids": json.dumps(e.village_ids),
                "period_start": e.period_start,
                "period_end": e.period_end,
            },
        )

    def on_Campaign__SurveyRecorded(self, s: Session, e: Any) -> None:
        r = t.survey_results
        keys = {"campaign_id": _id(e), "village_id": e.village_id}
        row = (
            s.execute(
                select(r).where(
                    r.c.campaign_id == keys["campaign_id"], r.c.village_id == e.village_id
                )
            )
            .mappings()
            .first()
        )
        before = (
            dict(row) if row else {"respondents": 0, "aware": 0, "support": 0, "participate": 0}
        )
        upsert(
            s,
            r,
            keys,
            {
                "respondents": before["respondents"] + e.respondents,
                "aware": before["aware"] + e.aware,
                "support": before["support"] + e.support,
                "participate": before["participate"] + e.participate,
            },
        )

    def on_Campaign__ResultsPublished(self, s: Session, e: Any) -> None:
        r = t.survey_results
        s.execute(
            update(r)
            .where(r.c.campaign_id == _id(e), r.c.village_id == e.village_id)
            .values(published_on=e.published_on)
        )
