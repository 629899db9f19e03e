"""Read models of assessment, fed in order from its own notification log.

Every handler is an idempotent upsert keyed by ids; one that only writes one row is declared as
that row (``shequ.projection`` Upsert/Update). Facts keep their log position: scoring
reads the facts up to the projector's position and records it, so the same set can be folded
again from the log (``recompute``).
"""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import ID, Handlers, Projector, Update, Upsert, upsert
from sqlalchemy import MetaData, Table, delete, select, update
from sqlalchemy.orm import Session

from assessment import tables as t
from assessment.domain.fact import counted_in

# A scored row's fields stored as they are in ``asm_results`` (the whole row goes to ``detail``).
RESULT_COLUMNS = ("subject_id", "name", "rank", "total", "base", "bonus", "deduction")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _id(event: Any) -> str:
    return str(event.originator_id)


def _set(session: Session, table: Table, event: Any, **values: Any) -> None:
    """Update the row of the event's aggregate (keyed ``id``)."""
    session.execute(update(table).where(table.c.id == _id(event)).values(**values))


class AssessmentProjection(Handlers):
    name = "assessment"
    metadata: MetaData = t.metadata

    def __init__(self) -> None:
        super().__init__()
        self.position = 0  # the notification being applied (set by ``apply_note``)

    # -- facts and subjects ----------------------------------------------------------------
    def on_Fact__Recorded(self, s: Session, e: Any) -> None:
        where = {"community_id": e.community_id, "team_id": e.team_id, "on": e.on}
        late = {"late": e.late, "moved": e.moved, "rule": e.late_rule}
        upsert(
            s,
            t.facts,
            {"id": _id(e)},
            {
                "position": self.position,
                "source": e.source,
                "kind": e.kind,
                "key": e.key,
                **where,
                "fact_values": dumps(e.values),
                "late": dumps(late),
                **counted_in(e.on, e.moved),
            },
        )

    def on_Subject__Registered(self, s: Session, e: Any) -> None:
        subject = {"subject_kind": e.subject_kind, "name": e.name, "community_id": e.community_id}
        upsert(s, t.subjects, {"subject_id": e.subject_id}, {**subject, "position": self.position})

    # -- schemes and periods ---------------------------------------------------------------
    on_Scheme__Defined = Upsert(
        t.schemes, {"id": ID}, "subject_kind", "name", versions=lambda e: dumps([e.first])
    )

    def on_Scheme__Revised(self, s: Session, e: Any) -> None:
        row = s.execute(select(t.schemes.c.versions).where(t.schemes.c.id == _id(e))).scalar()
        versions = [v for v in json.loads(row or "[]") if v["version"] != e.record["version"]]
        _set(s, t.schemes, e, versions=dumps([*versions, e.record]))

    def on_Period__Opened(self, s: Session, e: Any) -> None:
        opened = {"status": "open", "revision": 0, "as_of": 0, "versions": "{}", "after_end": 0}
        upsert(
            s, t.periods, {"id": _id(e)}, {"kind": e.kind, "start": e.start, "end": e.end, **opened}
        )

    on_Period__ScoreEntered = Upsert(
        t.scores,
        {"period_id": ID, "subject_id": "subject_id", "item": "item"},
        "subject_kind",
        "score",
        "reason",
        actor_id=lambda e: e.actor.get("person_id"),
    )

    def on_Period__Scored(self, s: Session, e: Any) -> None:
        _set(
            s,
            t.periods,
            e,
            status="closed",
            revision=e.revision,
            as_of=e.as_of,
            versions=dumps(e.versions),
            scored_version=e.originator_version,
        )
        s.execute(delete(t.results).where(t.results.c.period_id == _id(e)))
        rows = [
            {"period_id": _id(e), "subject_kind": kind, "detail": dumps(row)}
            | {column: row[column] for column in RESULT_COLUMNS}
            for kind, ranked in e.results.items()
            for row in ranked
        ]
        if rows:
            s.execute(t.results.insert(), rows)

    on_Period__Reopened = Update(t.periods, {"id": ID}, status=lambda e: "reopened")
    on_Period__ArrivalAfterEnd = Update(
        t.periods, {"id": ID}, after_end=lambda e: t.periods.c.after_end + 1
    )

    # -- pledges, rewards ------------------------------------------------------------------
    on_PledgeBook__Registered = Upsert(
        t.pledges,
        {"id": ID},
        "member_id",
        "member_name",
        "community_id",
        "year",
        pledges=lambda e: dumps([{"text": p, "evidence": []} for p in e.pledges]),
        appraised=lambda e: False,
    )
    on_PledgeBook__Published = Update(t.pledges, {"id": ID}, "published_on")

    def on_PledgeBook__Fulfilled(self, s: Session, e: Any) -> None:
        row = s.execute(select(t.pledges.c.pledges).where(t.pledges.c.id == _id(e))).scalar()
        items = json.loads(row or "[]")
        items[e.index]["evidence"].append({"evidence": e.evidence, "on": e.on})
        _set(s, t.pledges, e, pledges=dumps(items))

    on_PledgeBook__Appraised = Update(
        t.pledges, {"id": ID}, "score", "grade", appraised=lambda e: True
    )
    on_Reward__Granted = Upsert(
        t.rewards, {"id": ID}, "community_id", "amount_fen", "reason", "period_id", "granted_on"
    )
    on_Exemplar__Designated = Upsert(
        t.exemplars, {"id": ID}, "community_id", "year", "reason", "designated_on"
    )


class PositionedProjector(Projector):
    """The platform's Projector, telling the projection each notification's position (facts
    keep it, so scoring can say exactly which facts it read)."""

    projection: AssessmentProjection

    def apply_note(self, session: Session, note: Any) -> None:
        self.projection.position = note.id
        super().apply_note(session, note)
