"""Intake machinery: where a new case belongs, routing it, flagging duplicates, and building the
``Case`` (shared by ``open_case`` in ``casework.cases`` and the outreach inbox)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from shequ import batchorder
from shequ.errors import NotFound, ValidationError

from casework.base import CaseworkBase, Rows
from casework.domain import Case, IntakeKey
from casework.domain.common import Fact
from casework.domain.vocabulary import CATEGORIES, OPEN


class Intake(CaseworkBase):
    """Where a case belongs, and the Case itself."""

    @contextmanager
    def same_matter(
        self, community_id: str, category: str, household_id: str | None, place: str
    ) -> Iterator[None]:
        """Intakes of one matter (same community, category and household or place) in this
        process wait for each other instead of racing for the same intake keys: a burst of
        them (a batch, a sync from another system) would otherwise exhaust the conflict
        retries. Other replicas still meet at the keys' versions and are re-decided."""
        keys = [
            IntakeKey.create_id(community_id, category, kind, value)
            for kind, value in (("household", household_id), ("place", place))
            if value
        ]
        # In a batch, take this item's turn on the matter before the lock, holding nothing: a
        # later item of the batch holding the lock would otherwise wait for this one forever.
        batchorder.turn(keys)
        stripes = sorted({k.int % len(self.matter_locks) for k in keys})
        locks = [self.matter_locks[i] for i in stripes]  # in one order: no deadlock
        for lock in locks:
            lock.acquire()
        try:
            yield
        finally:
            for lock in reversed(locks):
                lock.release()

    def place_of(
        self, rows: Rows, community_id: str | None, village_id: str | None, household_id: str | None
    ) -> tuple[str, str | None, str | None]:
        """(community, village, household), each known from the registry, and consistent."""
        if household_id:
            village_id = self._parent("household", household_id, village_id, rows)
        if village_id:
            community_id = self._parent("village", village_id, community_id, rows)
        if not community_id:
            raise ValidationError(
                "须填写社区、村或户",
                "give a community, village or household",
                "community_id",
                rule="required",
            )
        self.community_of(community_id, rows)  # known to the registry, or NotFound
        return community_id, village_id, household_id

    def _parent(self, kind: str, place_id: str, given: str | None, rows: Rows) -> Any:
        """The village of a household, or the community of a village, known from the registry;
        a parent the caller named as well must be that one."""
        noun, parent, zh, en = PARENTS[kind]
        row = self.directory_row(kind, place_id, rows)
        if row is None:
            raise NotFound(f"未找到{noun}：{place_id}", f"no {kind} {place_id}", f"{kind}_id")
        if given and given != row[f"{parent}_id"]:
            raise ValidationError(zh, en, f"{parent}_id", rule="place.mismatch")
        return row[f"{parent}_id"]

    def intake_keys(
        self,
        community_id: str,
        category: str,
        household_id: str | None,
        place: str,
        get: Callable[[UUID], Any] | None = None,
    ) -> list[IntakeKey]:
        """The duplicate keys of a new case (its household, its place), as stored now (or as
        ``get`` has them: an inbox transaction's unit)."""
        keys: list[IntakeKey] = []
        for kind, value in (("household", household_id), ("place", place)):
            if value:
                key_id = IntakeKey.create_id(community_id, category, kind, value)
                found = (get or self._stored)(key_id)
                keys.append(
                    found
                    if found is not None
                    else IntakeKey(  # type: ignore[call-arg]
                        id=key_id,
                        community_id=community_id,
                        category=category,
                        kind=kind,
                        value=value,
                    )
                )
        return keys

    def _stored(self, agg_id: UUID) -> Any:
        try:
            return self.repository.get(agg_id)
        except AggregateNotFoundError:
            return None

    def duplicate_of(self, keys: list[IntakeKey]) -> str | None:
        """The earliest open case of the last ``duplicate_within_days`` under the same keys
        (same community and category, same household or place), in order of receipt.

        The keys are loaded from the event store, not the read model, and the new case is
        noted on them in its own atomic save: an intake of the same matter committed
        meanwhile makes this one conflict and be decided again, now seeing it."""
        since = (
            dt.date.fromisoformat(self.today())
            - dt.timedelta(days=self.settings.duplicate_within_days)
        ).isoformat()
        found = {cid: (on, i) for k in keys for i, (cid, on) in enumerate(k.since(since))}
        for case_id in sorted(found, key=lambda cid: (*found[cid], cid)):  # in order of receipt
            case: Case = self.repository.get(UUID(case_id))
            if case.state in OPEN:
                return case_id
        return None

    def build_case(self, case_id: UUID, p: dict[str, Any], actor: dict[str, Any]) -> Case:
        """A received case: routed to its work group, its first deadline set."""
        today = p.get("received_on") or self.today()  # the day it reached us
        s = self.settings
        petition = p.get("petition")
        accept = s.petition_accept_within if petition else s.accept_within
        objection = s.petition_objection_within.due(self.calendar, today) if petition else None
        team_id = p.get("team_id")
        if "team_id" not in p:
            team_id = self.community_of(p["community_id"])["team_id"]
        return Case(  # type: ignore[call-arg]  # the id is taken at runtime (class annotation)
            id=case_id,
            case_type=p["case_type"],
            category=p["category"],
            channel=p["channel"],
            community_id=p["community_id"],
            village_id=p["village_id"],
            household_id=p["household_id"],
            team_id=team_id,
            work_group=CATEGORIES[p["category"]][0],
            title=p["title"],
            description=p["description"],
            place=p["place"],
            resident=p["resident"],
            received_on=today,
            accept_due=accept.due(self.calendar, today),
            objection_due=objection,
            origin_opinion_id=p.get("origin_opinion_id"),
            duplicate_of=p.get("duplicate_of"),
            reported_person_ids=p["reported_person_ids"],
            petition=petition,
            actor=actor,
            recorded_at=self.recorded_at(),
        )

    def accept_and_route(
        self,
        case: Case,
        owner_id: str | None,
        actor: dict[str, Any],
        rows: Rows | None = None,
        on: str | None = None,
    ) -> None:
        """Accept a received case on ``on`` (default today) and give it to the named or the
        routed owner, if any."""
        today = on or self.today()
        period = self.settings.handling_period(case.case_type, case.category)
        case.accept(Fact(today, actor, self.recorded_at()), period.due(self.calendar, today))
        if owner_id is None:  # routed within the case's own work group
            _team, owner_id = self.route(
                case.community_id,
                case.work_group,
                exclude=case.reported + case.recused,
                case_id=str(case.id),
                rows=rows,
            )
            group = case.work_group
        else:
            group = self.team_group(case.community_id, owner_id)
        if owner_id is not None:
            case.assign(Fact(today, actor, self.recorded_at()), owner_id, group, "")


PARENTS = {
    "household": ("户", "village", "该户不在所填的村", "the household is not in that village"),
    "village": ("村", "community", "该村不属于所填的社区", "the village is not in that community"),
}
"""A place and its parent: (the place in Chinese, the parent's kind, the words refusing a
parent the place is not in)."""


def team_of(app: CaseworkBase, community_id: str, rows: Rows | None = None) -> str | None:
    """The community's team, or None if the registry has not told us about either yet."""
    row = app.directory_row("community", community_id, rows)
    return row["team_id"] if row else None
