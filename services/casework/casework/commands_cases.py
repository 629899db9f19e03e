"""Use cases: intake, routing and the lifecycle of a case up to its resolution."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequ.actor import Actor
from shequ.auth import Target
from shequ.validation import (
    check_choice,
    check_int,
    check_phone,
    check_uuid,
    optional_text,
    require_text,
)

from casework.base import key_id
from casework.domain import Case
from casework.domain.common import violation
from casework.domain.vocabulary import CASE_TYPES, CATEGORIES, CHANNELS, GROUPS, REFUSALS
from casework.intake import Intake, check_petition, facts_key, text_fields


class CaseCommands(Intake):
    """Opening, accepting, routing, handling."""

    def open_case(  # noqa: PLR0913 - one keyword per field of a case (issue 11: a typed command)
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_type: str,
        category: str,
        channel: str,
        title: str,
        community_id: str | None = None,
        village_id: str | None = None,
        household_id: str | None = None,
        description: str = "",
        place: str = "",
        resident_name: str = "",
        resident_phone: str = "",
        petition: dict[str, Any] | None = None,
        reported_person_ids: list[str] | None = None,
        received_on: str | None = None,
    ) -> dict[str, Any]:
        """Receive a case (登记): where it belongs, who asks, what about; flags duplicates.
        ``received_on`` is the day it reached us (a paper petition typed in later; default
        today): the acceptance deadline counts from it."""
        received = self.fact_date(received_on, "received_on")
        p: dict[str, Any] = {
            "case_type": check_choice(case_type, "case_type", CASE_TYPES, "案件类型"),
            "category": check_choice(category, "category", CATEGORIES, "类别"),
            "channel": check_choice(channel, "channel", CHANNELS, "渠道"),
            **text_fields(title, description, place),
            "resident": {
                "name": optional_text(resident_name, "resident_name", "姓名", 50),
                "phone": check_phone(resident_phone, "resident_phone") if resident_phone else "",
            },
            "reported_person_ids": sorted(
                {check_uuid(x, "reported_person_ids") for x in (reported_person_ids or [])}
            ),
            "petition": None,
            "received_on": received_on,
        }
        if p["case_type"] == "petition":
            p["petition"] = check_petition(petition, self.settings.max_group_representatives)
        ids = [
            check_uuid(x, f) if x else None
            for x, f in (
                (community_id, "community_id"),
                (village_id, "village_id"),
                (household_id, "household_id"),
            )
        ]
        rows = self.directory()  # the registry's facts, as stored before this command
        p["community_id"], p["village_id"], p["household_id"] = self.place_of(rows, *ids)
        members = self.team_member_ids(p["community_id"], rows)
        team_id = self.community_of(p["community_id"], rows)["team_id"]
        if p["petition"]:
            p["petition"]["facts_key"] = facts_key(p["petition"]["facts"])
            p["petition"]["petitioner_key"] = p["household_id"] or p["petition"]["petitioner_name"]
            with self.read() as c:
                self.refuse_same_facts(
                    c, p["petition"]["facts_key"], p["petition"]["petitioner_key"]
                )
        target = Target(
            community_id=p["community_id"],
            household_id=p["household_id"],
            assigned_to=frozenset(members),
        )

        def decide() -> Any:
            keys = self.intake_keys(p["community_id"], p["category"], p["household_id"], p["place"])
            p["duplicate_of"] = self.duplicate_of(keys)
            case = self.build_case(
                key_id("case", idempotency_key),
                {**p, "team_id": team_id, "received_on": received},
                actor.to_dict(),
            )
            for k in keys:
                k.note(str(case.id), case.received_on)
            return [case, *keys], {
                "case_id": str(case.id),
                "work_group": case.work_group,
                "due_on": case.due_on,
                "duplicate_of": p["duplicate_of"],
            }

        with self.same_matter(p["community_id"], p["category"], p["household_id"], p["place"]):
            return self.run(
                "open_case",
                idempotency_key,
                actor,
                target,
                p,  # type: ignore
                decide,
            )

    def _on_case(
        self,
        command: str,
        key: str,
        actor: Actor,
        case_id: str,
        payload: dict[str, Any],
        act: Callable[[Case], Any],
        extra: Callable[[Case], list[Any]] | None = None,
    ) -> dict[str, Any]:
        """Load, guard, authorise and change one case (plus what ``extra`` returns)."""
        case_id = check_uuid(case_id, "case_id")
        case = self.load_case(case_id)
        self.guard(actor, case)
        unchanged = [case]  # the first decision uses the case just loaded; a retry reloads

        def decide() -> Any:
            fresh = unchanged.pop() if unchanged else self.load_case(case_id)
            act(fresh)
            more = extra(fresh) if extra else []
            return [fresh, *more], {
                "case_id": case_id,
                "state": fresh.state,
                "owner_id": fresh.owner_id,
                "due_on": fresh.due_on,
            }

        return self.run(
            command,
            key,
            actor,
            self.case_target(case),  # type: ignore
            {"case_id": case_id, **payload},
            decide,
        )

    def accept_case(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        owner_id: str | None = None,
        accepted_on: str | None = None,
    ) -> dict[str, Any]:
        """Accept (受理) and route to the named owner or the work group's next member.
        ``accepted_on`` is the day it was accepted (default today; not before it was
        received): the handling deadline counts from it."""
        owner = check_uuid(owner_id, "owner_id") if owner_id else None
        day = self.fact_date(accepted_on, "accepted_on")
        return self._on_case(
            "accept_case",
            idempotency_key,
            actor,
            case_id,
            {"owner_id": owner, "accepted_on": accepted_on},
            lambda c: self.accept_and_route(c, owner, actor.to_dict(), on=day),
        )

    def refuse_case(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        reason_code: str,
        reason: str,
        refused_on: str | None = None,
    ) -> dict[str, Any]:
        """Refuse with a reason; a petition's objection of non-competence within 5 working
        days of receipt. ``refused_on`` is the day it was decided (default today)."""
        p: dict[str, Any] = {
            "reason_code": check_choice(reason_code, "reason_code", REFUSALS, "不予受理理由"),
            "reason": require_text(reason, "reason", "理由", 1000),
            "refused_on": refused_on,
        }
        day = self.fact_date(refused_on, "refused_on")
        return self._on_case(
            "refuse_case",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda c: c.refuse(
                day, p["reason_code"], p["reason"], actor.to_dict(), self.recorded_at()
            ),
        )

    def assign_case(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        owner_id: str | None = None,
        work_group: str | None = None,
        reason: str = "",
        assigned_on: str | None = None,
    ) -> dict[str, Any]:
        """Assign or reassign (with a reason) to a named owner, or route within a group.
        ``assigned_on`` is the day it was handed over (default today)."""
        p: dict[str, Any] = {
            "owner_id": check_uuid(owner_id, "owner_id") if owner_id else None,
            "work_group": check_choice(work_group, "work_group", GROUPS, "工作组")
            if work_group
            else None,
            "reason": optional_text(reason, "reason", "原因", 500),
            "assigned_on": assigned_on,
        }
        day = self.fact_date(assigned_on, "assigned_on")

        def act(case: Case) -> None:
            group = p["work_group"] or case.work_group
            owner = p["owner_id"]
            if owner is None:
                _team, owner = self.route(
                    case.community_id,
                    group,
                    exclude=[
                        *case.reported,
                        *case.recused,
                        *([case.owner_id] if case.owner_id else []),
                    ],
                    case_id=str(case.id),
                )
            if owner is None:
                raise violation(
                    "routing.no_member",
                    f"{GROUPS[group]}没有可承办的成员",
                    f"the {group} group has no member to take the case",
                    "work_group",
                )
            if p["owner_id"] is not None:
                group = self.team_group(case.community_id, owner)
            case.assign(str(owner), group, p["reason"], day, actor.to_dict(), self.recorded_at())

        return self._on_case("assign_case", idempotency_key, actor, case_id, p, act)

    def add_co_handler(
        self, actor: Actor, idempotency_key: str, *, case_id: str, person_id: str
    ) -> dict[str, Any]:
        """Bring in a co-handler (协办人) from another work group of the team."""
        person = check_uuid(person_id, "person_id")

        def act(case: Case) -> None:
            group = self.member_group(case.community_id, person)
            if group is None:
                raise violation(
                    "routing.not_team_member",
                    "此人不是本社区服务队成员",
                    "the person is not in the community's service team",
                    "person_id",
                )
            case.add_co_handler(person, group, actor.to_dict())

        return self._on_case(
            "add_co_handler", idempotency_key, actor, case_id, {"person_id": person}, act
        )

    def start_case(
        self, actor: Actor, idempotency_key: str, *, case_id: str, started_on: str | None = None
    ) -> dict[str, Any]:
        """The owner starts handling (办理中); ``started_on`` is the day they began (default
        today; not before the case was accepted or reopened)."""
        day = self.fact_date(started_on, "started_on")
        return self._on_case(
            "start_case",
            idempotency_key,
            actor,
            case_id,
            {"started_on": started_on},
            lambda c: c.start(day, actor.to_dict(), self.recorded_at()),
        )

    def pause_case(
        self, actor: Actor, idempotency_key: str, *, case_id: str, reason: str
    ) -> dict[str, Any]:
        """Stop the clock (waiting for the resident, an appraisal, another body)."""
        text = require_text(reason, "reason", "原因", 500)
        return self._on_case(
            "pause_case",
            idempotency_key,
            actor,
            case_id,
            {"reason": text},
            lambda c: c.pause(self.today(), text, actor.to_dict()),
        )

    def resume_case(self, actor: Actor, idempotency_key: str, *, case_id: str) -> dict[str, Any]:
        """Restart the clock; the due date moves on by the paused days (in the period's unit)."""

        def act(case: Case) -> None:
            period = self.settings.handling_period(case.case_type, case.category)
            today = self.today()
            due = case.due_on or today
            if case.paused_since is not None:
                due = self.calendar.shift_for_pause(due, case.paused_since, today, period.unit)
            case.resume(today, due, actor.to_dict())

        return self._on_case("resume_case", idempotency_key, actor, case_id, {}, act)

    def extend_deadline(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        days: int,
        reason: str,
        approved_by: str,
        approved_on: str | None = None,
    ) -> dict[str, Any]:
        """Extend once, within the limit, approved (on ``approved_on``, default today), the
        reason sent to the resident (a petition: at most 30 days, 信访工作条例 Art. 36)."""
        p: dict[str, Any] = {
            "days": check_int(days, "days", "延期天数", 1, 365),
            "reason": require_text(reason, "reason", "延期理由", 1000),
            "approved_by": require_text(approved_by, "approved_by", "批准人", 100),
            "approved_on": approved_on,
        }
        day = self.fact_date(approved_on, "approved_on")

        def act(case: Case) -> None:
            unit = self.settings.handling_period(case.case_type, case.category).unit
            due = self.calendar.add(case.due_on or day, p["days"], unit)
            case.extend(
                p["days"],
                due,
                p["reason"],
                p["approved_by"],
                day,
                self.settings.extension_limits(case.case_type),
                True,
                actor.to_dict(),
                self.recorded_at(),
            )

        return self._on_case("extend_deadline", idempotency_key, actor, case_id, p, act)

    def merge_cases(
        self, actor: Actor, idempotency_key: str, *, case_id: str, into_case_id: str, reason: str
    ) -> dict[str, Any]:
        """Merge a duplicate into another open case; both keep their histories."""
        into = check_uuid(into_case_id, "into_case_id")
        text = require_text(reason, "reason", "合并原因", 500)
        target = self.load_case(into, "into_case_id")
        self.guard(actor, target)

        def act(case: Case) -> None:
            case.merge_into(into, self.today(), text, actor.to_dict())

        def absorb(case: Case) -> list[Any]:
            fresh = self.load_case(into, "into_case_id")
            fresh.absorb(str(case.id), self.today(), actor.to_dict())
            return [fresh]

        self.policy.check("merge_cases", actor, self.case_target(target))
        return self._on_case(
            "merge_cases",
            idempotency_key,
            actor,
            case_id,
            {"into_case_id": into, "reason": text},
            act,
            absorb,
        )
