"""Read models of outreach, fed in order from its own notification log.

Rows are upserted by id, so applying an event twice leaves the same rows (the projector also
commits its position with the rows, so it normally applies each once). Mirrors of registry
records are keyed by the registry id and carry ``agg``, the outreach aggregate's id, which is
what later events name.
"""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import Handlers, upsert, upsert_event
from sqlalchemy import MetaData, Table, select, update
from sqlalchemy.orm import Session

from outreach import tables as t

SURVEY_COUNTS = ("respondents", "aware", "support", "participate")


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
            upsert_event(s, t.villages, {"id": e.key}, e, agg=_id(e))

    def on_Place__Moved(self, s: Session, e: Any) -> None:
        _by_agg(s, t.villages, e, community_id=e.community_id, moved_on=e.effective_date)

    def on_Resident__Registered(self, s: Session, e: Any) -> None:
        upsert_event(s, t.persons, {"id": e.person_id}, e, agg=_id(e))

    def on_Resident__PhoneChanged(self, s: Session, e: Any) -> None:
        _by_agg(s, t.persons, e, phone=e.phone)

    def on_Resident__BecamePartyMember(self, s: Session, e: Any) -> None:
        _by_agg(s, t.persons, e, party_member=True)

    # -- households and cards -------------------------------------------------------------
    def on_Household__Registered(self, s: Session, e: Any) -> None:
        keys = {"id": e.household_id}
        upsert_event(s, t.households, keys, e, agg=_id(e), card_version=0, section_hash="")

    def on_Household__Moved(self, s: Session, e: Any) -> None:
        _by_agg(s, t.households, e, community_id=e.community_id)

    def on_Household__Linked(self, s: Session, e: Any) -> None:
        _by_agg(s, t.households, e, party_member_id=e.party_member_id, link_since=e.since)

    def on_Household__Unlinked(self, s: Session, e: Any) -> None:
        _by_agg(s, t.households, e, party_member_id=None, link_since=None)

    def on_Household__CardIssued(self, s: Session, e: Any) -> None:
        keys = {"household_id": e.household_id, "version": e.version}
        contacts = json.dumps(e.contacts, ensure_ascii=False)
        upsert_event(s, t.card_versions, keys, e, contacts=contacts)
        _set(s, t.households, e.household_id, card_version=e.version, section_hash=e.section_hash)

    def on_Household__CardDistributed(self, s: Session, e: Any) -> None:
        keys = {"household_id": e.household_id, "version": e.version}
        upsert_event(s, t.distributions, keys, e)

    # -- rounds, visits, opinions ---------------------------------------------------------
    def on_VisitRound__Opened(self, s: Session, e: Any) -> None:
        upsert_event(
            s,
            t.rounds,
            {"id": _id(e)},
            e,
            assignees=json.dumps(e.assignees),
            closed=False,
            households_total=len(e.households),
            households_visited=None,
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
        upsert_event(s, t.visits, {"id": _id(e)}, e)

    def on_Opinion__Collected(self, s: Session, e: Any) -> None:
        upsert_event(s, t.opinions, {"id": _id(e)}, e)

    def on_Opinion__CaseOpened(self, s: Session, e: Any) -> None:
        _set(s, t.opinions, _id(e), case_id=e.case_id)

    # -- party-member contact -------------------------------------------------------------
    def on_PartyContact__Logged(self, s: Session, e: Any) -> None:
        upsert_event(s, t.contacts, {"id": _id(e)}, e)

    def on_OverdueFlag__Flagged(self, s: Session, e: Any) -> None:
        upsert_event(s, t.overdue, {"id": _id(e)}, e)

    # -- publicity ------------------------------------------------------------------------
    def on_Campaign__Launched(self, s: Session, e: Any) -> None:
        upsert_event(s, t.campaigns, {"id": _id(e)}, e, village_ids=json.dumps(e.village_ids))

    def on_Campaign__SurveyRecorded(self, s: Session, e: Any) -> None:
        r = t.survey_results
        keys = {"campaign_id": _id(e), "village_id": e.village_id}
        row = s.execute(select(r).where(*(r.c[k] == v for k, v in keys.items()))).mappings().first()
        totals = {n: (row[n] if row else 0) + getattr(e, n) for n in SURVEY_COUNTS}
        upsert(s, r, keys, totals)

    def on_Campaign__ResultsPublished(self, s: Session, e: Any) -> None:
        r = t.survey_results
        s.execute(
            update(r)
            .where(r.c.campaign_id == _id(e), r.c.village_id == e.village_id)
            .values(published_on=e.published_on)
        )
